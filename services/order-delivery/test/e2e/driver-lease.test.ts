import { afterAll, describe, expect, inject, it } from "vitest";
import type { OrderStatusView } from "@food-ordering/contracts";
import {
  closeProducer,
  driverApp,
  makeOrder,
  publishOrder,
  statusesOf,
  uniqueId,
  waitForOrder,
  waitForWork,
} from "@food-ordering/testkit";

/**
 * The driver lease on the real stack, with apps played by the test in Paris (no simulated
 * drivers there). Idle drivers have no lease timer; a vanished app is still found out within
 * the lease once it matters: an app that vanished during its poll loses the delivery it is then
 * given one lease after the assignment, and an app whose poll ended more than a lease ago is
 * refused at its next match at once. Either way the order is delivered by a driver that is there.
 */
const stack = inject("stack");
afterAll(closeProducer);

/** The endpoint's default DRIVER_LEASE_MS, which the shared stack keeps. */
const LEASE_MS = 60_000;

const lostEntry = (v: OrderStatusView, driverId: string) =>
  v.timeline.find((t) => t.status === "WAITING_FOR_DRIVER" && t.detail?.includes(`driver ${driverId} went offline`));

describe("the driver lease", () => {
  it("takes a delivery from an app that vanished mid-poll within one lease, refuses a silent idle app at once", async () => {
    // `gone` polls and walks away mid-poll; `silent` goes on shift and never polls.
    const gone = driverApp(stack, `paris-gone-${uniqueId("d")}`);
    const silent = driverApp(stack, `paris-silent-${uniqueId("d")}`);
    await gone.goOnShift("paris");
    await silent.goOnShift("paris");
    const abandoned = new AbortController();
    const poll = fetch(`${stack.ingressUrl}/driver-digital-twin/${gone.driverId}/waitForWork`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${gone.shiftToken}` },
      body: JSON.stringify({ timeoutMs: 200_000, location: { x: 1, y: 1 }, speedKmh: 300 }),
      signal: abandoned.signal,
    }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    abandoned.abort();
    await poll;

    const order = makeOrder({
      region: "paris",
      restaurantId: "par-bistro",
      products: [{ productId: "par-bi-1", quantity: 1 }],
      customerLocation: { x: 6, y: 8 },
    });
    await publishOrder(stack, order);
    // The first driver the order gets is an app no one answers for (the test's `gone`, or one an
    // earlier test left on shift within its deadline): its poll's other end is gone.
    const { final: assigned } = await waitForOrder(stack, order.id, (v) => !!v.driverId, 60_000);
    const first = assigned.driverId!;
    const assignedAt = assigned.timeline.find((t) => t.status === "WAITING_FOR_DRIVER")!.at;

    // A driver that is there joins; it gets the order once the first one's lease ran out.
    const here = driverApp(stack, `paris-here-${uniqueId("d")}`);
    await here.goOnShift("paris");
    const work = await waitForWork(here, 3 * LEASE_MS);
    expect(work.orderId).toBe(order.id);
    const { final: reassigned } = await waitForOrder(stack, order.id, (v) => v.driverId === here.driverId);
    const lost = lostEntry(reassigned, first);
    expect(lost, JSON.stringify(reassigned.timeline)).toBeDefined();
    // Found out by the assignment's lease check, one lease after the assignment. Both times are
    // order-status's, recorded by messages sent after the assignment and after the check, so
    // each may lag its event a little: not much before the lease, and far within a second one.
    expect(lost!.at - assignedAt).toBeGreaterThan(LEASE_MS - 5000);
    expect(lost!.at - assignedAt).toBeLessThan(2 * LEASE_MS);
    expect((await driverApp(stack, first).view()).status).toBe("OFFLINE");

    // `silent` went on shift before `here` and never polled: by now a lease past its last word,
    // so the match tried it and refused it at once, and it never showed on the order.
    expect(await silent.view()).toMatchObject({ status: "OFFLINE" });
    expect(reassigned.timeline.some((t) => t.detail?.includes(silent.driverId))).toBe(false);

    // The driver that is there delivers; every status still shows, the reassignment included.
    for (const handler of ["notifyDeliveryPickup", "notifyDeliveryDelivered"])
      expect((await here.call(handler, { deliveryId: work.deliveryId })).status).toBe(200);
    const { final } = await waitForOrder(stack, order.id);
    expect(final.status).toBe("DELIVERED");
    expect(statusesOf(final)).toContain("IN_DELIVERY");
    expect(final.driverId).toBe(here.driverId);
    expect((await here.call("goOffline")).status).toBe(200);
  }, 300_000);
});
