import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  Location,
  MAX_DELIVERY_DELAY_MS,
  OrderLine,
  findRegion,
  parseOrderEvent,
  priceOf,
  type OrderEvent,
  type RegionLookup,
} from "@food-ordering/contracts";

/**
 * The shop's order request and its translation into the `orders` event. The browser sends
 * only what the customer chose; the price, the id and the delay are computed here, so a
 * tampered request can neither set its own price nor reuse another order's id.
 */

/** A requested time this far in the past still counts as "now" (clock skew, slow submit). */
export const PAST_TOLERANCE_MS = 60_000;

export const PlaceOrderRequest = z.strictObject({
  region: z.string().min(1, "choose a region").max(64),
  restaurantId: z.string().min(1, "choose a restaurant").max(64),
  items: z.array(OrderLine).min(1, "the cart is empty").max(50, "at most 50 different products per order"),
  /** When the customer wants the food, as an ISO time with offset; absent = as soon as possible. */
  deliverAt: z.iso.datetime({ offset: true, message: "must be an ISO time such as 2030-01-01T12:00:00Z" }).optional(),
  /** Alternative to deliverAt for programmatic callers: milliseconds from now. */
  deliveryDelayMs: z
    .number()
    .int("must be a whole number of ms")
    .min(0)
    .max(MAX_DELIVERY_DELAY_MS, "at most 7 days ahead")
    .optional(),
  customerLocation: Location.optional(),
  /** Test card token (e.g. tok_chargeDeclined); absent = the provider's default card. */
  paymentToken: z
    .string()
    .regex(/^tok_[A-Za-z0-9_]{1,60}$/, "must be a card token such as tok_visa")
    .optional(),
});
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequest>;

type Issue = { path: (string | number)[]; message: string };

/**
 * Checks against the catalog and the clock that a schema alone cannot express. zod runs this
 * even when some fields already failed (to report everything at once), so it must not trust
 * the shape of `req` beyond what it checks.
 */
function catalogIssues(req: PlaceOrderRequest, regions: readonly string[], now: number, lookup: RegionLookup): Issue[] {
  const issues: Issue[] = [];
  if (!Array.isArray(req.items)) return issues;
  const region = lookup(req.region);
  if (!region || !regions.includes(req.region)) {
    issues.push({
      path: ["region"],
      message: `unknown region "${req.region}"; this shop serves ${regions.join(", ")}`,
    });
    return issues;
  }
  const restaurant = region.restaurants.find((r) => r.id === req.restaurantId);
  if (!restaurant) {
    issues.push({ path: ["restaurantId"], message: `no restaurant "${req.restaurantId}" in ${region.name}` });
    return issues;
  }
  req.items.forEach((item, i) => {
    if (!restaurant.menu.some((m) => m.productId === item.productId)) {
      issues.push({
        path: ["items", i, "productId"],
        message: `"${item.productId}" is not on the menu of ${restaurant.name}`,
      });
    }
  });
  const seen = new Set<string>();
  req.items.forEach((item, i) => {
    if (seen.has(item.productId))
      issues.push({
        path: ["items", i, "productId"],
        message: `"${item.productId}" is listed twice; use its quantity`,
      });
    seen.add(item.productId);
  });
  if (req.deliverAt !== undefined && req.deliveryDelayMs !== undefined) {
    issues.push({ path: ["deliverAt"], message: "give either deliverAt or deliveryDelayMs, not both" });
  } else if (req.deliverAt !== undefined) {
    const delay = Date.parse(req.deliverAt) - now;
    if (delay < -PAST_TOLERANCE_MS)
      issues.push({ path: ["deliverAt"], message: "lies in the past; choose a later time or as soon as possible" });
    else if (delay > MAX_DELIVERY_DELAY_MS) issues.push({ path: ["deliverAt"], message: "at most 7 days ahead" });
  }
  const loc = req.customerLocation;
  if (loc && (loc.x > region.sizeKm || loc.y > region.sizeKm)) {
    issues.push({ path: ["customerLocation"], message: `lies outside ${region.name}'s map (0-${region.sizeKm} km)` });
  }
  return issues;
}

/**
 * The request schema for one deployment: its served regions, a clock (tests pin it) and the
 * catalog (`lookup`: the live catalog's last read; default the built-in data set).
 */
export function placeOrderSchema(
  regions: readonly string[],
  clock: () => number = Date.now,
  lookup: RegionLookup = findRegion,
) {
  return PlaceOrderRequest.superRefine((req, ctx) => {
    for (const issue of catalogIssues(req, regions, clock(), lookup)) ctx.addIssue({ code: "custom", ...issue });
  });
}

export function deliveryDelayOf(req: PlaceOrderRequest, now: number): number {
  if (req.deliveryDelayMs !== undefined) return req.deliveryDelayMs;
  if (req.deliverAt === undefined) return 0;
  return Math.min(MAX_DELIVERY_DELAY_MS, Math.max(0, Date.parse(req.deliverAt) - now));
}

/** A fresh order id; the prefix tells the web UI's orders from providers' ones in logs. */
export const newOrderId = (): string => `web-${randomUUID()}`;

/**
 * The event to publish for a validated request. It is run through the same parser as the
 * order workflow uses, so the shop never publishes an event the workflow would reject.
 * `cancelCapabilityHash`: the hash of the capability the browser gets back (never the capability).
 */
export function buildOrderEvent(
  req: PlaceOrderRequest,
  opts: { id: string; now: number; cancelCapabilityHash?: string; lookup?: RegionLookup },
): OrderEvent {
  const lookup = opts.lookup ?? findRegion;
  const event: OrderEvent = {
    id: opts.id,
    region: req.region,
    restaurantId: req.restaurantId,
    products: req.items,
    totalCost: priceOf(req.region, req.restaurantId, req.items, lookup),
    deliveryDelay: deliveryDelayOf(req, opts.now),
    ...(req.customerLocation ? { customerLocation: req.customerLocation } : {}),
    ...(req.paymentToken ? { paymentToken: req.paymentToken } : {}),
    source: "webui",
    publishedAt: opts.now,
    ...(opts.cancelCapabilityHash ? { cancelCapabilityHash: opts.cancelCapabilityHash } : {}),
  };
  const check = parseOrderEvent(JSON.stringify(event), opts.id, lookup);
  if (!check.ok) throw new Error(`built an order event the workflow would reject: ${check.reason}`);
  return event;
}
