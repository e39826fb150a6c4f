import type { CpuUsage } from "./cpu.ts";

/**
 * CPU-seconds per delivered order over a window: the whole machine's (busy minus steal: time
 * the host gave another guest is no work of ours) and each process's.
 */
export interface CpuPerOrder {
  machineS: number;
  byProcess: Array<{ process: string; seconds: number }>;
}

export function cpuPerOrder(cpu: CpuUsage, windowS: number, cores: number, delivered: number): CpuPerOrder | null {
  if (delivered <= 0) return null;
  const r = (coreS: number) => Math.round((coreS / delivered) * 10_000) / 10_000;
  return {
    machineS: r((cpu.machineBusy - cpu.steal) * cores * windowS),
    byProcess: cpu.byProcess
      .map((p) => ({ process: p.process, seconds: r(p.cores * windowS) }))
      .filter((p) => p.seconds > 0)
      .sort((a, b) => b.seconds - a.seconds),
  };
}
