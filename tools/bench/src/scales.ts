import { Kafka, logLevel } from "kafkajs";
import { TOPICS } from "@food-ordering/contracts";
import type { Stack } from "@food-ordering/stack";
import { collectOrders } from "./collect.ts";
import { measureIdle, type IdleResult } from "./idle.ts";
import {
  INGRESS_READS,
  invocationsIn,
  minusBaseline,
  perUnit,
  ratesOf,
  type HandlerCount,
  type WindowCounts,
} from "./invocations.ts";
import { reachedAt } from "./latency.ts";
import { drain, runLevel } from "./load-levels.ts";
import { cpuPerOrder, type CpuPerOrder } from "./per-order.ts";
import { watchEveryOrder, type PageCounts } from "./watching.ts";
import type { Settings } from "./settings.ts";

/**
 * An order's cost at one time scale, at a steady load under saturation: invocations per
 * delivered order by handler (net of the idle drivers' baseline, measured right after on the
 * same stack), CPU-seconds per delivered order (the machine's and each process's), the GPS fixes
 * a trip took (records on driver-updates) against the reports that reached the twins
 * (driver-reports), and the idle fleet's cost. At 60× with a fix per simulated second a trip
 * takes as many fixes as a real one (a 10-minute trip: ~600), on a scaled clock.
 *
 * With `watchPages`, a second window at the same load follows with the web UI started and a
 * tracking page open for every order (see watching.ts): what one watching page adds per order.
 */
export interface ScaleResult {
  time_scale: number;
  tick_ms: number;
  /** The driver lease (real ms). */
  lease_ms: number;
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
  watching: WatchingResult | null;
}

/** A tracking page per order, against the same load unwatched (per delivered order, net of idle). */
export interface WatchingResult {
  window_s: number;
  delivered: number;
  pages: Omit<PageCounts, "openedAt">;
  /** Pages opened inside the window: the unit of the per-page figures. */
  pages_in_window: number;
  /**
   * Restate invocations per page: the reads through the ingress in the window (the web UI's own
   * catalog refreshes included) minus those of the unwatched window at its rate.
   */
  invocations_per_page: number | null;
  invocations_per_page_by_handler: HandlerCount[];
  /** Entries of a delivered order's timeline: the status changes a page shows. */
  status_changes_per_order: number | null;
  /** Pushed to one page: the order's views (one per change, ETAs too) and its driver's positions. */
  order_events_per_page: number | null;
  driver_events_per_page: number | null;
  cpu_s_per_order: CpuPerOrder | null;
  /** The web UI process per order, all of it (its fleet map's consumption of driver-updates included). */
  webui_cpu_s_per_order: number | null;
  /** The whole machine's CPU per order minus the unwatched window's. */
  extra_machine_cpu_s_per_order: number | null;
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
  /** The scale's settings (the 60× stack's, `Settings["real"]`) and the run's. */
  o: Settings["real"] & {
    drainTimeoutMs: number;
    drivers: number;
    cores: number;
    log: (s: string) => void;
    /** Measure a tracking page per order too (the stack must be started with webui: "later"). */
    watchPages?: boolean;
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
  const delivered = (await deliveredIn(stack, run.from, run.to)).length;
  const inv = await invocationsIn(stack.info.adminUrl, run.from, run.to);
  const net = perUnit(minusBaseline(inv, ratesOf(idle.invocations, idle.windowS), seconds), delivered);
  const cpu = cpuPerOrder(run.cpu, seconds, o.cores, delivered);
  const watching = o.watchPages
    ? await measureWatching(stack, o, {
        reads: await invocationsIn(stack.info.adminUrl, run.from, run.to, INGRESS_READS),
        seconds,
        cpu,
      })
    : null;
  const per = (topic: string) =>
    delivered > 0 ? Math.round((((after.get(topic) ?? 0) - (before.get(topic) ?? 0)) / delivered) * 10) / 10 : null;
  return {
    time_scale: o.timeScale,
    tick_ms: o.tickMs,
    lease_ms: o.leaseMs,
    offered_per_s: o.rate,
    window_s: Math.round(seconds),
    delivered,
    delivered_per_s: Math.round((delivered / seconds) * 100) / 100,
    fixes_per_delivered_order: per(TOPICS.driverUpdates),
    reports_per_delivered_order: per(TOPICS.driverReports),
    invocations_per_order: delivered > 0 ? net.total : null,
    invocations_per_order_gross: delivered > 0 ? perUnit(inv, delivered).total : null,
    invocations_per_order_by_handler: net.byHandler,
    cpu_s_per_order: cpu,
    idle,
    idle_invocations_per_driver_per_s: Math.round(idle.perDriverPerS * 10_000) / 10_000,
    watching,
  };
}

/** Orders of the stack's state that reached DELIVERED inside a window. */
async function deliveredIn(stack: Stack, from: number, to: number) {
  return (await collectOrders(stack)).filter((v) => {
    const t = reachedAt(v, "DELIVERED");
    return t !== undefined && t >= from && t < to;
  });
}

/** The same load again with the web UI up and a tracking page per order. */
async function measureWatching(
  stack: Stack,
  o: Parameters<typeof measureScale>[1],
  plain: { reads: WindowCounts; seconds: number; cpu: CpuPerOrder | null },
): Promise<WatchingResult> {
  o.log("a tracking page per order: starting the web UI");
  const webuiUrl = await stack.startWebui();
  const pages = await watchEveryOrder(stack.info.kafkaBrokers, webuiUrl, o.log);
  const run = await runLevel(stack, o.rate, o.level, null, o.log);
  await drain(stack, o.drainTimeoutMs, o.log);
  const { openedAt, ...counts } = await pages.stop();
  o.log(
    `tracking pages: ${counts.pages} opened, ${counts.ended} followed to their end, ${counts.failed} failed; ` +
      `${counts.orderEvents} order views and ${counts.driverEvents} driver positions pushed`,
  );
  const seconds = (run.to - run.from) / 1000;
  const orders = await deliveredIn(stack, run.from, run.to);
  const delivered = orders.length;
  const inWindow = openedAt.filter((t) => t >= run.from && t < run.to).length;
  const reads = minusBaseline(
    await invocationsIn(stack.info.adminUrl, run.from, run.to, INGRESS_READS),
    ratesOf(plain.reads, plain.seconds),
    seconds,
  );
  const perPage = perUnit(reads, inWindow);
  const cpu = cpuPerOrder(run.cpu, seconds, o.cores, delivered);
  const perStream = (n: number) => (counts.pages > 0 ? Math.round((n / counts.pages) * 10) / 10 : null);
  const changes = orders.reduce((n, v) => n + v.timeline.length, 0);
  return {
    window_s: Math.round(seconds),
    delivered,
    pages: counts,
    pages_in_window: inWindow,
    invocations_per_page: inWindow > 0 ? perPage.total : null,
    invocations_per_page_by_handler: inWindow > 0 ? perPage.byHandler.filter((h) => h.count > 0) : [],
    status_changes_per_order: delivered > 0 ? Math.round((changes / delivered) * 10) / 10 : null,
    order_events_per_page: perStream(counts.orderEvents),
    driver_events_per_page: perStream(counts.driverEvents),
    cpu_s_per_order: cpu,
    webui_cpu_s_per_order: cpu?.byProcess.find((p) => p.process === "webui")?.seconds ?? null,
    extra_machine_cpu_s_per_order:
      cpu && plain.cpu ? Math.round((cpu.machineS - plain.cpu.machineS) * 10_000) / 10_000 : null,
  };
}
