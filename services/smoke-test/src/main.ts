import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { findRegion, signingOrderEvents, TOPICS, type OrderEvent } from "@food-ordering/contracts";
import { publishTraced, startTracing, type OutgoingMessage } from "@food-ordering/kit";
import { smokeConfig } from "./config.ts";

/**
 * End-to-end smoke check (the chart's `helm test` pod): publish one order event to Kafka, then
 * poll its status through the Restate ingress until it is DELIVERED. Exit 0 on success, 1 with
 * the reason otherwise. With tracing on, its publish starts the order's trace, as a provider's.
 */
const cfg = smokeConfig.parse();
const tracing = await startTracing(cfg, "smoke-test");
const region = findRegion(cfg.SMOKE_REGION);
const restaurant = region?.restaurants[0];
const product = restaurant?.menu[0];
if (!restaurant || !product) throw new Error(`region ${cfg.SMOKE_REGION} has no restaurant with a menu in the catalog`);

const id = `smoke-${randomUUID()}`;
const order: OrderEvent = {
  id,
  restaurantId: restaurant.id,
  region: cfg.SMOKE_REGION,
  products: [{ productId: product.productId, quantity: 1 }],
  totalCost: product.price,
  deliveryDelay: 0,
  source: "helm-test",
};

const say = (msg: string) => console.log(`[smoke] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function publish(): Promise<void> {
  const producer = new Kafka({
    clientId: "smoke",
    brokers: cfg.KAFKA_BROKERS,
    logLevel: logLevel.ERROR,
    retry: { retries: 8 },
  }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // Signed by the encoder the platform's producers use (the endpoint drops an unsigned order).
  const encode = signingOrderEvents(cfg.ORDER_SIGNING_KEY, say);
  const publisher = {
    publish: async (topic: string, messages: OutgoingMessage[]) => {
      const encoded = messages.map((m) => ({ ...m, value: encode(topic, m.key, JSON.stringify(m.value)) }));
      await producer.send({ topic, messages: encoded });
    },
  };
  try {
    const attributes = { "order.id": id, "order.region": order.region };
    await publishTraced(tracing, publisher, TOPICS.orders, [
      { key: id, value: order, attributes, contextInValue: true },
    ]);
  } finally {
    await producer.disconnect();
  }
}

async function waitForDelivered(): Promise<string> {
  const deadline = Date.now() + cfg.SMOKE_TIMEOUT_MS;
  let last = "(no answer yet)";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${cfg.RESTATE_INGRESS_URL}/order-status/${encodeURIComponent(id)}/get`, {
        method: "POST",
        signal: AbortSignal.timeout(5000),
      });
      if (res.ok) {
        const body = (await res.json()) as { status?: string; eta?: unknown; traceId?: string };
        if (body.status !== last) say(`status ${body.status}${body.eta ? ` (eta ${JSON.stringify(body.eta)})` : ""}`);
        last = body.status ?? last;
        if (body.status === "DELIVERED") return body.traceId ? `DELIVERED (trace ${body.traceId})` : "DELIVERED";
        if (body.status === "REJECTED" || body.status === "CANCELLED")
          throw new Error(`order ${id} ended ${body.status}: ${JSON.stringify(body)}`);
      } else {
        last = `HTTP ${res.status} ${await res.text()}`;
      }
    } catch (e) {
      if (e instanceof Error && e.message.startsWith(`order ${id} ended`)) throw e;
      last = `unreachable: ${e instanceof Error ? e.message : String(e)}`;
    }
    await sleep(2000);
  }
  throw new Error(`order ${id} not DELIVERED within ${cfg.SMOKE_TIMEOUT_MS} ms; last status: ${last}`);
}

try {
  say(`publishing order ${id} (${restaurant.id}, region ${cfg.SMOKE_REGION}) to ${cfg.KAFKA_BROKERS.join(",")}`);
  await publish();
  say(`order ${id} ${await waitForDelivered()}`);
  await tracing.shutdown();
  process.exit(0);
} catch (e) {
  console.error(`[smoke] FAILED: ${e instanceof Error ? e.message : String(e)}`);
  await tracing.shutdown().catch(() => undefined);
  process.exit(1);
}
