import type { CpuUsage } from "./cpu.ts";

/**
 * What one invocation costs the machine, in the order run against the engine's no-op run (pure;
 * unit-tested). The orders/s target, ½ × engine limit ÷ invocations per order, holds only where
 * the machine can run this workload's invocations at half the rate it runs no-ops: where an
 * invocation of the workload costs at most twice a no-op. This table measures that ratio in
 * every run, part by part, instead of leaving it to a one-off analysis.
 */
export interface CostRow {
  part: string;
  /** CPU milliseconds per invocation in the order run (null: the part does not run there). */
  workloadMs: number | null;
  /** CPU milliseconds per no-op invocation in the engine's best window. */
  noopMs: number | null;
  ratio: number | null;
}

export interface CostWindow {
  cpu: CpuUsage;
  invocationsPerS: number;
  journalEntriesPerInvocation: number | null;
}

/** The service endpoint of each run: the platform's endpoint, or the bench's no-op one. */
const ENDPOINTS = ["endpoint", "bench-noop"];

const coresOf = (cpu: CpuUsage, names: (n: string) => boolean) => cpu.byProcess.filter((p) => names(p.process)).reduce((s, p) => s + p.cores, 0);

export function costPerInvocation(workload: CostWindow, noop: CostWindow, cores: number): CostRow[] {
  const perInv = (c: number, w: CostWindow) => (w.invocationsPerS > 0 ? (c / w.invocationsPerS) * 1000 : null);
  const row = (part: string, of: (cpu: CpuUsage) => number | null): CostRow => {
    const w = of(workload.cpu);
    const n = of(noop.cpu);
    const workloadMs = w === null ? null : perInv(w, workload);
    const noopMs = n === null ? null : perInv(n, noop);
    return { part, workloadMs: round(workloadMs), noopMs: round(noopMs), ratio: workloadMs !== null && noopMs ? round(workloadMs / noopMs) : null };
  };
  const thread = (cpu: CpuUsage, name: string) => cpu.restateThreads.find((t) => t.process === name)?.cores ?? 0;
  return [
    row("restate-server", (c) => coresOf(c, (n) => n === "restate")),
    row("… its partition processor (rt:pp)", (c) => thread(c, "rt:pp")),
    row("service endpoint (SDK and handlers)", (c) => coresOf(c, (n) => ENDPOINTS.includes(n))),
    // The rest: Kafka and the simulated world in the order run, the load generator in the no-op run.
    row("everything else (Kafka, simulators / load generator)", (c) => coresOf(c, (n) => n !== "restate" && !ENDPOINTS.includes(n))),
    // The machine's busy time without what the host stole: every process, the kernel included.
    row("the whole machine", (c) => (c.machineBusy - c.steal) * cores),
    {
      part: "journal entries per invocation",
      workloadMs: workload.journalEntriesPerInvocation,
      noopMs: noop.journalEntriesPerInvocation,
      ratio: workload.journalEntriesPerInvocation !== null && noop.journalEntriesPerInvocation ? round(workload.journalEntriesPerInvocation / noop.journalEntriesPerInvocation) : null,
    },
  ];
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
