import { afterAll, describe, expect, inject, it } from "vitest";
import { TOPICS, type DriverLocationEvent, type OrderStatusView } from "@food-ordering/contracts";
import {
  closeProducer,
  driverApp,
  getStatus,
  endpointCounter,
  makeOrder,
  publishOrder,
  publishRaw,
  restateSql,
  sqlString,
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
 * refused at its next match at once. A delivering app's GPS fixes are its sign of life: the
 * endpoint's lease watcher tells the twin a lease after they stop, and never while they flow.
 * Either way the order is delivered by a driver that is there.
 */
const stack = inject("stack");
afterAll(closeProducer);

/** The endpoint's default DRIVER_LEASE_MS, which the shared stack keeps. */
const LEASE_MS = 60_000;

/** An order in Paris, where only the test's apps drive. */
const parisOrder = (customerLocation: { x: number; y: number }) =>
  makeOrder({
    region: "paris",
    restaurantId: "par-bistro",
    products: [{ productId: "par-bi-1", quantity: 1 }],
    customerLocation,
  });

const lostEntry = (v: OrderStatusView, driverId: string) =>
  v.timeline.find((t) => t.status === "WAITING_FOR_DRIVER" && t.detail?.includes(`driver ${driverId} went offline`));

/** The status Restate shows for a driver's pending long poll (running, suspended, ...). */
async function pollStatus(driverId: string): Promise<string | undefined> {
  const rows = await restateSql<{ status: string }>(
    stack,
    "SELECT status FROM sys_invocation WHERE target_service_name = 'driver-digital-twin' " +
      `AND target_service_key = ${sqlString(driverId)} AND target_handler_name = 'waitForWork' AND status <> 'completed'`,
  );
  return rows[0]?.status;
}

describe("a driver's long poll", () => {
  it("gives its restate-server slot back within seconds: suspended while it waits, answered when work comes", async () => {
    const app = driverApp(stack, `paris-poll-${uniqueId("d")}`);
    await app.goOnShift("paris");
    const poll = app.call("waitForWork", { timeoutMs: 30_000 });
    // Running while the endpoint holds it, then suspended (LONG_POLL_INACTIVITY_MS = 1 s): a fleet
    // of idle drivers holds none of Restate's 1000 invocation slots, however long their polls.
    await expect.poll(() => pollStatus(app.driverId), { timeout: 10_000, interval: 250 }).toBe("suspended");
    // Signing off resolves the waiting poll: a suspended invocation still answers.
    expect((await app.call("goOffline")).status).toBe(200);
    const res = await poll;
    expect([res.status, await res.json()]).toEqual([200, null]);
  }, 60_000);
});

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

    const order = parisOrder({ x: 6, y: 8 });
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
    // Found out by the lease watcher, one lease after the order showed the assignment (no fix
    // ever came). Both times are order-status's, recorded by messages sent after the assignment
    // and after the silence, so each may lag its event a little: not much before the lease, and
    // far within a second one.
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

  it("keeps a delivery while its driver's fixes flow past a lease, takes it back a lease after they stop", async () => {
    const before = await endpointCounter(stack, "food_ordering_driver_lease_expiries_total", {
      detected_by: "watcher",
    });
    const app = driverApp(stack, `paris-road-${uniqueId("d")}`);
    await app.goOnShift("paris");
    const order = parisOrder({ x: 9, y: 9 });
    await publishOrder(stack, order);
    // Earlier apps left on shift are found out one lease each; this one polls until the order is its own.
    const work = await waitForWork(app, 3 * LEASE_MS);
    expect(work.orderId).toBe(order.id);

    // An app on the road: a fix naming the order every second, the first also to its twin (this
    // app's polls said nowhere where it waits, so the twin learns its ETA from it). A slow
    // driver: the ETA lies far beyond this test, so only the fixes speak for the app.
    const fix = (): DriverLocationEvent => ({
      driverId: app.driverId,
      region: "paris",
      location: { x: 2, y: 2 },
      speedKmh: 1,
      timestamp: Date.now(),
      orderId: order.id,
    });
    await publishRaw(stack, TOPICS.driverReports, [
      { key: app.driverId, value: JSON.stringify({ ...fix(), report: "deviation" }) },
    ]);
    const roadUntil = Date.now() + LEASE_MS + 10_000;
    while (Date.now() < roadUntil) {
      await publishRaw(stack, TOPICS.driverUpdates, [{ key: app.driverId, value: JSON.stringify(fix()) }]);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const lastFix = Date.now();
    expect(await app.view(), "the twin took the delivery while the fixes flowed").toMatchObject({
      status: "DELIVERING",
    });
    expect((await getStatus(stack, order.id)).driverId).toBe(app.driverId);

    // Silence: the watcher tells the twin a lease later, and the order goes to a driver that is there.
    const { final: lostView } = await waitForOrder(stack, order.id, (v) => !!lostEntry(v, app.driverId), 2 * LEASE_MS);
    const lost = lostEntry(lostView, app.driverId)!;
    expect(lost.at - lastFix).toBeGreaterThan(LEASE_MS - 2000);
    expect(lost.at - lastFix).toBeLessThan(LEASE_MS + 15_000);
    expect(await app.view()).toMatchObject({ status: "OFFLINE" });
    expect(
      await endpointCounter(stack, "food_ordering_driver_lease_expiries_total", { detected_by: "watcher" }),
    ).toBeGreaterThan(before);

    const next = driverApp(stack, `paris-next-${uniqueId("d")}`);
    await next.goOnShift("paris");
    const again = await waitForWork(next, 3 * LEASE_MS);
    expect(again.orderId).toBe(order.id);
    for (const handler of ["notifyDeliveryPickup", "notifyDeliveryDelivered"])
      expect((await next.call(handler, { deliveryId: again.deliveryId })).status).toBe(200);
    expect((await waitForOrder(stack, order.id)).final.status).toBe("DELIVERED");
    expect((await next.call("goOffline")).status).toBe(200);
  }, 400_000);
});
