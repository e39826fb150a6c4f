import { afterAll, describe, expect, inject, it } from "vitest";
import { TOPICS } from "@food-ordering/contracts";
import { TOPIC_PARTITIONS } from "@food-ordering/testkit";
import {
  cancellableOrder,
  closeProducer,
  driverApp,
  endpointCounter,
  getStatus,
  ledger,
  makeOrder,
  publishOrder,
  publishRaw,
  uniqueId,
  waitForOrder,
} from "@food-ordering/testkit";

/**
 * Bad input anywhere gets a specific answer, changes nothing, and never holds up what follows:
 * malformed Kafka events on both topics, malformed HTTP bodies on every API, and callbacks or
 * driver reports that do not fit the order's state.
 */
const stack = inject("stack");
afterAll(closeProducer);

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("malformed order events", () => {
  const o = () => makeOrder();
  // Signed by a producer holding the key, so each reaches validation: only a value shaped like a
  // JSON object can carry a signature (empty values, arrays and bare values are dropped unsigned:
  // order-signature.test.ts).
  const cases: Array<[string, (key: string) => string | Buffer, RegExp]> = [
    ["not JSON", () => "{not json}", /not valid JSON/],
    ["invalid UTF-8", () => Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid JSON/],
    ["no id", () => JSON.stringify({ ...o(), id: undefined }), /id/],
    ["id differs from the key", () => JSON.stringify({ ...o() }), /does not match the event key/],
    ["negative total", (k) => JSON.stringify({ ...o(), id: k, totalCost: -5 }), /totalCost/],
    ["fractional total", (k) => JSON.stringify({ ...o(), id: k, totalCost: 9.5 }), /totalCost/],
    ["a 1-cent total", (k) => JSON.stringify({ ...o(), id: k, totalCost: 1 }), /does not match the catalog price/],
    [
      "zero quantity",
      (k) => JSON.stringify({ ...o(), id: k, products: [{ productId: "ams-pz-1", quantity: 0 }] }),
      /quantity/,
    ],
    ["no products", (k) => JSON.stringify({ ...o(), id: k, products: [] }), /at least one product/],
    [
      "51 products",
      (k) =>
        JSON.stringify({
          ...o(),
          id: k,
          products: Array.from({ length: 51 }, () => ({ productId: "ams-pz-1", quantity: 1 })),
        }),
      /products/,
    ],
    ["unknown region", (k) => JSON.stringify({ ...o(), id: k, region: "atlantis" }), /unknown region "atlantis"/],
    [
      "unknown restaurant",
      (k) => JSON.stringify({ ...o(), id: k, restaurantId: "nowhere" }),
      /unknown restaurant "nowhere"/,
    ],
    [
      "product not on the menu",
      (k) => JSON.stringify({ ...o(), id: k, products: [{ productId: "ber-dn-1", quantity: 1 }] }),
      /not on the menu/,
    ],
    ["mistyped restaurant id", (k) => JSON.stringify({ ...o(), id: k, restaurantId: 42 }), /restaurantId/],
    ["negative delivery delay", (k) => JSON.stringify({ ...o(), id: k, deliveryDelay: -1 }), /deliveryDelay/],
    [
      "delivery delay beyond a week",
      (k) => JSON.stringify({ ...o(), id: k, deliveryDelay: 8 * 24 * 3600 * 1000 }),
      /deliveryDelay/,
    ],
    ["unknown field", (k) => JSON.stringify({ ...o(), id: k, coupon: "FREE" }), /coupon/],
    [
      "customer outside the region",
      (k) => JSON.stringify({ ...o(), id: k, customerLocation: { x: 99, y: 1 } }),
      /outside region/,
    ],
    ["oversized", (k) => JSON.stringify({ ...o(), id: k, source: "x".repeat(70_000) }), /too large/],
  ];

  it(`rejects ${cases.length} kinds with a specific reason, charges nothing, and delivers the good order behind them`, async () => {
    const keyed = cases.map(([name, value, reason]) => ({ name, key: uniqueId("bad"), value, reason }));
    const good = makeOrder();
    await publishRaw(stack, TOPICS.orders, [
      ...keyed.map((c) => ({ key: c.key, value: c.value(c.key) })),
      { key: good.id, value: JSON.stringify(good) },
    ]);
    expect((await waitForOrder(stack, good.id)).final.status).toBe("DELIVERED");
    for (const c of keyed) {
      const { final } = await waitForOrder(stack, c.key, (v) => v.status === "REJECTED", 20_000).catch((e: Error) => {
        throw new Error(`${c.name}: ${e.message}`);
      });
      expect(final.rejectionReason, c.name).toMatch(c.reason);
      expect(await ledger(stack, c.key), c.name).toEqual([]);
    }
  });

  it("drops events without a key (no order id to file them under), counts them, and delivers the orders behind them", async () => {
    const before = await endpointCounter(stack, "food_ordering_order_rejections_total", { reason: "missing_key" });
    // One key-less event on every partition of the topic, so whatever partition the good order lands on has one ahead of it.
    const keyless = makeOrder();
    await publishRaw(
      stack,
      TOPICS.orders,
      Array.from({ length: TOPIC_PARTITIONS }, (_, partition) => ({
        key: null,
        value: JSON.stringify(keyless),
        partition,
      })),
    );
    const good = makeOrder();
    await publishOrder(stack, good);
    expect((await waitForOrder(stack, good.id)).final.status).toBe("DELIVERED");
    expect(await endpointCounter(stack, "food_ordering_order_rejections_total", { reason: "missing_key" })).toBe(
      before + TOPIC_PARTITIONS,
    );
    expect((await getStatus(stack, keyless.id)).status).toBe("NEW");
    expect(await ledger(stack, keyless.id)).toEqual([]);
  });

  it("does not let a malformed duplicate overwrite a live order", async () => {
    const order = makeOrder();
    await publishOrder(stack, order);
    const { final } = await waitForOrder(stack, order.id);
    await publishRaw(stack, TOPICS.orders, [{ key: order.id, value: "{broken}" }]);
    const marker = makeOrder();
    await publishOrder(stack, marker);
    await waitForOrder(stack, marker.id);
    expect(await getStatus(stack, order.id)).toEqual(final);
  });
});

