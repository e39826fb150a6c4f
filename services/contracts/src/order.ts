import { z } from "zod";
import { Location } from "./geo.ts";
import { findRegion, type Region, type Restaurant } from "./catalog.ts";
import { SecretHash } from "./credentials.ts";

/** Statuses an order moves through. NEW is what `get` answers for an order it never saw. */
export const ORDER_STATUSES = [
  "NEW",
  "CREATED",
  "SCHEDULED",
  "IN_PREPARATION",
  "SCHEDULING_DELIVERY",
  "WAITING_FOR_DRIVER",
  "IN_DELIVERY",
  "DELIVERED",
  "REJECTED",
  "CANCELLED",
] as const;
export const OrderStatus = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatus>;
export const TERMINAL_STATUSES: readonly OrderStatus[] = ["DELIVERED", "REJECTED", "CANCELLED"];
export const isTerminal = (s: OrderStatus): boolean => TERMINAL_STATUSES.includes(s);

/** Largest order event accepted, in bytes of its raw Kafka value. */
export const MAX_ORDER_EVENT_BYTES = 64 * 1024;
/** Longest accepted delivery delay: one week. */
export const MAX_DELIVERY_DELAY_MS = 7 * 24 * 3600 * 1000;

export const ORDER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** A W3C traceparent of version 00, with a trace id and a span id that are not all zeros. */
const Traceparent = z
  .string()
  .regex(
    /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/,
    "must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)",
  );
export const OrderId = z.string().regex(ORDER_ID_PATTERN, "must be 1-128 characters of A-Z a-z 0-9 . _ : -");

export const OrderLine = z.strictObject({
  productId: z.string().min(1).max(64),
  quantity: z.number().int().positive().max(100),
});
export type OrderLine = z.infer<typeof OrderLine>;

