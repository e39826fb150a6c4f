import { Kafka, Partitioners, logLevel, type Producer, type LogEntry } from "kafkajs";
import type { Logger } from "pino";
import { Counter, Histogram, DURATION_BUCKETS, METRIC_PREFIX, type Registry } from "./metrics.ts";

/** kafkajs logs routed into the process's pino logger. */
function kafkaLogger(log: Logger) {
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

export interface Publisher {
  /** Publishes JSON values keyed by `key`; resolves once the broker acknowledged them. */
  publish(topic: string, messages: Array<{ key: string; value: unknown }>): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * A kafkajs producer with the platform's defaults: idempotent, acks from all in-sync replicas,
 * and publish latency/error metrics by topic. Retries are bounded so a broker outage surfaces
 * to the caller (which decides to retry, answer 503, or drop) instead of hanging.
 */
export async function createPublisher(opts: { brokers: string[]; clientId: string; log: Logger; registry: Registry; connectTimeoutMs?: number }): Promise<Publisher> {
  const kafka = new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogger(opts.log),
    connectionTimeout: opts.connectTimeoutMs ?? 3000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const latency = new Histogram({ name: `${METRIC_PREFIX}kafka_publish_duration_seconds`, help: "Time until Kafka acknowledged a publish, by topic.", labelNames: ["topic"], buckets: DURATION_BUCKETS, registers: [opts.registry] });
  const errors = new Counter({ name: `${METRIC_PREFIX}kafka_publish_errors_total`, help: "Publishes that failed, by topic.", labelNames: ["topic"], registers: [opts.registry] });
  const published = new Counter({ name: `${METRIC_PREFIX}kafka_messages_published_total`, help: "Messages acknowledged by Kafka, by topic.", labelNames: ["topic"], registers: [opts.registry] });
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  let connected: Promise<void> | undefined;
  const ensureConnected = () => (connected ??= producer.connect().catch((e) => {
    connected = undefined;
    throw e;
  }));
  return {
    async publish(topic, messages) {
      const end = latency.startTimer({ topic });
      try {
        await ensureConnected();
        await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })) });
        end();
        published.inc({ topic }, messages.length);
      } catch (e) {
        errors.inc({ topic });
        throw e;
      }
    },
    disconnect: () => producer.disconnect(),
  };
}
