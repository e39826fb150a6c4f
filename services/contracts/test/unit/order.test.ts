import { describe, expect, it } from "vitest";
import { orderEventTraceparent, parseOrderEvent, priceOf } from "../../src/order.ts";
import { signOrderEvent } from "../../src/order-signature.ts";
import { restaurantKey, signPreparationDone, verifyPreparationDone } from "../../src/restaurant.ts";

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

describe("the trace context an order event carries", () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  it("is part of a valid order, and still read from an order that is rejected", () => {
    const ok = parseOrderEvent(JSON.stringify(order({ traceparent })), "o-1");
    expect(ok.ok && ok.order.traceparent).toBe(traceparent);
    expect(parseOrderEvent(JSON.stringify(order({ traceparent, totalCost: 1 })), "o-1")).toMatchObject({
      ok: false,
      traceparent,
    });
    expect(parseOrderEvent(JSON.stringify(order({ traceparent, products: [] })), "o-1")).toMatchObject({
      ok: false,
      traceparent,
    });
  });

  it("refuses a malformed one with its field named, and carries none then", () => {
    for (const bad of ["00-0-0-01", `01-${traceparent.slice(3)}`, `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, 7]) {
      const r = parseOrderEvent(JSON.stringify(order({ traceparent: bad })), "o-1");
      expect(r).toMatchObject({ ok: false, reason: expect.stringContaining("traceparent") });
      expect(r).not.toHaveProperty("traceparent");
    }
  });

  it("is read from a raw value, signed or not, and nothing else is mistaken for one", () => {
    const raw = JSON.stringify(order({ traceparent }));
    expect(orderEventTraceparent(raw)).toBe(traceparent);
    expect(orderEventTraceparent(Buffer.from(signOrderEvent("key", "o-1", raw)))).toBe(traceparent);
    for (const other of ["", "{not json", "[1]", "null", JSON.stringify(order()), JSON.stringify({ traceparent: "x" })])
      expect(orderEventTraceparent(other)).toBeUndefined();
  });
});

describe("signed preparation-done callbacks", () => {
  const master = "platform-pos-key";
  const key = restaurantKey(master, "ams-pizzeria");

  it("accepts the restaurant's own signature over the order id", () => {
    expect(verifyPreparationDone(key, "o-1", signPreparationDone(key, "o-1"))).toBe(true);
  });

  it("refuses another order's, another restaurant's, another platform's and malformed signatures", () => {
    expect(verifyPreparationDone(key, "o-1", signPreparationDone(key, "o-2"))).toBe(false);
    const other = restaurantKey(master, "ams-sushi");
    expect(verifyPreparationDone(key, "o-1", signPreparationDone(other, "o-1"))).toBe(false);
    const elsewhere = restaurantKey("another-platform", "ams-pizzeria");
    expect(verifyPreparationDone(key, "o-1", signPreparationDone(elsewhere, "o-1"))).toBe(false);
    expect(verifyPreparationDone(key, "o-1", "abcd")).toBe(false);
  });
});
