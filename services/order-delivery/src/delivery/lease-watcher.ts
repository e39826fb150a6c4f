import type { Batch } from "kafkajs";
import type { Logger } from "pino";
import { OrderId, TOPICS, readOrderUpdate, type DriverSilenceEvent } from "@food-ordering/contracts";
import { Counter, Gauge, METRIC_PREFIX, tailTopics, type Publisher, type Registry } from "@food-ordering/kit";
import { SilenceTracker } from "./silence-tracker.ts";

/**
 * The lease of a delivering driver, without an invocation per lease period. The watcher tails
 * `driver-updates` (every GPS fix) and `order-updates` (who delivers which order) in memory, and
 * tells a driver's twin only when its fixes stopped for a lease: a silence record on
 * `driver-reports`, which the twin's subscription takes like any report. A trip costs no
 * invocation for its liveness, however long it is.
 *
 * Not durable, by choice: each endpoint process tails both topics from their end (a group of its
 * own), so every replica watches every driver and a twin may hear of one silence more than once
 * (it acts on the first; the rest find the delivery gone). A watcher that restarts knows nothing
 * of the drivers that went quiet before it came back: the twin's one durable check per
 * assignment (driver-digital-twin-rules.ts, checkLeaseRule) finds those, later.
 *
 * It tells nothing while it cannot trust its own view: no fetch for a while (Kafka away) or a
 * partition read more than half a lease behind, so a stalled consumer never reads as a fleet
 * that vanished.
 */
export interface LeaseWatcher {
  stop(): Promise<void>;
}

export interface LeaseWatcherOptions {
  brokers: string[];
  leaseMs: number;
  publisher: Publisher;
  log: Logger;
  registry: Registry;
}

/** A fix is well under 1 kB. */
const MAX_FIX_BYTES = 4096;

/**
 * What the watcher needs of a fix: that it is the key's driver's, and the order it names. The
 * busiest topic is read without the full schema (a JSON parse and two checks): the fix's place
 * and time matter to the twin and the maps, which check them; here it only keeps a watch going.
 */
export function fixOf(key: string, raw: Buffer | null): { orderId: string | undefined } | undefined {
  if (!raw || raw.length > MAX_FIX_BYTES) return undefined;
  try {
    const v = JSON.parse(raw.toString("utf8")) as { driverId?: unknown; orderId?: unknown } | null;
    if (v?.driverId !== key) return undefined;
    if (v.orderId !== undefined && !OrderId.safeParse(v.orderId).success) return undefined;
    return { orderId: v.orderId as string | undefined };
  } catch {
    return undefined;
  }
}

export function startLeaseWatcher(opts: LeaseWatcherOptions): LeaseWatcher {
  const { log, leaseMs, publisher } = opts;
  const tracker = new SilenceTracker(leaseMs);
  const records = new Counter({
    name: `${METRIC_PREFIX}lease_watcher_records_total`,
    help: "Records the lease watcher read, by topic and outcome (used, invalid).",
    labelNames: ["topic", "outcome"],
    registers: [opts.registry],
  });
  const silences = new Counter({
    name: `${METRIC_PREFIX}lease_watcher_silences_total`,
    help: "Delivering drivers whose fixes stopped for a lease, told to their twin.",
    registers: [opts.registry],
  });
  new Gauge({
    name: `${METRIC_PREFIX}lease_watcher_watched_drivers`,
    help: "Delivering drivers the lease watcher follows.",
    registers: [opts.registry],
    collect() {
      this.set(tracker.size);
    },
  });

  /** Per partition: how far behind its newest record the last batch left the watcher (ms). */
  const behindMs = new Map<string, number>();
  const read = (batch: Batch) => {
    const now = Date.now();
    const { topic } = batch;
    for (const m of batch.messages) {
      const key = m.key?.toString();
      if (topic === TOPICS.driverUpdates) {
        const fix = key === undefined ? undefined : fixOf(key, m.value);
        records.inc({ topic, outcome: fix ? "used" : "invalid" });
        if (fix) tracker.fix(key!, fix.orderId, now);
      } else {
        const r = readOrderUpdate(key, m.value);
        records.inc({ topic, outcome: r.ok ? "used" : "invalid" });
        if (r.ok) tracker.order(r.value.id, r.value.status, r.value.driverId, now);
      }
    }
    const last = batch.messages.at(-1);
    const lagging = batch.offsetLag() !== "0" && last;
    behindMs.set(`${topic}/${batch.partition}`, lagging ? Math.max(0, now - Number(last.timestamp)) : 0);
  };
  const tail = tailTopics({
    brokers: opts.brokers,
    clientId: "endpoint-lease-watcher",
    topics: [TOPICS.driverUpdates, TOPICS.orderUpdates],
    log,
    what: "lease watcher",
    onBatch: read,
    // At least four fetches per lease, so a quiet stream still shows the watcher current; no
    // hurry within that: a fetch waits for 64 kB (some 300 fixes) rather than answering each one.
    fetchWaitMs: Math.min(1000, leaseMs / 4),
    fetchMinBytes: 64 * 1024,
  });

  /** Whether the watcher's view is current enough to call a driver silent. */
  const trustworthy = (now: number) =>
    tail.lastFetchAt > 0 &&
    now - tail.lastFetchAt < leaseMs / 2 &&
    [...behindMs.values()].every((ms) => ms < leaseMs / 2);

  const telling = new Set<string>();
  const tell = async (s: DriverSilenceEvent) => {
    telling.add(s.driverId);
    try {
      await publisher.publish(TOPICS.driverReports, [{ key: s.driverId, value: s }]);
      tracker.told(s);
      silences.inc();
      log.warn({ driverId: s.driverId, orderId: s.orderId, silentMs: s.silentMs }, "delivering driver went silent");
    } catch (err) {
      // Kept watched: the next scan tells again.
      log.warn({ driverId: s.driverId, err: (err as Error).message }, "telling a driver's silence failed");
    } finally {
      telling.delete(s.driverId);
    }
  };
  const scan = setInterval(
    () => {
      const now = Date.now();
      if (!trustworthy(now)) return;
      for (const s of tracker.silent(now)) if (!telling.has(s.driverId)) void tell({ ...s, report: "silence" });
    },
    Math.min(1000, leaseMs / 4),
  );
  scan.unref();

  return {
    async stop() {
      clearInterval(scan);
      await tail.stop();
    },
  };
}
