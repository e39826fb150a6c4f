import type { CpuUsage } from "./cpu.ts";
import { NOOP_PROCESS } from "./noop-service.ts";

/**
 * What one invocation costs the machine, in the order run against the engine's no-op run (pure;
 * unit-tested). Orders/s on a saturated machine are its cores over CPU per invocation × invocations
 * per order, so this table measures the middle term in every run, part by part, against a no-op —
 * and against the least a stateful handler does (read one key, write it back), which says how
 * close to a no-op any handler that keeps state can get on this engine.
 */
export interface CostRow {
  part: string;
  /** CPU milliseconds per invocation in the order run (null: the part does not run there). */
  workloadMs: number | null;
  /** CPU milliseconds per no-op invocation in the engine's best window. */
  noopMs: number | null;
  /** Workload ÷ no-op. */
  ratio: number | null;
  /** CPU milliseconds per stateful no-op (one state read and write), and that ÷ no-op. */
  statefulMs: number | null;
  statefulRatio: number | null;
}

export interface CostWindow {
  cpu: CpuUsage;
  invocationsPerS: number;
  journalEntriesPerInvocation: number | null;
}

/** The rows of the table, by what they measure. */
export const PART = {
  restate: "restate-server",
  partitionProcessor: "… its partition processor (rt:pp)",
  endpoint: "service endpoint (SDK and handlers)",
  rest: "everything else (Kafka, simulators / load generator)",
  machine: "the whole machine",
  journal: "journal entries per invocation",
} as const;

/**
 * The process that serves each run's invocations: the platform's endpoint in the order run, the
 * bench's no-op endpoint in the engine's. The other one idles beside it (the platform's endpoint
 * still answers the idle drivers' long polls during the engine windows): that is "everything else".
 */
export const SERVING = { workload: "endpoint", noop: NOOP_PROCESS } as const;

/** Cores of the processes whose names match, summed. */
const coresOf = (cpu: CpuUsage, names: (n: string) => boolean) =>
  cpu.byProcess.filter((p) => names(p.process)).reduce((s, p) => s + p.cores, 0);

/** The cores each CPU part of the table kept busy in a window served by the process `serving`. */
export const partCores = {
  restate: (c: CpuUsage) => coresOf(c, (n) => n === "restate"),
  partitionProcessor: (c: CpuUsage) => c.restateThreads.find((t) => t.process === "rt:pp")?.cores ?? 0,
  endpoint: (c: CpuUsage, serving: string) => coresOf(c, (n) => n === serving),
  // The rest: Kafka and the simulated world in the order run, the load generator in the no-op run.
  rest: (c: CpuUsage, serving: string) => coresOf(c, (n) => n !== "restate" && n !== serving),
  // The machine's busy time without what the host stole: every process, the kernel included.
  machine: (c: CpuUsage, machineCores: number) => (c.machineBusy - c.steal) * machineCores,
};

/** CPU milliseconds per invocation of a window that kept `cores` busy at `perS` invocations/s. */
export const msPerInvocation = (cores: number, perS: number): number | null =>
  perS > 0 ? (cores / perS) * 1000 : null;

export function costPerInvocation(
  workload: CostWindow,
  noop: CostWindow,
  stateful: CostWindow,
  cores: number,
): CostRow[] {
  const perInv = (c: number, w: CostWindow) => msPerInvocation(c, w.invocationsPerS);
  const ratio = (x: number | null, base: number | null) => (x !== null && base ? round(x / base) : null);
  const figures = (part: string, w: number | null, n: number | null, st: number | null): CostRow => ({
    part,
    workloadMs: round(w),
    noopMs: round(n),
    ratio: ratio(w, n),
    statefulMs: round(st),
    statefulRatio: ratio(st, n),
  });
  const row = (part: string, of: (cpu: CpuUsage, serving: string) => number) =>
    figures(
      part,
      perInv(of(workload.cpu, SERVING.workload), workload),
      perInv(of(noop.cpu, SERVING.noop), noop),
      perInv(of(stateful.cpu, SERVING.noop), stateful),
    );
  return [
    row(PART.restate, partCores.restate),
    row(PART.partitionProcessor, partCores.partitionProcessor),
    row(PART.endpoint, partCores.endpoint),
    row(PART.rest, partCores.rest),
    row(PART.machine, (c) => partCores.machine(c, cores)),
    figures(
      PART.journal,
      workload.journalEntriesPerInvocation,
      noop.journalEntriesPerInvocation,
      stateful.journalEntriesPerInvocation,
    ),
  ];
}

/**
 * The CPU one invocation may cost the whole machine for it to deliver `ordersPerS` at
 * `invocationsPerOrder`: its cores over the invocations those orders take. Restate and the service
 * endpoint are the part no simulated world can make cheaper: where they alone spend more than that
 * budget, the target is out of reach on this machine even with Kafka and the simulators for free;
 * where less, `leftMs` is what the rest may spend. Derived from the target, not from the no-op
 * rate: a faster machine raises both, and only the first says whether 40 orders/s fit.
 */
export function engineAgainstBudget(
  rows: CostRow[],
  budget: { cores: number; ordersPerS: number; invocationsPerOrder: number | null },
): { engineMs: number; budgetMs: number; leftMs: number } | null {
  const row = (part: string) => rows.find((r) => r.part === part);
  const restate = row(PART.restate)?.workloadMs,
    endpoint = row(PART.endpoint)?.workloadMs;
  if (restate == null || endpoint == null || !budget.invocationsPerOrder) return null;
  const engineMs = round(restate + endpoint)!,
    budgetMs = round((budget.cores * 1000) / (budget.ordersPerS * budget.invocationsPerOrder))!;
  return { engineMs, budgetMs, leftMs: round(budgetMs - engineMs)! };
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
