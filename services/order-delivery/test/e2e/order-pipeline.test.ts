import { afterAll, describe, expect, inject, it } from "vitest";
import { ORDER_STATUSES, DECLINED_TOKEN, TOPICS, isTerminal, type OrderStatusView } from "@food-ordering/contracts";
import {
  closeProducer,
  endpointCounter,
  getStatus,
  ledger,
  makeOrder,
  publishOrder,
  publishRaw,
  statusesOf,
  uniqueId,
  waitForOrder,
  DELIVERED_TIMELINE,
} from "@food-ordering/testkit";

const stack = inject("stack");
afterAll(closeProducer);

const FLOW = DELIVERED_TIMELINE;

describe("order pipeline on a real Restate server and Kafka broker", () => {
  it("takes an order published to Kafka through every status, in order, to DELIVERED, with an ETA in delivery", async () => {
    const order = makeOrder({ customerLocation: { x: 9, y: 9 } });
    await publishOrder(stack, order);
    const { final, seen } = await waitForOrder(stack, order.id);
    expect(final.status).toBe("DELIVERED");
    expect(statusesOf(final)).toEqual(FLOW);
    const times = final.timeline.map((t) => t.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // Statuses observed while polling never go backwards.
    const ranks = seen.map((v) => ORDER_STATUSES.indexOf(v.status));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    const inDelivery = seen.filter((v) => v.status === "IN_DELIVERY" || v.status === "WAITING_FOR_DRIVER");
    expect(inDelivery.some((v) => typeof v.eta === "number" && v.eta > final.createdAt!)).toBe(true);
    expect(final.driverId).toMatch(/^amsterdam-/);
    const charges = (await ledger(stack, order.id)).filter((e) => e.kind === "charge");
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: "succeeded", amount: order.totalCost });
  });

  it("tells the order a new ETA when its driver reports that the trip left its plan", async () => {
    const order = makeOrder({ customerLocation: { x: 9, y: 9 } });
    await publishOrder(stack, order);
    const tracked = (v: OrderStatusView) =>
      !!v.driverId && (v.status === "WAITING_FOR_DRIVER" || v.status === "IN_DELIVERY");
    const { final: matched } = await waitForOrder(stack, order.id, (v) => tracked(v) || isTerminal(v.status));
    expect(matched.status, "the order was delivered before the test could report").not.toBe("DELIVERED");
    expect(matched.eta, "the first ETA travels with the match").toBeGreaterThan(matched.createdAt!);
    // The app says its driver crawls from the map's corner: an ETA hours away, far past the threshold.
    const driverId = matched.driverId!;
    const location = { x: 0.25, y: 0.25 };
    const report = {
      driverId,
      region: order.region,
      location,
      speedKmh: 0.5,
      timestamp: Date.now(),
      report: "deviation",
    };
    await publishRaw(stack, TOPICS.driverReports, [{ key: driverId, value: JSON.stringify(report) }]);
    const { final: told } = await waitForOrder(
      stack,
      order.id,
      (v) => (v.driverLocation?.x === location.x && v.driverLocation?.y === location.y) || isTerminal(v.status),
      10_000,
    );
    expect(told.driverLocation).toEqual(location);
    expect(told.eta! - report.timestamp).toBeGreaterThan(3_600_000);
    expect(told.eta).toBeGreaterThan(matched.eta!);
  });

  it("delivers orders in two regions at once", async () => {
    const orders = [
      ...Array.from({ length: 4 }, () => makeOrder()),
      ...Array.from({ length: 4 }, () =>
        makeOrder({
          region: "berlin",
          restaurantId: "ber-doner",
          products: [{ productId: "ber-dn-1", quantity: 1 }],
          totalCost: 700,
        }),
      ),
    ];
    await Promise.all(orders.map((o) => publishOrder(stack, o)));
    const results = await Promise.all(orders.map((o) => waitForOrder(stack, o.id, undefined, 90_000)));
    for (const [i, r] of results.entries()) {
      expect(r.final.status).toBe("DELIVERED");
      expect(r.final.driverId?.startsWith(orders[i]!.region)).toBe(true);
    }
  });

  it("rejects an order whose payment is declined, with the reason", async () => {
    const order = makeOrder({ paymentToken: DECLINED_TOKEN });
    await publishOrder(stack, order);
    const { final } = await waitForOrder(stack, order.id);
    expect(final.status).toBe("REJECTED");
    expect(final.rejectionReason).toMatch(/payment declined/);
    expect(statusesOf(final)).toEqual(["CREATED", "REJECTED"]);
    expect(await ledger(stack, order.id)).toMatchObject([{ kind: "charge", status: "declined" }]);
  });

  it("creates one order and one charge from a duplicated event, also when the duplicate comes late", async () => {
    const before = await endpointCounter(stack, "food_ordering_order_duplicate_events_total");
    const order = makeOrder();
    await Promise.all([publishOrder(stack, order), publishOrder(stack, order), publishOrder(stack, order)]);
    const { final } = await waitForOrder(stack, order.id);
    expect(final.status).toBe("DELIVERED");
    await publishOrder(stack, order);
    // A marker order published after the late duplicate: once it is done, the duplicate was consumed.
    const marker = makeOrder();
    await publishOrder(stack, marker);
    await waitForOrder(stack, marker.id);
    expect((await getStatus(stack, order.id)).timeline).toEqual(final.timeline);
    expect((await ledger(stack, order.id)).filter((e) => e.kind === "charge")).toHaveLength(1);
    // The three repeats were recognised as such (other tests on the shared stack may add theirs).
    expect(await endpointCounter(stack, "food_ordering_order_duplicate_events_total")).toBeGreaterThanOrEqual(
      before + 3,
    );
  });

  it("rejects malformed events with a specific reason and still delivers the good order behind them", async () => {
    const ok = makeOrder();
    const bad: Array<{ key: string; value: string; reason: RegExp }> = [
      // Braces around it: only an object carries a producer's signature (the rest is dropped unsigned).
      { key: uniqueId("bad"), value: "{not json}", reason: /not valid JSON/ },
      { key: uniqueId("bad"), value: JSON.stringify({ ...makeOrder(), totalCost: -5 }), reason: /totalCost/ },
      { key: uniqueId("bad"), value: JSON.stringify({ ...makeOrder(), products: [] }), reason: /at least one product/ },
      {
        key: uniqueId("bad"),
        value: JSON.stringify({ ...makeOrder(), region: "atlantis" }),
        reason: /unknown region "atlantis"/,
      },
      {
        key: uniqueId("bad"),
        value: JSON.stringify({ ...makeOrder(), products: [{ productId: "ams-pz-1", quantity: 0 }] }),
        reason: /quantity/,
      },
      { key: uniqueId("bad"), value: JSON.stringify({ ...makeOrder(), restaurantId: 42 }), reason: /restaurantId/ },
      {
        key: uniqueId("bad"),
        value: JSON.stringify({ ...makeOrder(), note: "x".repeat(70_000) }),
        reason: /too large/,
      },
    ];
    // Bodies carry their own ids; align them with the keys so the reason is readable by key.
    const withIds = bad.map((b) => {
      try {
        const parsed = JSON.parse(b.value) as Record<string, unknown>;
        return { ...b, value: JSON.stringify({ ...parsed, id: b.key }) };
      } catch {
        return b;
      }
    });
    await publishRaw(stack, TOPICS.orders, [
      ...withIds.map(({ key, value }) => ({ key, value })),
      { key: ok.id, value: JSON.stringify(ok) },
    ]);
    const { final } = await waitForOrder(stack, ok.id);
    expect(final.status).toBe("DELIVERED");
    for (const b of withIds) {
      const { final: r } = await waitForOrder(stack, b.key, (v) => v.status === "REJECTED", 20_000);
      expect(r.rejectionReason).toMatch(b.reason);
      expect(await ledger(stack, b.key)).toEqual([]);
    }
  });

  it("keeps an order with a delivery delay SCHEDULED until its time", async () => {
    const delay = 4000;
    const order = makeOrder({ deliveryDelay: delay });
    await publishOrder(stack, order);
    const { final: scheduled } = await waitForOrder(stack, order.id, (v) => v.status === "SCHEDULED", 20_000);
    const scheduledAt = scheduled.timeline.at(-1)!.at;
    await new Promise((r) => setTimeout(r, delay / 2));
    expect((await getStatus(stack, order.id)).status).toBe("SCHEDULED");
    const { final } = await waitForOrder(stack, order.id);
    expect(final.status).toBe("DELIVERED");
    const preparing = final.timeline.find((t) => t.status === "IN_PREPARATION")!;
    expect(preparing.at - scheduledAt).toBeGreaterThanOrEqual(delay - 50);
  });
});
