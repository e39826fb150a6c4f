import { createRequire } from "node:module";
import { afterAll, describe, expect, inject, it } from "vitest";
import { Kafka, logLevel } from "kafkajs";
import pino from "pino";
import { METRIC_PREFIX, createPublisher, createRegistry, type Registry } from "../../src/index.ts";
import { uniqueId } from "@food-ordering/testkit";

const stack = inject("stack");
const kafka = new Kafka({ brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
afterAll(() => admin.disconnect());

async function freshTopic(): Promise<string> {
  const topic = uniqueId("publisher-test");
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] });
  return topic;
}

/** Every message on the topic, read from the start until `count` arrived. */
async function readAll(topic: string, count: number): Promise<Array<{ key: string; value: unknown }>> {
  const consumer = kafka.consumer({ groupId: uniqueId("publisher-test-reader") });
  const got: Array<{ key: string; value: unknown }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) });
        if (got.length >= count) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, 30_000))]);
  await consumer.disconnect();
  return got;
}

/** The publisher's own count of produce requests (one latency observation per send). */
async function sends(registry: Registry, topic: string): Promise<number> {
  const m = (await registry.getSingleMetric(`${METRIC_PREFIX}kafka_publish_duration_seconds`)!.get()).values.find(
    (v) => (v as { metricName?: string }).metricName?.endsWith("_count") && v.labels.topic === topic,
  );
  return m?.value ?? 0;
}

describe("Kafka publisher on a real broker", () => {
  it("with a linger, merges concurrent publishes into one request and acknowledges each, losing and reordering nothing", async () => {
    const topic = await freshTopic();
    const registry = createRegistry("publisher-test");
    const publisher = await createPublisher({
      brokers: stack.kafkaBrokers,
      clientId: "linger-test",
      log: pino({ level: "silent" }),
      registry,
      lingerMs: 50,
    });
    const messages = Array.from({ length: 60 }, (_, i) => ({ key: `driver-${i % 3}`, value: { n: i } }));
    await Promise.all(messages.map((m) => publisher.publish(topic, [m])));
    expect(await sends(registry, topic)).toBe(1);
    await publisher.disconnect();

    const got = await readAll(topic, messages.length);
    expect(got).toHaveLength(messages.length);
    // Per key (= per partition) the order is the publish order.
    for (const key of ["driver-0", "driver-1", "driver-2"]) {
      expect(got.filter((m) => m.key === key).map((m) => (m.value as { n: number }).n)).toEqual(
        messages.filter((m) => m.key === key).map((m) => m.value.n),
      );
    }
  });

  it("without a linger, sends each publish on its own; disconnect sends what a linger still held", async () => {
    const topic = await freshTopic();
    const registry = createRegistry("publisher-test");
    const direct = await createPublisher({
      brokers: stack.kafkaBrokers,
      clientId: "direct-test",
      log: pino({ level: "silent" }),
      registry,
    });
    for (let i = 0; i < 3; i++) await direct.publish(topic, [{ key: "k", value: { n: i } }]);
    expect(await sends(registry, topic)).toBe(3);
    await direct.disconnect();

    const lingering = await createPublisher({
      brokers: stack.kafkaBrokers,
      clientId: "held-test",
      log: pino({ level: "silent" }),
      registry: createRegistry("publisher-test"),
      lingerMs: 60_000,
    });
    const held = lingering.publish(topic, [{ key: "k", value: { n: 3 } }]);
    await lingering.disconnect();
    await held;
    expect((await readAll(topic, 4)).map((m) => (m.value as { n: number }).n)).toEqual([0, 1, 2, 3]);
  });

  it("sends an urgent publish at once, with what the linger held before it, in publish order", async () => {
    const topic = await freshTopic();
    const registry = createRegistry("publisher-test");
    const publisher = await createPublisher({
      brokers: stack.kafkaBrokers,
      clientId: "urgent-test",
      log: pino({ level: "silent" }),
      registry,
      lingerMs: 60_000,
    });
    const held = publisher.publish(topic, [{ key: "k", value: { n: 0 } }]);
    // Both settle long before the 60 s linger would have sent them.
    await Promise.all([held, publisher.publish(topic, [{ key: "k", value: { n: 1 } }], { urgent: true })]);
    expect(await sends(registry, topic)).toBe(1);
    expect((await readAll(topic, 2)).map((m) => (m.value as { n: number }).n)).toEqual([0, 1]);
    await publisher.disconnect();
  });

  it("rejects a value that cannot be encoded at once, without holding up the batch", async () => {
    const topic = await freshTopic();
    const publisher = await createPublisher({
      brokers: stack.kafkaBrokers,
      clientId: "bad-value-test",
      log: pino({ level: "silent" }),
      registry: createRegistry("publisher-test"),
      lingerMs: 20,
    });
    const bad = publisher.publish(topic, [{ key: "k", value: { n: 1n } }]);
    const good = publisher.publish(topic, [{ key: "k", value: { n: 2 } }]);
    await expect(bad).rejects.toThrow(/BigInt/);
    await good;
    await publisher.disconnect();
    expect((await readAll(topic, 1)).map((m) => m.value)).toEqual([{ n: 2 }]);
  });

  it("publishes what encodeValue makes of each value's JSON (how producers sign order events), lingering or not", async () => {
    const topic = await freshTopic();
    // Appends a member naming the topic and key, as the order signature is appended.
    const encodeValue = (t: string, key: string, json: string) => `${json.slice(0, -1)},"by":"${t}/${key}"}`;
    for (const lingerMs of [0, 20]) {
      const publisher = await createPublisher({
        brokers: stack.kafkaBrokers,
        clientId: "encode-test",
        log: pino({ level: "silent" }),
        registry: createRegistry("publisher-test"),
        lingerMs,
        encodeValue,
      });
      await publisher.publish(topic, [{ key: `k${lingerMs}`, value: { lingerMs } }]);
      await publisher.disconnect();
    }
    const got = (await readAll(topic, 2)).sort((a, b) => a.key.localeCompare(b.key));
    expect(got).toEqual([
      { key: "k0", value: { lingerMs: 0, by: `${topic}/k0` } },
      { key: "k20", value: { lingerMs: 20, by: `${topic}/k20` } },
    ]);
  });

  it("leaves an idle connection quiet (no 1 ms request-queue timer loop, kafkajs#1556)", async () => {
    const topic = await freshTopic();
    const publisher = await createPublisher({
      brokers: stack.kafkaBrokers,
      clientId: "idle-test",
      log: pino({ level: "silent" }),
      registry: createRegistry("publisher-test"),
    });
    await publisher.publish(topic, [{ key: "k", value: { n: 1 } }]);
    // Count how often the request queues look for pending work while nothing is sent.
    const queue = createRequire(import.meta.url)("kafkajs/src/network/requestQueue/index.js") as {
      prototype: { checkPendingRequests(): void };
    };
    const original = queue.prototype.checkPendingRequests;
    let checks = 0;
    queue.prototype.checkPendingRequests = function (this: unknown) {
      checks++;
      return original.call(this);
    };
    try {
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      queue.prototype.checkPendingRequests = original;
      await publisher.disconnect();
    }
    // Unpatched, each connection checks every ~1 ms: hundreds in 500 ms.
    expect(checks).toBeLessThan(5);
  });
});
