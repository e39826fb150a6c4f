import { describe, expect, it } from "vitest";
import { parseOrderEvent, priceOf } from "../../src/order.ts";

const order = (over: Record<string, unknown> = {}) => ({
  id: "o-1",
  restaurantId: "ams-pizzeria",
  region: "amsterdam",
  products: [
    { productId: "ams-pz-1", quantity: 2 },
    { productId: "ams-pz-4", quantity: 1 },
  ],
  totalCost: 2 * 950 + 550,
  deliveryDelay: 0,
  ...over,
});

describe("prices are the platform's", () => {
  it("accepts a total that is the catalog price", () => {
    expect(priceOf("amsterdam", "ams-pizzeria", order().products)).toBe(2450);
    expect(parseOrderEvent(JSON.stringify(order()), "o-1")).toMatchObject({ ok: true });
  });

  it.each([1, 2449, 2451, 245000])("refuses a total of %i cents with both figures in the reason", (totalCost) => {
    const r = parseOrderEvent(JSON.stringify(order({ totalCost })), "o-1");
    expect(r).toEqual({
      ok: false,
      id: "o-1",
      reason: `totalCost ${totalCost} does not match the catalog price 2450 (cents)`,
    });
  });
});
