import type { KafkaMessage } from "kafkajs";
import type { Logger } from "pino";
import { DriverLocationEvent, TOPICS, readJsonRecord, readOrderUpdate } from "@food-ordering/contracts";
import { Counter, Gauge, METRIC_PREFIX, tailTopics, type Registry } from "@food-ordering/kit";
import type { LiveState } from "./live-state.ts";

/**
 * The web UI's one Kafka consumer: it tails `order-updates` (every change of an order's view,
 * published by order-status) and `driver-updates` (every GPS fix of every driver) into the
 * LiveState, so that open pages get changes pushed without a Restate read per change, and maps
 * move between the drivers' reports to the platform.
 *
 * Each process tails in a group of its own (kit's tailTopics): every replica sees every record
 * (each holds its own streams) from the end of the topics (the past is read from Restate once
 * per stream). Losing records while it is away is fine for the same reason: streams re-read
 * Restate once it is back.
 *
 * Health: kafkajs fetches at least every second while it is connected; no fetch for
 * `staleAfterMs` means the broker is away ("down"), and streams fall back to reading Restate.
 */
export type LiveHealth = "starting" | "live" | "down";

export interface LiveUpdates {
  readonly health: LiveHealth;
  stop(): Promise<void>;
}

export interface LiveUpdatesOptions {
  brokers: string[];
  clientId: string;
  log: Logger;
  registry: Registry;
  state: LiveState;
  /** No fetch for this long and the updates count as down. */
  staleAfterMs?: number;
  now?: () => number;
}

const DEFAULT_STALE_AFTER_MS = 10_000;
/** A fix stamped further ahead than this is from a wrong clock, not from the future. */
const MAX_CLOCK_SKEW_MS = 60_000;

export function startLiveUpdates(opts: LiveUpdatesOptions): LiveUpdates {
  const { log, state } = opts;
  const now = opts.now ?? Date.now;
  const staleAfterMs = opts.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const records = new Counter({
    name: `${METRIC_PREFIX}webui_live_records_total`,
    help: "Records read from order-updates and driver-updates, by topic and outcome (used, stale, invalid).",
    labelNames: ["topic", "outcome"],
    registers: [opts.registry],
  });
  let health: LiveHealth = "starting";
  new Gauge({
    name: `${METRIC_PREFIX}webui_live_updates_up`,
    help: "1 while the web UI receives order and driver updates from Kafka; 0 while streams read Restate instead.",
    registers: [opts.registry],
    collect() {
      this.set(health === "live" ? 1 : 0);
    },
  });

  const startedAt = now();
  const setHealth = (next: LiveHealth) => {
    if (next === health) return;
    const before = health;
    health = next;
    if (next === "down") log.warn({ staleAfterMs }, "live updates from Kafka stopped; streams read Restate meanwhile");
    else if (before === "down") log.info("live updates from Kafka are back");
    state.wakeAll();
  };
  const checker = setInterval(() => {
    if (tail.lastFetchAt && now() - tail.lastFetchAt <= staleAfterMs) setHealth("live");
    else if (health === "live" || now() - startedAt > staleAfterMs * 3) setHealth("down");
  }, 500);
  checker.unref();

  const handle = (topic: string, message: KafkaMessage) => {
    const key = message.key?.toString();
    if (topic === TOPICS.orderUpdates) {
      const read = readOrderUpdate(key, message.value);
      if (!read.ok) {
        records.inc({ topic, outcome: "invalid" });
        log.debug({ key, reason: read.reason }, "ignoring an order update");
        return;
      }
      records.inc({ topic, outcome: state.offer(read.value) ? "used" : "stale" });
      return;
    }
    const read = readJsonRecord(DriverLocationEvent, message.value, { maxBytes: 4096, key, keyField: "driverId" });
    if (!read.ok || read.value.timestamp > now() + MAX_CLOCK_SKEW_MS) {
      records.inc({ topic, outcome: "invalid" });
      return;
    }
    const { driverId, region, location, timestamp } = read.value;
    const used = state.recordFix({ driverId, region, location, at: timestamp });
    records.inc({ topic, outcome: used ? "used" : "stale" });
  };

  const tail = tailTopics({
    brokers: opts.brokers,
    clientId: `${opts.clientId}-live`,
    topics: [TOPICS.orderUpdates, TOPICS.driverUpdates],
    log,
    what: "live updates",
    onBatch: (batch) => {
      for (const message of batch.messages) handle(batch.topic, message);
    },
  });

  return {
    get health() {
      return health;
    },
    async stop() {
      clearInterval(checker);
      await tail.stop();
    },
  };
}
