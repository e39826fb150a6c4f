import fs from "node:fs";
import type { Stack } from "@food-ordering/stack";

/**
 * Resident memory of the stack's processes from /proc: VmHWM (peak RSS) and VmRSS. restate-server
 * and Kafka's JVM are the spawned children themselves, so the child's pid is the process measured.
 * resetPeaks() clears VmHWM (Linux: write 5 to /proc/<pid>/clear_refs), so a later reading is
 * the peak of one load level rather than of the whole run.
 */
export interface ProcessMemory {
  process: string;
  pid: number;
  peakRssMiB: number;
  rssMiB: number;
}

function pids(stack: Stack): Array<[string, number]> {
  return [...stack.processes].flatMap(([name, p]) =>
    p.running && p.child?.pid ? [[name, p.child.pid] as [string, number]] : [],
  );
}

/** Returns whether the kernel accepted the reset for every process (else peaks span the whole run). */
export function resetPeaks(stack: Stack): boolean {
  let all = true;
  for (const [, pid] of pids(stack)) {
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
    } catch {
      all = false;
    }
  }
  return all;
}

export function readMemory(stack: Stack): ProcessMemory[] {
  return pids(stack).flatMap(([process, pid]) => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
      return [{ process, pid, peakRssMiB: Math.round(kib("VmHWM") / 1024), rssMiB: Math.round(kib("VmRSS") / 1024) }];
    } catch {
      return [];
    }
  });
}