describe("the order workflow's entry", () => {
  it("answers a cancel of an order rejected at validation, which never started a workflow", async () => {
    const id = uniqueId("bad");
    const { order, capability } = cancellableOrder({ id });
    await publishRaw(stack, TOPICS.orders, [{ key: id, value: JSON.stringify({ ...order, region: "atlantis" }) }]);
    await waitForOrder(stack, id, (v) => v.status === "REJECTED", 20_000);
    // The customer's capability still counts: the event's hash was kept though the order was not.
    const res = await post(`${stack.ingressUrl}/order-workflow/${id}/cancel`, { capability });
    expect([res.status, await res.json()]).toEqual([200, { cancelled: false, reason: "the order was rejected" }]);
    expect((await getStatus(stack, id)).status).toBe("REJECTED");
  });
});

describe("malformed driver location events", () => {
  it("drops them and keeps processing the driver's good events", async () => {
    const driverId = "amsterdam-local-1";
    const before = await (await post(`${stack.ingressUrl}/driver-digital-twin/${driverId}/get`, {})).json();
    const good = { driverId, region: "amsterdam", location: { x: 1.25, y: 2.5 }, speedKmh: 100, timestamp: Date.now() };
    await publishRaw(stack, TOPICS.driverReports, [
      { key: driverId, value: "not json" },
      { key: driverId, value: JSON.stringify({ driverId }) },
      { key: driverId, value: JSON.stringify({ ...good, driverId: "someone-else" }) },
      { key: driverId, value: JSON.stringify({ ...good, location: { x: -1, y: 2 } }) },
      { key: driverId, value: JSON.stringify({ ...good, speedKmh: "fast" }) },
      { key: driverId, value: JSON.stringify(good) },
    ]);
    await expect
      .poll(
        async () =>
          (
            (await (await post(`${stack.ingressUrl}/driver-digital-twin/${driverId}/get`, {})).json()) as {
              location?: unknown;
            }
          ).location,
        { timeout: 15_000 },
      )
      .toEqual(good.location);
    const after = (await (await post(`${stack.ingressUrl}/driver-digital-twin/${driverId}/get`, {})).json()) as {
      status: string;
    };
    expect(after.status).toBe((before as { status: string }).status);
  });
});

