import { randomUUID } from "node:crypto";
import { Kafka, Partitioners, logLevel, type Producer } from "kafkajs";
import {
  TOPICS,
  findRegion,
  findRestaurant,
  isTerminal,
  priceOf,
  signOrderEvent,
  type OrderEvent,
  type OrderStatusView,
  type OrderStatus,
  type Location,
} from "@food-ordering/contracts";
import { sumMetric, type StackInfo } from "@food-ordering/stack";

/** Test helpers over a running stack: publish raw or typed order events, read and await statuses. */

let producer: Producer | undefined;
async function getProducer(brokers: string[]): Promise<Producer> {
  if (!producer) {
    producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  }
  return producer;
}
export async function closeProducer() {
  await producer?.disconnect();
  producer = undefined;
}

export const uniqueId = (prefix = "t") => `${prefix}-${randomUUID().slice(0, 8)}`;

export function makeOrder(overrides: Partial<OrderEvent> = {}): OrderEvent {
  const products = overrides.products ?? [{ productId: "ams-pz-1", quantity: 2 }];
  const region = overrides.region ?? "amsterdam";
  const restaurantId = overrides.restaurantId ?? "ams-pizzeria";
  return {
    id: uniqueId("order"),
    restaurantId,
    region,
    products,
    totalCost: priceOf(region, restaurantId, products),
    deliveryDelay: 0,
    customerLocation: { x: 5, y: 5 },
    ...overrides,
  };
}

/**
 * Publishes raw values (strings/buffers) to a topic, key as given (null = no key). Order events
 * are signed as the platform's producers sign them, when they can carry a signature (a JSON
 * object); `unsigned` publishes them as given.
 */
export async function publishRaw(
  stack: StackInfo,
  topic: string,
  messages: Array<{ key: string | null; value: string | Buffer; partition?: number; headers?: Record<string, string> }>,
  { unsigned = false }: { unsigned?: boolean } = {},
) {
  const p = await getProducer(stack.kafkaBrokers);
  const sign = topic === TOPICS.orders && !unsigned;
  await p.send({
    topic,
    acks: -1,
    messages: sign ? messages.map((m) => ({ ...m, value: signedIfObject(stack, m.key ?? "", m.value) })) : messages,
  });
}

/** The value signed for `key` with the stack's order signing key, or as it is when it is not a JSON object. */
export function signedIfObject<T extends string | Buffer>(stack: StackInfo, key: string, value: T): T {
  try {
    return signOrderEvent(stack.credentials.orderSigningKey, key, value);
  } catch {
    return value; // "{not json", arrays, empty values: nothing a producer could sign
  }
}

export async function publishOrder(stack: StackInfo, order: OrderEvent | Record<string, unknown>, key?: string) {
  await publishRaw(stack, TOPICS.orders, [{ key: key ?? String(order.id), value: JSON.stringify(order) }]);
}

/**
 * A counter of the endpoint's /metrics: the sum of its series that carry `labels` (0 while no
 * such series exists yet: prom-client shows a labelled series from its first increment).
 */
export async function endpointCounter(
  stack: StackInfo,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return processMetric(stack, "endpoint", name, labels);
}

/** A metric of one of the stack's Node processes (endpoint, webui, ...): the sum of its series that carry `labels`. */
export async function processMetric(
  stack: StackInfo,
  process: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return metricAt(stack.metrics[process]!, name, labels);
}

/** A metric served at `url` (Prometheus text): the sum of its series that carry `labels`. */
export async function metricAt(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sumMetric(await (await fetch(url)).text(), name, labels);
}

