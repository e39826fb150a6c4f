import type { OrderStatusView } from "@food-ordering/contracts";
import type { Stack } from "@food-ordering/stack";
import { invocationsIn, minusBaseline, perUnit, type HandlerCount } from "./invocations.ts";
import { reachedAt, stepTimes, summarizeSteps, type DriveModel, type OrderFacts, type StepName } from "./latency.ts";
import type { LevelRun } from "./load-levels.ts";
import type { CpuUsage } from "./cpu.ts";
import type { ProcessMemory } from "./memory.ts";
import type { Summary } from "./stats.ts";
import type { Verdict } from "./steps.ts";
import type { GcBetween } from "./signals.ts";

/**
 * The figures of one load level, cut from the run's final data by the level's window: orders
 * that reached DELIVERED in it, invocations created in it, and the step latencies of the orders
 * CREATED in it.
 */
export interface LevelResult {
  offered_per_s: number;
  published_per_s: number;
  created_per_s: number;
  delivered_per_s: number;
  delivered: number;
  invocations_per_s: number;
  /** Invocations per delivered order, less the idle drivers' baseline (see minusBaseline). */
  invocations_per_order: number | null;
  invocations_per_order_by_handler: HandlerCount[];
  /** All invocations in the window per delivered order, idle drivers included. */
  invocations_per_order_gross: number | null;
  journal_entries_per_order: number | null;
  /** Journal entries per invocation in the window (all invocations, idle drivers' included). */
  journal_entries_per_invocation: number | null;
  latency_ms: Record<StepName, Summary>;
  saturated: boolean;
  saturation_reasons: string[];
  window_s: number;
  peak_rss_mib: ProcessMemory[];
  cpu: CpuUsage;
  endpoint_gc: GcBetween;
}

export async function analyzeLevel(
  stack: Stack,
  run: LevelRun,
  orders: readonly OrderStatusView[],
  facts: ReadonlyMap<string, OrderFacts>,
  drive: DriveModel,
  idlePerS: ReadonlyMap<string, number>,
  verdict?: Verdict,
): Promise<LevelResult> {
  const within = (t: number | undefined) => t !== undefined && t >= run.from && t < run.to;
  const seconds = (run.to - run.from) / 1000;
  const delivered = orders.filter((o) => within(reachedAt(o, "DELIVERED"))).length;
  const created = orders.filter((o) => within(reachedAt(o, "CREATED"))).length;
  const inv = await invocationsIn(stack.info.adminUrl, run.from, run.to);
  const perOrder = perUnit(minusBaseline(inv, idlePerS, seconds), delivered);
  const times = stepTimes(orders, facts, drive);
  const createdHere = orders.filter((o) => within(reachedAt(o, "CREATED"))).map((o) => times.get(o.id)!);
  const v = verdict ?? run.verdict;
  return {
    offered_per_s: run.offered,
    published_per_s: round2(run.live.published),
    created_per_s: round2(created / seconds),
    delivered_per_s: round2(delivered / seconds),
    delivered,
    invocations_per_s: round2(inv.total / seconds),
    invocations_per_order: delivered > 0 ? perOrder.total : null,
    invocations_per_order_by_handler: perOrder.byHandler,
    invocations_per_order_gross: delivered > 0 ? perUnit(inv, delivered).total : null,
    journal_entries_per_order: delivered > 0 ? round2(inv.journalEntries / delivered) : null,
    journal_entries_per_invocation: inv.total > 0 ? round2(inv.journalEntries / inv.total) : null,
    latency_ms: summarizeSteps(createdHere),
    saturated: v.saturated,
    saturation_reasons: v.reasons,
    window_s: round2(seconds),
    peak_rss_mib: run.memory,
    cpu: run.cpu,
    endpoint_gc: run.endpointGc,
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
