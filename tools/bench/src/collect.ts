import fs from "node:fs";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { TOPICS, type OrderStatusView } from "@food-ordering/contracts";
import { stateOf } from "@food-ordering/inspect";
import type { Stack } from "@food-ordering/stack";
import type { OrderFacts } from "./latency.ts";

/**
 * Everything the latency figures need, read once after the load: every order's status view
 * from Restate's state, the provider's publish time of each order from the `orders` topic
 * (order-status does not keep it), and each order's simulated preparation time from the
 * restaurant simulator's log.
 */
export async function collectOrders(stack: Stack): Promise<OrderStatusView[]> {
  return [...(await stateOf<OrderStatusView>(stack.info.adminUrl, "order-status", "order")).values()];
}

/** publishedAt of every order event in the `orders` topic, read from the beginning to the current end. */
export async function publishTimes(brokers: string[], timeoutMs = 90_000): Promise<Map<string, number>> {
  const kafka = new Kafka({ clientId: "bench", brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(TOPICS.orders)).map((p) => [
      p.partition,
      { low: Number(p.low), high: Number(p.high) },
    ]),
  );
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, o]) => o.high > o.low).map(([p]) => p));
  const times = new Map<string, number>();
  if (pending.size === 0) return times;
  const consumer = kafka.consumer({ groupId: `bench-${process.pid}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPICS.orders, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading the orders topic took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              try {
                const e = JSON.parse(m.value?.toString() ?? "") as { id?: unknown; publishedAt?: unknown };
                if (typeof e.id === "string" && typeof e.publishedAt === "number") times.set(e.id, e.publishedAt);
              } catch {
                // Not an order event (e.g. a malformed one from a test): it has no publish time to report.
              }
            }
            const last = Number(batch.lastOffset());
            if (last >= ends.get(batch.partition)!.high - 1) pending.delete(batch.partition);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return times;
}

/** orderId -> simulated preparation ms, from the restaurant simulator's "order ready" log lines. */
export function prepTimes(logDir: string): Map<string, number> {
  const file = path.join(logDir, "restaurant.log");
  const out = new Map<string, number>();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.includes('"order ready"')) continue;
    try {
      const e = JSON.parse(line) as { orderId?: string; ms?: number };
      if (e.orderId && typeof e.ms === "number") out.set(e.orderId, e.ms);
    } catch {
      // A line cut by a restart: skip it.
    }
  }
  return out;
}

export function orderFacts(published: Map<string, number>, prep: Map<string, number>): Map<string, OrderFacts> {
  const facts = new Map<string, OrderFacts>();
  for (const [id, publishedAt] of published) facts.set(id, { publishedAt });
  for (const [id, prepMs] of prep) facts.set(id, { ...facts.get(id), prepMs });
  return facts;
}
