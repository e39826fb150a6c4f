import { randomUUID } from "node:crypto";
import { priceLines, totalOf, DECLINED_TOKEN, type OrderEvent, type Region } from "@food-ordering/contracts";

/**
 * Builds a random but valid order in one of `regions` (as the live catalog has them, each with
 * at least one restaurant), as a food-ordering provider would send it.
 */
export function randomOrder(opts: {
  regions: readonly Region[];
  idPrefix: string;
  maxDeliveryDelayMs: number;
  declinedFraction: number;
  rand?: () => number;
}): OrderEvent {
  const rand = opts.rand ?? Math.random;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const region = pick(opts.regions);
  const restaurant = pick(region.restaurants);
  const lines = new Map<string, number>();
  const count = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < count; i++) {
    const item = pick(restaurant.menu);
    lines.set(item.productId, (lines.get(item.productId) ?? 0) + 1 + Math.floor(rand() * 2));
  }
  const products = [...lines].map(([productId, quantity]) => ({ productId, quantity }));
  return {
    id: `${opts.idPrefix}-${randomUUID()}`,
    restaurantId: restaurant.id,
    region: region.id,
    products,
    totalCost: totalOf(priceLines(restaurant, products)),
    deliveryDelay: opts.maxDeliveryDelayMs > 0 ? Math.floor(rand() * opts.maxDeliveryDelayMs) : 0,
    customerLocation: { x: rand() * region.sizeKm, y: rand() * region.sizeKm },
    paymentToken: rand() < opts.declinedFraction ? DECLINED_TOKEN : "tok_visa",
    source: "provider-simulator",
    publishedAt: Date.now(),
  };
}
