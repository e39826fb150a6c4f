import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { TOPICS } from "@food-ordering/contracts";
import { createKafka, ensureTopics } from "@food-ordering/testkit";
import { freePort } from "@food-ordering/testkit";
import { type ManagedProcess, webuiProcess } from "@food-ordering/testkit";
import { KAFKA_DOWN_MESSAGE } from "../../server/routes.ts";
import { DELAYED_MESSAGE } from "../../server/sse.ts";
import { followEventStream, metricAt, placeShopOrder } from "@food-ordering/testkit";

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
let metricsUrl: string;

const order = { region: "amsterdam", restaurantId: "ams-sushi", items: [{ productId: "ams-su-3", quantity: 1 }] };
const place = () =>
  fetch(`${base}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(order),
  });

beforeAll(async () => {
  const [kafkaPort, controllerPort, webuiPort, metricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
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
  await ensureTopics(
    [broker],
    [TOPICS.orders, TOPICS.orderUpdates, TOPICS.driverUpdates].map((topic) => ({ topic, partitions: 1 })),
  );
  base = `http://127.0.0.1:${webuiPort}`;
  webui = webuiProcess({
    name: "webui-kafka-down",
    port: webuiPort,
    metricsPort,
    logDir: path.join(dir, "logs"),
    env: {
      KAFKA_BROKERS: broker,
      RESTATE_INGRESS_URL: stack.ingressUrl,
      REGIONS: "amsterdam",
      ORDER_POLL_INTERVAL: "500ms",
    },
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

  it("a live stream says when order updates stop, reads Restate meanwhile, and pushes again once Kafka is back", async () => {
    const live = () => metricAt(metricsUrl, "food_ordering_webui_live_updates_up");
    await expect.poll(live, { timeout: 60_000 }).toBe(1);
    // An order of the shared stack (its Kafka, its Restate), scheduled for later so it waits.
    const shop = stack.webuiUrl!;
    const { id, cancelCapability } = await placeShopOrder(shop, {
      ...order,
      deliverAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await expect
      .poll(async () => ((await (await fetch(`${shop}/api/orders/${id}`)).json()) as { status?: string }).status, {
        timeout: 30_000,
      })
      .toBe("SCHEDULED");

    // This web UI's updates come from its own broker: stopping it stops them.
    const stream = followEventStream(`${base}/api/orders/${id}/events`);
    await expect.poll(() => stream.events.map(([e]) => e)).toEqual(["order"]);
    await kafka.stop();
    await expect.poll(() => stream.events.at(-1), { timeout: 30_000 }).toEqual(["problem", { error: DELAYED_MESSAGE }]);
    expect(webui.running).toBe(true);
    // Meanwhile the stream reads Restate itself: the cancel shows, and the stream ends with it.
    const cancelled = await fetch(`${shop}/api/orders/${id}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ capability: cancelCapability }),
    });
    expect(cancelled.status).toBe(200);
    await stream.done;
    expect(stream.events.slice(-2)).toEqual([
      ["order", expect.objectContaining({ id, status: "CANCELLED" })],
      ["end", { reason: "CANCELLED" }],
    ]);

    // Back: the consumer fetches again, and a new stream has nothing to complain about.
    await kafka.start();
    await expect.poll(live, { timeout: 90_000, interval: 1000 }).toBe(1);
    const again = followEventStream(`${base}/api/orders/${id}/events`);
    await again.done;
    expect(again.events.map(([e]) => e)).toEqual(["order", "end"]);
  });
});