/** A string as an SQL literal. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The rows of a query of Restate's SQL introspection (sys_invocation, state, ...). */
export async function restateSql<Row>(stack: StackInfo, query: string): Promise<Row[]> {
  const res = await fetch(`${stack.adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
  });
  if (!res.ok) throw new Error(`Restate's SQL answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { rows: Row[] }).rows;
}

/** Invocations Restate has of one service key (completed ones are kept for the journal retention), by handler. */
export async function invocationsByHandler(
  stack: StackInfo,
  service: string,
  key: string,
): Promise<Record<string, number>> {
  const rows = await restateSql<{ handler: string; n: number }>(
    stack,
    "SELECT target_handler_name AS handler, count(*) AS n FROM sys_invocation " +
      `WHERE target_service_name = ${sqlString(service)} AND target_service_key = ${sqlString(key)} ` +
      "GROUP BY target_handler_name",
  );
  return Object.fromEntries(rows.map((r) => [r.handler, Number(r.n)]));
}

export async function getStatus(stack: StackInfo, id: string): Promise<OrderStatusView> {
  const res = await fetch(`${stack.ingressUrl}/order-status/${encodeURIComponent(id)}/get`, { method: "POST" });
  if (!res.ok) throw new Error(`order-status/${id}/get answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as OrderStatusView;
}

/** Polls the order's status until `until` holds; returns every distinct view seen on the way. */
export async function waitForOrder(
  stack: StackInfo,
  id: string,
  until: (v: OrderStatusView) => boolean = (v) => isTerminal(v.status),
  timeoutMs = 60_000,
): Promise<{ final: OrderStatusView; seen: OrderStatusView[] }> {
  const seen: OrderStatusView[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await getStatus(stack, id);
    if (JSON.stringify(v) !== JSON.stringify(seen.at(-1))) seen.push(v);
    if (until(v)) return { final: v, seen };
    if (Date.now() > deadline)
      throw new Error(`order ${id} still ${v.status} after ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The statuses of an order delivered without a hitch, in order. Written out here rather than
 * taken from the code under test, so that a test comparing against it can fail.
 */
export const DELIVERED_TIMELINE: readonly OrderStatus[] = [
  "CREATED",
  "SCHEDULED",
  "IN_PREPARATION",
  "SCHEDULING_DELIVERY",
  "WAITING_FOR_DRIVER",
  "IN_DELIVERY",
  "DELIVERED",
];

export const statusesOf = (v: OrderStatusView): OrderStatus[] => v.timeline.map((t) => t.status);

export interface LedgerEntry {
  kind: "charge" | "refund";
  orderId: string;
  status?: string;
  amount?: number;
}
export async function ledger(stack: StackInfo, orderId: string): Promise<LedgerEntry[]> {
  const res = await fetch(`${stack.paymentUrl}/ledger?orderId=${encodeURIComponent(orderId)}`);
  return (await res.json()) as LedgerEntry[];
}

/**
 * The corner of a built-in region's map farthest from a restaurant: as a customer location it
 * makes a trip of several location ticks even at the tests' time scale, so the driver is seen
 * moving (a customer near the restaurant can be reached in one or two ticks).
 */
export function farCustomerLocation(regionId: string, restaurantId: string): Location {
  const region = findRegion(regionId);
  const from = findRestaurant(regionId, restaurantId)?.location;
  if (!region || !from) throw new Error(`no restaurant ${restaurantId} in the built-in region ${regionId}`);
  const far = (v: number) => (v < region.sizeKm / 2 ? region.sizeKm : 0);
  return { x: far(from.x), y: far(from.y) };
}

/**
 * Places an order through a web UI's API (default: one pizza in amsterdam; `body` overrides
 * fields) and answers what the shop answered: the order id and its cancel capability.
 */
export async function placeShopOrder(
  webuiUrl: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; cancelCapability: string }> {
  const res = await fetch(`${webuiUrl}/api/orders`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      region: "amsterdam",
      restaurantId: "ams-pizzeria",
      items: [{ productId: "ams-pz-1", quantity: 1 }],
      ...body,
    }),
  });
  if (res.status !== 201) throw new Error(`the shop answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; cancelCapability: string };
}
