import { Kafka, logLevel } from "kafkajs";
import { TOPICS } from "@food-ordering/contracts";
import type { Stack } from "@food-ordering/stack";
import { collectOrders } from "./collect.ts";
import { measureIdle, type IdleResult } from "./idle.ts";
import { invocationsIn, minusBaseline, perUnit, ratesOf, type HandlerCount } from "./invocations.ts";
import { reachedAt } from "./latency.ts";
import { drain, runLevel, type LevelTiming } from "./load-levels.ts";
import { cpuPerOrder, type CpuPerOrder } from "./per-order.ts";

/**
 * An order's cost at one time scale, at a steady load under saturation: invocations per
 * delivered order by handler (net of the idle drivers' baseline, measured right after on the
 * same stack), CPU-seconds per delivered order (the machine's and each process's), the GPS fixes
 * a trip took (records on driver-updates) against the reports that reached the twins
 * (driver-reports), and the idle fleet's cost. At 60× with a fix per simulated second a trip
 * takes as many fixes as a real one (a 10-minute trip: ~600), on a scaled clock.
 */
export interface ScaleResult {
  time_scale: number;
  tick_ms: number;
  offered_per_s: number;
  window_s: number;
  delivered: number;
  delivered_per_s: number;
  fixes_per_delivered_order: number | null;
  reports_per_delivered_order: number | null;
  invocations_per_order: number | null;
  invocations_per_order_gross: number | null;
  invocations_per_order_by_handler: HandlerCount[];
  cpu_s_per_order: CpuPerOrder | null;
  idle: IdleResult;
  idle_invocations_per_driver_per_s: number;
}

/** Records appended to each topic so far (the sum of its partitions' high watermarks). */
export async function topicRecords(brokers: string[], topics: string[]): Promise<Map<string, number>> {
  const admin = new Kafka({ clientId: "bench-offsets", brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const out = new Map<string, number>();
    for (const t of topics)
      out.set(
        t,
        (await admin.fetchTopicOffsets(t)).reduce((s, p) => s + Number(p.high) - Number(p.low), 0),
      );
    return out;
  } finally {
    await admin.disconnect();
  }
}

export async function measureScale(
  stack: Stack,
  o: {
    timeScale: number;
    tickMs: number;
    rate: number;
    level: LevelTiming;
    idleWindowMs: number;
    drainTimeoutMs: number;
    drivers: number;
    cores: number;
    log: (s: string) => void;
  },
): Promise<ScaleResult> {
  const topics = [TOPICS.driverUpdates, TOPICS.driverReports];
  const brokers = stack.info.kafkaBrokers;
  // The window's records are counted from the offsets at its ends: read them as close to them as can be.
  let before = new Map<string, number>();
  const run = await runLevel(stack, o.rate, o.level, null, o.log, async () => {
    before = await topicRecords(brokers, topics);
  });
  const after = await topicRecords(brokers, topics);
  await drain(stack, o.drainTimeoutMs, o.log);
  const idle = await measureIdle(stack, o.drivers, o.idleWindowMs, o.log);
  const seconds = (run.to - run.from) / 1000;
  const delivered = (await collectOrders(stack)).filter((v) => {
    const t = reachedAt(v, "DELIVERED");
    return t !== undefined && t >= run.from && t < run.to;
  }).length;
  const inv = await invocationsIn(stack.info.adminUrl, run.from, run.to);
  const net = perUnit(minusBaseline(inv, ratesOf(idle.invocations, idle.windowS), seconds), delivered);
  const per = (topic: string) =>
    delivered > 0 ? Math.round((((after.get(topic) ?? 0) - (before.get(topic) ?? 0)) / delivered) * 10) / 10 : null;
  return {
    time_scale: o.timeScale,
    tick_ms: o.tickMs,
    offered_per_s: o.rate,
    window_s: Math.round(seconds),
    delivered,
    delivered_per_s: Math.round((delivered / seconds) * 100) / 100,
    fixes_per_delivered_order: per(TOPICS.driverUpdates),
    reports_per_delivered_order: per(TOPICS.driverReports),
    invocations_per_order: delivered > 0 ? net.total : null,
    invocations_per_order_gross: delivered > 0 ? perUnit(inv, delivered).total : null,
    invocations_per_order_by_handler: net.byHandler,
    cpu_s_per_order: cpuPerOrder(run.cpu, seconds, o.cores, delivered),
    idle,
    idle_invocations_per_driver_per_s: Math.round(idle.perDriverPerS * 10_000) / 10_000,
  };
}
