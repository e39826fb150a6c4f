import path from "node:path";
import { priceLines, totalOf, type OrderEvent, type OrderLine, type Restaurant } from "@food-ordering/contracts";
import { uniqueId } from "./platform.ts";

/** The e2e stack's region that is not built in, and the catalog file that adds it (global setup). */
export const E2E_EXTRA_REGION = "harbour";
export const E2E_CATALOG_FILE = path.resolve(import.meta.dirname, "../catalog/harbour.yaml");

/** An order at `restaurant` of a live region, priced from the restaurant as given (not the built-in set). */
export function orderAt(
  region: string,
  restaurant: Restaurant,
  products: OrderLine[] = [{ productId: restaurant.menu[0]!.productId, quantity: 1 }],
  overrides: Partial<OrderEvent> = {},
): OrderEvent {
  return {
    id: uniqueId("order"),
    region,
    restaurantId: restaurant.id,
    products,
    totalCost: totalOf(priceLines(restaurant, products)),
    deliveryDelay: 0,
    customerLocation: { x: 1, y: 1 },
    ...overrides,
  };
}
