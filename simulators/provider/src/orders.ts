import { randomUUID } from "node:crypto";
import { findRegion, priceOf, DECLINED_TOKEN, type OrderEvent } from "@food-ordering/contracts";

/** Builds a random but valid order in one of `regions`, as a food-ordering provider would send it. */
export function randomOrder(opts: {
  regions: string[];
  idPrefix: string;
  maxDeliveryDelayMs: number;
  declinedFraction: number;
  rand?: () => number;
}): OrderEvent {
  const rand = opts.rand ?? Math.random;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const region = findRegion(pick(opts.regions))!;
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
    totalCost: priceOf(region.id, restaurant.id, products),
    deliveryDelay: opts.maxDeliveryDelayMs > 0 ? Math.floor(rand() * opts.maxDeliveryDelayMs) : 0,
    customerLocation: { x: rand() * region.sizeKm, y: rand() * region.sizeKm },
    paymentToken: rand() < opts.declinedFraction ? DECLINED_TOKEN : "tok_visa",
    source: "provider-simulator",
    publishedAt: Date.now(),
  };
}
