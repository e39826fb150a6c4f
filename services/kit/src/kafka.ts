import { Kafka, Partitioners, logLevel, type Producer, type LogEntry } from "kafkajs";
import type { Logger } from "pino";
import { Counter, Histogram, DURATION_BUCKETS, METRIC_PREFIX, type Registry } from "./metrics.ts";
import { applyKafkajsIdleFix } from "./kafkajs-idle-fix.ts";

// Before any connection exists: kafkajs would otherwise spin a 1 ms timer per broker connection.
applyKafkajsIdleFix();

/** kafkajs logs routed into the process's pino logger. */
export function kafkaLogger(log: Logger) {
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      // Bounded retries are deliberate (callers own the retry policy); kafkajs warns about it.
      if (message.startsWith("Limiting retries for the idempotent producer")) return;
      if (level <= logLevel.ERROR) log.error(rest, `kafka: ${message}`);
      else if (level === logLevel.WARN) log.warn(rest, `kafka: ${message}`);
      else log.debug(rest, `kafka: ${message}`);
    };
}

/** A record to publish: JSON value, key, and headers (trace context, signatures) as strings. */
export interface OutgoingMessage {
  key: string;
  value: unknown;
  headers?: Record<string, string>;
}

export interface Publisher {
  /**
   * Publishes JSON values keyed by `key`; resolves once the broker acknowledged them. `urgent`
   * sends the lingering batch (this publish included) at once, for a message a caller waits on.
   */
  publish(topic: string, messages: OutgoingMessage[], opts?: { urgent?: boolean }): Promise<void>;
  disconnect(): Promise<void>;
}

type EncodedMessage = { key: string; value: string; headers?: Record<string, string> };

/** Most messages one linger batch holds before it is sent at once. */
const MAX_BATCH = 500;

/**
 * A kafkajs producer with the platform's defaults: idempotent, acks from all in-sync replicas,
 * and publish latency/error metrics by topic. Retries are bounded so a broker outage surfaces
 * to the caller (which decides to retry, answer 503, or drop) instead of hanging.
 *
 * `lingerMs` > 0 works like Kafka's linger.ms: publishes within that time are merged into one
 * produce request (per topic), and each caller's promise settles with its batch. A simulator
 * of hundreds of drivers then costs the broker one request per tick instead of one per driver.
 */
export async function createPublisher(opts: {
  brokers: string[];
  clientId: string;
  log: Logger;
  registry: Registry;
  connectTimeoutMs?: number;
  lingerMs?: number;
  /** Turns a message's JSON into the record's value, e.g. signs order events; default: the JSON as is. */
  encodeValue?: (topic: string, key: string, json: string) => string;
}): Promise<Publisher> {
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogger(opts.log),
    connectionTimeout: opts.connectTimeoutMs ?? 3000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const latency = new Histogram({
    name: `${METRIC_PREFIX}kafka_publish_duration_seconds`,
    help: "Time until Kafka acknowledged a publish, by topic.",
    labelNames: ["topic"],
    buckets: DURATION_BUCKETS,
    registers: [opts.registry],
  });
  const errors = new Counter({
    name: `${METRIC_PREFIX}kafka_publish_errors_total`,
    help: "Publishes that failed, by topic.",
    labelNames: ["topic"],
    registers: [opts.registry],
  });
  const published = new Counter({
    name: `${METRIC_PREFIX}kafka_messages_published_total`,
    help: "Messages acknowledged by Kafka, by topic.",
    labelNames: ["topic"],
    registers: [opts.registry],
  });
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  let connected: Promise<void> | undefined;
  const ensureConnected = () =>
    (connected ??= producer.connect().catch((e) => {
      connected = undefined;
      throw e;
    }));

  const send = async (topic: string, messages: EncodedMessage[]) => {
    const end = latency.startTimer({ topic });
    try {
      await ensureConnected();
      await producer.send({ topic, acks: -1, messages });
      end();
      published.inc({ topic }, messages.length);
    } catch (e) {
      errors.inc({ topic });
      throw e;
    }
  };

  const encodeValue = opts.encodeValue ?? ((_topic: string, _key: string, json: string) => json);
  const encode = (topic: string, messages: OutgoingMessage[]): EncodedMessage[] =>
    messages.map((m) => ({
      key: m.key,
      value: encodeValue(topic, m.key, JSON.stringify(m.value)),
      ...(m.headers ? { headers: m.headers } : {}),
    }));
  const lingerMs = opts.lingerMs ?? 0;
  if (lingerMs <= 0)
    return {
      publish: (topic, messages) => send(topic, encode(topic, messages)),
      disconnect: () => producer.disconnect(),
    };

  interface Batch {
    messages: EncodedMessage[];
    waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>;
    timer: NodeJS.Timeout;
  }
  const open = new Map<string, Batch>();
  const flush = (topic: string): Promise<void> => {
    const batch = open.get(topic);
    if (!batch) return Promise.resolve();
    open.delete(topic);
    clearTimeout(batch.timer);
    return send(topic, batch.messages).then(
      () => batch.waiters.forEach((w) => w.resolve()),
      (e) => batch.waiters.forEach((w) => w.reject(e)),
    );
  };
  return {
    publish(topic, messages, { urgent = false } = {}) {
      return new Promise<void>((resolve, reject) => {
        const encoded = encode(topic, messages);
        let batch = open.get(topic);
        if (!batch) {
          batch = { messages: [], waiters: [], timer: setTimeout(() => void flush(topic), lingerMs) };
          open.set(topic, batch);
        }
        batch.messages.push(...encoded);
        batch.waiters.push({ resolve, reject });
        if (urgent || batch.messages.length >= MAX_BATCH) void flush(topic);
      });
    },
    async disconnect() {
      // What callers were promised is sent before the connection closes.
      await Promise.all([...open.keys()].map(flush));
      await producer.disconnect();
    },
  };
}
