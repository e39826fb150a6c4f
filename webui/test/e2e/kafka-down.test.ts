import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { TOPICS } from "@food-ordering/contracts";
import { createKafka, ensureTopics } from "@food-ordering/testkit";
import { freePort } from "@food-ordering/testkit";
import { ManagedProcess, httpOk } from "@food-ordering/testkit";
import { KAFKA_DOWN_MESSAGE } from "../../server/routes.ts";

/**
 * A fault test with its own Kafka broker and its own web UI process (the shared stack's broker
 * must stay up for the other tests): while the broker is stopped, placing an order answers 503
 * with a clear message and the process keeps serving; once it is back, orders go through again,
 * and the topic holds exactly the orders that were answered 201.
 */
const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const stack = inject("stack");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webui-kafka-down-"));
let kafka: ManagedProcess;
let webui: ManagedProcess;
let base: string;
let broker: string;

const order = { region: "amsterdam", restaurantId: "ams-sushi", items: [{ productId: "ams-su-3", quantity: 1 }] };
const place = () =>
  fetch(`${base}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(order),
  });

beforeAll(async () => {
  const [kafkaPort, controllerPort, webuiPort] = [await freePort(), await freePort(), await freePort()];
  broker = `127.0.0.1:${kafkaPort}`;
  kafka = await createKafka({
    dataDir: dir,
    cacheDir: path.join(REPO_ROOT, ".cache"),
    logDir: path.join(dir, "logs"),
    port: kafkaPort,
    controllerPort,
    heapMb: 256,
  });
  await kafka.start();
  await ensureTopics([broker], [{ topic: TOPICS.orders, partitions: 1 }]);
  base = `http://127.0.0.1:${webuiPort}`;
  webui = new ManagedProcess({
    name: "webui-kafka-down",
    command: process.execPath,
    args: [path.join(REPO_ROOT, "webui/server/main.ts")],
    cwd: REPO_ROOT,
    env: {
      PORT: String(webuiPort),
      KAFKA_BROKERS: broker,
      RESTATE_INGRESS_URL: stack.ingressUrl,
      REGIONS: "amsterdam",
      METRICS_PORT: "0",
      BIND_HOST: "127.0.0.1",
      STATIC_DIR: path.join(REPO_ROOT, "webui/dist"),
    },
    logDir: path.join(dir, "logs"),
    ready: () => httpOk(`${base}/healthz`),
    ports: [webuiPort],
  });
  await webui.start();
}, 180_000);

afterAll(async () => {
  await webui?.stop();
  await kafka?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function idsOnTopic(): Promise<string[]> {
  const client = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(TOPICS.orders);
  await admin.disconnect();
  const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const consumer = client.consumer({ groupId: `check-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.orders, fromBeginning: true });
  const ids: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${ids.length} of ${total} records`)), 30_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        ids.push(message.key!.toString());
        if (ids.length === total) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return ids;
}

describe("placing orders while Kafka is down", () => {
  it("answers 503 with a clear message, keeps serving, and recovers without half-written orders", async () => {
    const accepted: string[] = [];
    const first = await place();
    expect(first.status).toBe(201);
    accepted.push(((await first.json()) as { id: string }).id);

    await kafka.stop();
    const t = Date.now();
    const down = await place();
    const waited = Date.now() - t;
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: KAFKA_DOWN_MESSAGE });
    expect(waited, "the outage is reported within a bounded time").toBeLessThan(30_000);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/api/catalog`)).status).toBe(200);
    expect(webui.running).toBe(true);

    await kafka.start();
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await place();
      if (res.status === 201) {
        accepted.push(((await res.json()) as { id: string }).id);
        break;
      }
      expect(res.status).toBe(503);
      expect(Date.now(), "orders go through again once Kafka is back").toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect((await idsOnTopic()).sort()).toEqual(accepted.sort());
  });
});
