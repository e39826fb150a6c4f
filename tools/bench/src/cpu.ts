import fs from "node:fs";
import type { Stack } from "@food-ordering/stack";

/**
 * CPU time of the stack's processes from /proc/<pid>/stat (utime + stime, in clock ticks of
 * 1/100 s on Linux), and of the whole machine from /proc/stat. Read at both ends of a window,
 * the difference says which process the cores went to — the profile that tells where an
 * order's cost lies (engine, endpoint, simulators, Kafka) before any code is profiled.
 */
export interface CpuSnapshot {
  at: number;
  /** process name -> CPU seconds used so far. */
  byProcess: Map<string, number>;
  /** restate-server's threads by name (numbers stripped): which of its parts works. */
  restateThreads: Map<string, number>;
  /** Machine: busy and total jiffies over all cores, and the steal among the busy ones. */
  busy: number;
  total: number;
  steal: number;
}

export interface ProcessCpu {
  process: string;
  /** Cores used on average over the window (1 = one core fully busy). */
  cores: number;
}

export interface CpuUsage {
  /** Share of the machine's cores busy over the window (0..1), everything included. */
  machineBusy: number;
  /**
   * Share of the window the hypervisor ran something else on these virtual cores (0..1; part of
   * machineBusy): time no process here got, which moves every figure between runs on a shared host.
   */
  steal: number;
  byProcess: ProcessCpu[];
  /** restate-server's cores by thread group: `rt:pp` is the partition processors, `rs:worker` ingress, invoker and networking. */
  restateThreads: ProcessCpu[];
}

const TICKS_PER_S = 100;

/** CPU seconds from a /proc stat file: utime + stime, the 14th and 15th fields. */
function statSeconds(file: string): { name: string; seconds: number } | undefined {
  try {
    const stat = fs.readFileSync(file, "utf8");
    // Fields after the command name (which may hold spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S,
    };
  } catch {
    return undefined;
  }
}

/** Per thread group: thread names without their trailing numbers (rs:worker-3 -> rs:worker). */
function threadSeconds(pid: number): Map<string, number> {
  const groups = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return groups;
  }
  for (const tid of tids) {
    const t = statSeconds(`/proc/${pid}/task/${tid}/stat`);
    if (!t) continue;
    const group = t.name.replace(/[-_:]?\d+$/, "");
    groups.set(group, (groups.get(group) ?? 0) + t.seconds);
  }
  return groups;
}

/** From /proc/stat's first line: user nice system idle iowait irq softirq steal ... */
function machineJiffies(): { busy: number; total: number; steal: number } {
  const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total, steal: cpu[7] ?? 0 };
}

export function readCpu(stack: Stack): CpuSnapshot {
  const byProcess = new Map<string, number>();
  let restateThreads = new Map<string, number>();
  for (const [name, p] of stack.processes) {
    const pid = p.running ? p.child?.pid : undefined;
    const s = pid ? statSeconds(`/proc/${pid}/stat`) : undefined;
    if (s) byProcess.set(name, s.seconds);
    if (pid && name === "restate") restateThreads = threadSeconds(pid);
  }
  const self = process.cpuUsage();
  byProcess.set("bench (load generator, collectors)", (self.user + self.system) / 1e6);
  return { at: Date.now(), byProcess, restateThreads, ...machineJiffies() };
}

/** Cores used per entry between two readings, busiest first; entries under 0.01 cores left out. */
function coresBetween(a: Map<string, number>, b: Map<string, number>, seconds: number): ProcessCpu[] {
  return [...b]
    .filter(([name]) => a.has(name))
    .map(([process, s]) => ({ process, cores: Math.round(((s - a.get(process)!) / seconds) * 100) / 100 }))
    .filter((p) => p.cores >= 0.01)
    .sort((x, y) => y.cores - x.cores);
}

/** One line for the progress log: "machine 92% busy (restate 0.73, endpoint 0.54, ...)". */
export function describeCpu(u: CpuUsage, top = 4): string {
  const steal = u.steal >= 0.01 ? `, ${Math.round(u.steal * 100)}% of it stolen by the host` : "";
  return `machine ${Math.round(u.machineBusy * 100)}% busy (${u.byProcess
    .slice(0, top)
    .map((p) => `${p.process} ${p.cores}`)
    .join(", ")}${steal})`;
}

export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): CpuUsage {
  const seconds = (b.at - a.at) / 1000;
  const total = b.total - a.total;
  return {
    machineBusy: total > 0 ? Math.round(((b.busy - a.busy) / total) * 100) / 100 : 0,
    steal: total > 0 ? Math.round(((b.steal - a.steal) / total) * 100) / 100 : 0,
    byProcess: coresBetween(a.byProcess, b.byProcess, seconds),
    restateThreads: coresBetween(a.restateThreads, b.restateThreads, seconds),
  };
}
