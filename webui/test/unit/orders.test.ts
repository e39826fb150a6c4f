import { describe, expect, it } from "vitest";
import { MAX_DELIVERY_DELAY_MS, parseOrderEvent } from "@food-ordering/contracts";
import {
  buildOrderEvent,
  deliveryDelayOf,
  newOrderId,
  placeOrderSchema,
  PAST_TOLERANCE_MS,
} from "../../server/orders.ts";

const NOW = Date.parse("2030-06-01T12:00:00Z");
const schema = placeOrderSchema(["amsterdam", "berlin"], () => NOW);
const valid = {
  region: "amsterdam",
  restaurantId: "ams-pizzeria",
  items: [
    { productId: "ams-pz-1", quantity: 2 },
    { productId: "ams-pz-4", quantity: 1 },
  ],
};

/** The field paths of the issues a request produces, e.g. ["items.0.productId"]. */
function fieldsOf(body: unknown): string[] {
  const r = schema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
}

describe("order request validation", () => {
  it("accepts a valid request", () => {
    expect(fieldsOf(valid)).toEqual([]);
  });

  it.each([
    [
      "unserved region",
      { ...valid, region: "paris", restaurantId: "par-bistro", items: [{ productId: "par-bi-1", quantity: 1 }] },
      ["region"],
    ],
    ["unknown region", { ...valid, region: "atlantis" }, ["region"]],
    ["restaurant of another region", { ...valid, restaurantId: "ber-doner" }, ["restaurantId"]],
    [
      "product of another restaurant",
      { ...valid, items: [{ productId: "ams-su-1", quantity: 1 }] },
      ["items.0.productId"],
    ],
    [
      "product listed twice",
      {
        ...valid,
        items: [
          { productId: "ams-pz-1", quantity: 1 },
          { productId: "ams-pz-1", quantity: 1 },
        ],
      },
      ["items.1.productId"],
    ],
    ["empty cart", { ...valid, items: [] }, ["items"]],
    ["zero quantity", { ...valid, items: [{ productId: "ams-pz-1", quantity: 0 }] }, ["items.0.quantity"]],
    ["fractional quantity", { ...valid, items: [{ productId: "ams-pz-1", quantity: 1.5 }] }, ["items.0.quantity"]],
    ["quantity over 100", { ...valid, items: [{ productId: "ams-pz-1", quantity: 101 }] }, ["items.0.quantity"]],
    ["a client-set price", { ...valid, totalCost: 1 }, [""]],
    ["a client-set id", { ...valid, id: "web-mine" }, [""]],
    ["deliverAt not a time", { ...valid, deliverAt: "tomorrow" }, ["deliverAt"]],
    [
      "deliverAt in the past",
      { ...valid, deliverAt: new Date(NOW - PAST_TOLERANCE_MS - 1000).toISOString() },
      ["deliverAt"],
    ],
    [
      "deliverAt beyond a week",
      { ...valid, deliverAt: new Date(NOW + MAX_DELIVERY_DELAY_MS + 60_000).toISOString() },
      ["deliverAt"],
    ],
    [
      "both delivery fields",
      { ...valid, deliverAt: new Date(NOW + 60_000).toISOString(), deliveryDelayMs: 1000 },
      ["deliverAt"],
    ],
    ["negative delay", { ...valid, deliveryDelayMs: -1 }, ["deliveryDelayMs"]],
    ["customer outside the map", { ...valid, customerLocation: { x: 11, y: 1 } }, ["customerLocation"]],
    ["malformed location", { ...valid, customerLocation: { x: "1", y: 1 } }, ["customerLocation.x"]],
    ["payment token that is not a token", { ...valid, paymentToken: "4111 1111 1111 1111" }, ["paymentToken"]],
  ])("rejects %s at the right field", (_name, body, fields) => {
    expect(fieldsOf(body)).toEqual(fields);
  });

  it("reports every bad field of a request at once", () => {
    const fields = fieldsOf({ region: "", restaurantId: "", items: "pizza", deliveryDelayMs: "soon" });
    expect(fields.sort()).toEqual(["deliveryDelayMs", "items", "region", "restaurantId"]);
  });

  it("rejects non-objects without throwing", () => {
    for (const body of [null, "order", 42, [], undefined]) expect(fieldsOf(body).length).toBeGreaterThan(0);
  });
});

describe("order event", () => {
  it("prices at catalog prices and publishes what the workflow accepts", () => {
    const id = newOrderId();
    const event = buildOrderEvent(schema.parse(valid), { id, now: NOW });
    expect(event).toMatchObject({
      id,
      region: "amsterdam",
      restaurantId: "ams-pizzeria",
      totalCost: 2 * 950 + 550,
      deliveryDelay: 0,
      source: "webui",
      publishedAt: NOW,
    });
    const parsed = parseOrderEvent(JSON.stringify(event), id);
    expect(parsed.ok).toBe(true);
  });

  it("turns deliverAt into the delay from now, and a just-passed time into now", () => {
    expect(deliveryDelayOf(schema.parse({ ...valid, deliverAt: "2030-06-01T12:30:00Z" }), NOW)).toBe(30 * 60_000);
    expect(deliveryDelayOf(schema.parse({ ...valid, deliverAt: "2030-06-01T14:30:00+02:00" }), NOW)).toBe(30 * 60_000);
    expect(deliveryDelayOf(schema.parse({ ...valid, deliverAt: new Date(NOW - 5000).toISOString() }), NOW)).toBe(0);
    expect(deliveryDelayOf(schema.parse({ ...valid, deliveryDelayMs: 1234 }), NOW)).toBe(1234);
  });

  it("generates distinct ids the contract accepts", () => {
    const ids = new Set(Array.from({ length: 1000 }, newOrderId));
    expect(ids.size).toBe(1000);
    for (const id of [...ids].slice(0, 20)) expect(id).toMatch(/^web-[0-9a-f-]{36}$/);
  });
});

describe("validation of hostile shapes", () => {
  it("never throws, whatever the body", () => {
    const bodies = [
      { ...valid, items: [{ productId: 5, quantity: "x" }] },
      { ...valid, region: 7, items: {} },
      { ...valid, customerLocation: "here", deliverAt: 5 },
      { ...valid, items: [null, 3, "a"] },
      { __proto__: { region: "amsterdam" } },
    ];
    for (const body of bodies) expect(() => schema.safeParse(body)).not.toThrow();
    for (const body of bodies) expect(schema.safeParse(body).success).toBe(false);
  });
});