describe("callbacks and reports that do not fit", () => {
  it("answers a preparation-done callback for an unknown order with 404", async () => {
    const res = await post(`${stack.ingressUrl}/order-workflow/${uniqueId("nobody")}/preparationDone`, {
      signature: "0".repeat(64),
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/unknown order/);
  });

  it("answers a callback for a finished order, and a repeated one, with 409 and changes nothing", async () => {
    const order = makeOrder();
    await publishOrder(stack, order);
    const { final } = await waitForOrder(stack, order.id);
    for (let i = 0; i < 2; i++) {
      const res = await post(`${stack.ingressUrl}/order-workflow/${order.id}/preparationDone`, {
        signature: "0".repeat(64),
      });
      expect(res.status).toBe(409);
      expect(await res.text()).toMatch(/not being prepared \(it is DELIVERED\)/);
    }
    expect(await getStatus(stack, order.id)).toEqual(final);
  });

  it("refuses a preparation-done callback its restaurant did not sign with 401, and the kitchen's own still counts", async () => {
    // The forged call must land while the food is in the kitchen (about a second at 600x): an
    // order whose preparation already ended answers 409 instead, and the next order is tried.
    for (let attempt = 1; ; attempt++) {
      const order = makeOrder({ deliveryDelay: 0 });
      await publishOrder(stack, order);
      await waitForOrder(stack, order.id, (v) => v.status === "IN_PREPARATION", 60_000);
      const url = `${stack.ingressUrl}/order-workflow/${order.id}/preparationDone`;
      const forged = await post(url, { signature: "ab".repeat(32) });
      const unsigned = await post(url, {});
      expect(unsigned.status).toBe(400);
      if (forged.status === 409 && attempt < 4) continue;
      // 401 is only answered while the order is being prepared: the forgery reached the kitchen's door.
      expect(forged.status).toBe(401);
      expect(await forged.text()).toMatch(/not signed by its restaurant/);
      // The restaurant's own, signed callback moves it on, all the way to the customer.
      const { final } = await waitForOrder(stack, order.id);
      expect(final.status).toBe("DELIVERED");
      return;
    }
  });

  it("refuses driver reports out of order or from the wrong driver, and changes nothing", async () => {
    // A region without simulated drivers or orders, so the probe driver is never matched.
    const driver = driverApp(stack, `paris-probe-${uniqueId("d")}`);
    await driver.goOnShift("paris");
    const delivered = await driver.call("notifyDeliveryDelivered", { deliveryId: "nope" });
    expect(delivered.status).toBe(409);
    expect(await delivered.text()).toMatch(/has no delivery nope assigned/);
    // A pick-up report for another driver's delivery: the twin knows it was not assigned.
    const order = makeOrder();
    await publishOrder(stack, order);
    const { final } = await waitForOrder(stack, order.id);
    const wrong = await driver.call("notifyDeliveryPickup", { deliveryId: order.id });
    expect(wrong.status).toBe(409);
    expect(await wrong.text()).toMatch(new RegExp(`has no delivery ${order.id} assigned`));
    expect(await getStatus(stack, order.id)).toEqual(final);
    expect((await driver.call("goOffline")).status).toBe(200);
  });

  it("drops location reports for another region, off the region's map or from the future, and counts them", async () => {
    const app = driverApp(stack, `paris-gps-${uniqueId("d")}`);
    const driver = app.driverId;
    const twin = `${stack.ingressUrl}/driver-digital-twin/${driver}`;
    await app.goOnShift("paris");
    const report = (over: Record<string, unknown>) =>
      JSON.stringify({
        driverId: driver,
        region: "paris",
        location: { x: 1, y: 1 },
        speedKmh: 20,
        timestamp: Date.now(),
        ...over,
      });
    const dropped = async () =>
      Object.fromEntries(
        await Promise.all(
          ["wrong_region", "outside_map", "from_the_future"].map(
            async (reason) =>
              [reason, await endpointCounter(stack, "food_ordering_invalid_driver_events_total", { reason })] as const,
          ),
        ),
      );
    const before = await dropped();
    // Same key, so the same partition, in this order; the last, good one marks the end.
    await publishRaw(stack, TOPICS.driverReports, [
      { key: driver, value: report({ region: "berlin", location: { x: 2, y: 2 } }) },
      { key: driver, value: report({ location: { x: 999, y: 2 } }) },
      { key: driver, value: report({ location: { x: 3, y: 3 }, timestamp: Date.now() + 27.8 * 3600_000 }) },
      { key: driver, value: report({ location: { x: 4, y: 5 } }) },
    ]);
    await expect
      .poll(async () => ((await (await post(`${twin}/get`, {})).json()) as { location?: unknown }).location, {
        timeout: 30_000,
      })
      .toEqual({ x: 4, y: 5 });
    expect(await dropped()).toEqual({
      wrong_region: before.wrong_region! + 1,
      outside_map: before.outside_map! + 1,
      from_the_future: before.from_the_future! + 1,
    });
    expect((await app.call("goOffline")).status).toBe(200);
  });

  it("refuses a shift in a region the catalog does not have, and creates nothing for it", async () => {
    const region = `atlantis-${uniqueId("r")}`;
    const driver = driverApp(stack, uniqueId("d"));
    const res = await driver.call("setDriverAvailable", { region }, driver.credential);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/unknown region/);
    const metrics = await (await fetch(stack.metrics.endpoint!)).text();
    expect(metrics).not.toContain(region);
  });

  it("refuses malformed bodies on the durable handlers with 400", async () => {
    const res = await post(`${stack.ingressUrl}/driver-digital-twin/x-1/setDriverAvailable`, { region: 7 });
    expect(res.status).toBe(400);
    const res2 = await post(`${stack.ingressUrl}/driver-digital-twin/x-1/notifyDeliveryPickup`, "not json");
    expect(res2.status).toBe(400);
  });
});

