import os from "node:os";
import { randomUUID } from "node:crypto";
import { Kafka, logLevel, type Batch, type Consumer } from "kafkajs";
import type { Logger } from "pino";
import { kafkaLogger } from "./kafka.ts";

/**
 * Tails topics from their end in a consumer group of its own (a fresh id per process, nothing
 * committed): every replica sees every record and leaves no offsets behind when it goes. For
 * in-memory views of a stream (the web UI's live state, the endpoint's lease watcher), where a
 * record missed while the process was away is made up for elsewhere.
 *
 * kafkajs fetches at least every `fetchWaitMs` while connected: `lastFetchAt` tells a caller
 * whether the stream is flowing. A consumer that crashes for good is restarted after a delay.
 */
export interface Tail {
  /** Epoch ms of the last completed fetch; 0 = none yet. */
  readonly lastFetchAt: number;
  stop(): Promise<void>;
}

export interface TailOptions {
  brokers: string[];
  /** kafkajs client id; also the prefix of the group id. */
  clientId: string;
  topics: string[];
  log: Logger;
  /** Called for every batch, in order per partition; it must not throw (bad records are the caller's to count). */
  onBatch: (batch: Batch) => void;
  /** Label of the consumer in log lines. */
  what: string;
  /** Longest a fetch waits for records (default FETCH_WAIT_MS): at least one fetch per this while connected. */
  fetchWaitMs?: number;
  /** Bytes a fetch waits for (up to fetchWaitMs) before it answers; default 1: at once. More = fewer, larger fetches. */
  fetchMinBytes?: number;
}

const FETCH_WAIT_MS = 1000;
const RESTART_DELAY_MS = 3000;

export function tailTopics(opts: TailOptions): Tail {
  const { log, what } = opts;
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogger(log),
    connectionTimeout: 3000,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  let stopped = false;
  let lastFetchAt = 0;
  let consumer: Consumer | undefined;
  let restartTimer: NodeJS.Timeout | undefined;

  const start = async () => {
    if (stopped) return;
    const groupId = `${opts.clientId}-${os.hostname()}-${randomUUID().slice(0, 8)}`;
    const c = kafka.consumer({
      groupId,
      maxWaitTimeInMs: opts.fetchWaitMs ?? FETCH_WAIT_MS,
      minBytes: opts.fetchMinBytes ?? 1,
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3000 },
    });
    consumer = c;
    c.on(c.events.FETCH, () => {
      lastFetchAt = Date.now();
    });
    c.on(c.events.CRASH, ({ payload }) => {
      log.warn({ err: payload.error.message, restart: payload.restart }, `${what} consumer crashed`);
      if (!payload.restart) restartLater(c);
    });
    try {
      await c.connect();
      await c.subscribe({ topics: opts.topics, fromBeginning: false });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => opts.onBatch(batch),
      });
    } catch (err) {
      log.warn({ err: (err as Error).message }, `${what} consumer could not start; retrying`);
      restartLater(c);
    }
  };
  const restartLater = (c: Consumer) => {
    if (stopped || restartTimer) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void c
        .disconnect()
        .catch(() => undefined)
        .then(start);
    }, RESTART_DELAY_MS);
  };
  void start();

  return {
    get lastFetchAt() {
      return lastFetchAt;
    },
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await consumer?.disconnect().catch(() => undefined);
    },
  };
}