/** The order event on the `orders` topic (key = id), published by providers and the web UI. */
export const OrderEvent = z.strictObject({
  id: OrderId,
  restaurantId: z.string().min(1).max(64),
  region: z.string().min(1).max(64),
  products: z.array(OrderLine).min(1, "an order needs at least one product").max(50),
  /** Total in cents. */
  totalCost: z.number().int().positive(),
  /** Milliseconds from now until the customer wants the food; 0 = as soon as possible. */
  deliveryDelay: z.number().int().min(0).max(MAX_DELIVERY_DELAY_MS),
  /** Where to deliver; defaults to a point derived from the order id. */
  customerLocation: Location.optional(),
  /** Payment method token; `tok_chargeDeclined` is declined by the payment stub. */
  paymentToken: z.string().min(1).max(64).optional(),
  /** Which provider sent the order (web UI, a simulator, a partner). */
  source: z.string().min(1).max(64).optional(),
  /** Epoch ms when the provider published the event, for latency measurement. */
  publishedAt: z.number().int().positive().optional(),
  /**
   * SHA-256 (hex) of the cancel capability the provider handed the customer with the order id:
   * whoever shows the capability may cancel. Without it the order cannot be cancelled.
   */
  cancelCapabilityHash: SecretHash.optional(),
  /**
   * The publish span's trace context, which the order's trace continues. In the value, beside the
   * record's `traceparent` header, because restate-server 1.7 hands a subscription's handler the
   * record's key and value but neither its headers nor a trace that continues them.
   */
  traceparent: Traceparent.optional(),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

/** One line of an accepted order, priced from the catalog as it was when the order was accepted. */
export interface PricedLine extends OrderLine {
  name: string;
  /** Unit price in cents. */
  price: number;
}

/**
 * An order event that passed validation, with its customer location resolved and what it was
 * accepted with from the catalog (the restaurant's location, the priced lines): the order keeps
 * them, so a later menu change or a retired region does not change an order in flight.
 * (Optional only for orders accepted before the catalog was data.)
 */
export type ValidOrder = OrderEvent & {
  customerLocation: Location;
  restaurantLocation?: Location;
  pricedLines?: PricedLine[];
};

/** Finds a region of the catalog (the default data set, or the live catalog's answer). */
export type RegionLookup = (regionId: string) => Region | undefined;

/**
 * A failure carries what could still be read: the id, the cancel capability's hash (so the
 * customer can still ask) and the trace context (so the order's trace shows the rejection).
 */
export type ParseResult =
  | { ok: true; order: ValidOrder }
  | { ok: false; reason: string; id?: string; cancelCapabilityHash?: string; traceparent?: string };
type ParseFailure = Extract<ParseResult, { ok: false }>;

/** A schema's first issues in one line, each with its field path. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "event"}: ${i.message}`)
    .join("; ");
}

/** Deterministic customer location for orders that carry none, inside the region's map. */
export function defaultCustomerLocation(orderId: string, sizeKm: number): Location {
  let h = 2166136261;
  for (const c of orderId) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return { x: ((h & 0xffff) / 0xffff) * sizeKm, y: ((h >>> 16) / 0xffff) * sizeKm };
}

/**
 * Parses and validates a raw order event against the catalog (`lookup`; default: the built-in
 * data set). Every failure carries a specific reason, and the id when it could be read, so the
 * order's status can show why it was rejected.
 * `expectedId` is the Kafka record key: an event whose id disagrees with its key is rejected.
 */
export function parseOrderEvent(
  raw: Uint8Array | string,
  expectedId?: string,
  lookup: RegionLookup = findRegion,
): ParseResult {
  const read = readOrderEvent(raw, expectedId);
  return read.ok ? checkOrderInRegion(read.event, lookup(read.event.region)) : read;
}

/**
 * The first half of parseOrderEvent: the event's bytes and schema, without the catalog, so the
 * caller can fetch the event's region (order-status asks the durable catalog for it).
 */
export function readOrderEvent(
  raw: Uint8Array | string,
  expectedId?: string,
): { ok: true; event: OrderEvent } | ParseFailure {
  const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.byteLength;
  if (size === 0) return { ok: false, reason: "empty event" };
  if (size > MAX_ORDER_EVENT_BYTES) {
    return { ok: false, reason: `event too large: ${size} bytes (limit ${MAX_ORDER_EVENT_BYTES})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === "string" ? raw : new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch (e) {
    return { ok: false, reason: `not valid JSON: ${(e as Error).message}` };
  }
  const field = (name: string): unknown =>
    json && typeof json === "object" ? (json as Record<string, unknown>)[name] : undefined;
  const readableHash = SecretHash.safeParse(field("cancelCapabilityHash")).data;
  const readableTrace = Traceparent.safeParse(field("traceparent")).data;
  const fail = (reason: string, id?: string): ParseFailure => ({
    ok: false,
    reason,
    id,
    ...(readableHash ? { cancelCapabilityHash: readableHash } : {}),
    ...(readableTrace ? { traceparent: readableTrace } : {}),
  });
  const parsed = OrderEvent.safeParse(json);
  if (!parsed.success) {
    const readableId = typeof field("id") === "string" ? (field("id") as string) : undefined;
    return fail(`invalid order: ${describeIssues(parsed.error)}`, readableId);
  }
  const order = parsed.data;
  if (expectedId !== undefined && order.id !== expectedId)
    return fail(`order id "${order.id}" does not match the event key "${expectedId}"`, expectedId);
  return { ok: true, event: order };
}

/**
 * The trace context an order event's value carries, if it is a JSON object with a valid
 * `traceparent` (signed or not, valid order or not): for code that has only the raw value.
 */
export function orderEventTraceparent(raw: Uint8Array | string): string | undefined {
  const size = typeof raw === "string" ? raw.length : raw.byteLength;
  if (size === 0 || size > MAX_ORDER_EVENT_BYTES) return undefined;
  try {
    const json: unknown = JSON.parse(typeof raw === "string" ? raw : Buffer.from(raw).toString("utf8"));
    return json && typeof json === "object"
      ? Traceparent.safeParse((json as Record<string, unknown>).traceparent).data
      : undefined;
  } catch {
    return undefined;
  }
}

/** The second half of parseOrderEvent: the event against its region of the catalog (undefined = unknown region). */
export function checkOrderInRegion(order: OrderEvent, region: Region | undefined): ParseResult {
  const fail = (reason: string): ParseResult => ({
    ok: false,
    reason,
    id: order.id,
    ...(order.cancelCapabilityHash ? { cancelCapabilityHash: order.cancelCapabilityHash } : {}),
    ...(order.traceparent ? { traceparent: order.traceparent } : {}),
  });
  if (!region) return fail(`unknown region "${order.region}"`);
  const restaurant = region.restaurants.find((r) => r.id === order.restaurantId);
  if (!restaurant) return fail(`unknown restaurant "${order.restaurantId}" in region "${order.region}"`);
  const unknown = order.products.find((p) => !restaurant.menu.some((m) => m.productId === p.productId));
  if (unknown) return fail(`product "${unknown.productId}" is not on the menu of ${restaurant.id}`);
  // The platform prices orders from its catalog: a total that disagrees is refused rather than
  // charged either way (the customer agreed to that total; charging another would surprise them).
  const pricedLines = priceLines(restaurant, order.products);
  const price = totalOf(pricedLines);
  if (order.totalCost !== price)
    return fail(`totalCost ${order.totalCost} does not match the catalog price ${price} (cents)`);
  const customerLocation = order.customerLocation ?? defaultCustomerLocation(order.id, region.sizeKm);
  if (customerLocation.x > region.sizeKm || customerLocation.y > region.sizeKm)
    return fail(`customer location lies outside region "${region.id}"`);
  return { ok: true, order: { ...order, customerLocation, restaurantLocation: restaurant.location, pricedLines } };
}

/** The lines at the restaurant's menu prices; throws on a product the menu lacks. */
export function priceLines(restaurant: Restaurant, lines: OrderLine[]): PricedLine[] {
  return lines.map((l) => {
    const item = restaurant.menu.find((m) => m.productId === l.productId);
    if (!item) throw new Error(`unknown product ${l.productId} at ${restaurant.id}`);
    return { ...l, name: item.name, price: item.price };
  });
}

export const totalOf = (lines: PricedLine[]): number => lines.reduce((sum, l) => sum + l.price * l.quantity, 0);

/** Price of the lines at catalog prices, in cents (`lookup`: default the built-in data set). */
export function priceOf(regionId: string, restaurantId: string, lines: OrderLine[], lookup = findRegion): number {
  const restaurant = lookup(regionId)?.restaurants.find((r) => r.id === restaurantId);
  if (!restaurant) throw new Error(`unknown restaurant ${restaurantId} in ${regionId}`);
  return totalOf(priceLines(restaurant, lines));
}

export interface TimelineEntry {
  status: OrderStatus;
  /** Epoch ms. */
  at: number;
  detail?: string;
}

/** What `order-status/{id}/get` answers. */
export interface OrderStatusView {
  id: string;
  status: OrderStatus;
  /** Epoch ms at which the order is expected at the customer, while known. */
  eta: number | null;
  timeline: TimelineEntry[];
  rejectionReason?: string;
  region?: string;
  restaurantId?: string;
  driverId?: string;
  driverLocation?: Location;
  restaurantLocation?: Location;
  customerLocation?: Location;
  totalCost?: number;
  createdAt?: number;
  /**
   * Counts the view's changes (1 = the first): each change is also published to the
   * `order-updates` topic, where a reader keeps the highest version it saw of an order.
   */
  version?: number;
  /**
   * The order's distributed trace (32 hex digits), from the trace context its event arrived with;
   * absent when the producer did not trace. Look it up in Jaeger (`/api/v3/traces/<traceId>`).
   */
  traceId?: string;
}