describe("malformed HTTP bodies on the simulators' APIs", () => {
  it("restaurant POS: field errors, bad JSON, body size and the bearer token", async () => {
    const bad = await post(`${stack.restaurantUrl}/prepare`, {
      orderId: "",
      restaurantId: "ams-pizzeria",
      products: [],
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/orderId.*products|products.*orderId/);
    expect((await post(`${stack.restaurantUrl}/prepare`, "{oops")).status).toBe(400);
    expect(
      (
        await post(`${stack.restaurantUrl}/prepare`, {
          orderId: "a",
          restaurantId: "b",
          products: [{ productId: "p", quantity: 1 }],
          pad: "x".repeat(40_000),
        })
      ).status,
    ).toBe(413);
  });

  it("payment provider: field errors, and an idempotency key reused for another request", async () => {
    const bad = await post(`${stack.paymentUrl}/charges`, { idempotencyKey: "short", orderId: "o", amount: -1 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/idempotencyKey.*amount|amount.*idempotencyKey/);
    const key = uniqueId("idem-key");
    expect(
      (await post(`${stack.paymentUrl}/charges`, { idempotencyKey: key, orderId: "o-1", amount: 100 })).status,
    ).toBe(200);
    const reused = await post(`${stack.paymentUrl}/charges`, { idempotencyKey: key, orderId: "o-2", amount: 100 });
    expect(reused.status).toBe(409);
    expect((await reused.json()).error).toMatch(/already used for a different request/);
  });

  it("order provider control API: a bad rate", async () => {
    const res = await fetch(`${stack.providerUrl}/rate`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rate: -3 }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/rate/);
    expect((await (await fetch(`${stack.providerUrl}/rate`)).json()).rate).toBe(0);
  });
});
