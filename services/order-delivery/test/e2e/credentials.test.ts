import { afterAll, describe, expect, inject, it } from "vitest";
import { driverCredential, newSecret } from "@food-ordering/contracts";
import {
  cancellableOrder,
  closeProducer,
  driverApp,
  endpointCounter,
  getStatus,
  ingressPost,
  ledger,
  makeOrder,
  publishOrder,
  uniqueId,
  waitForOrder,
  waitForWork,
} from "@food-ordering/testkit";

/**
 * Credentials at the edges, tried on the real stack as an attacker would: a driver's handlers
 * with no, a forged or another driver's credential, and a cancel without or with a wrong
 * capability. Every forgery is refused (401 missing, 403 wrong), counted, and changes nothing;
 * the legitimate driver and customer still do everything.
 */
const stack = inject("stack");
afterAll(closeProducer);

const refusals = (credential: string, reason: string) =>
  endpointCounter(stack, "food_ordering_refused_credentials_total", { credential, reason });

/** Status and body text of an answer, for one expect. */
const answer = async (res: Response) => [res.status, await res.text()] as const;

describe("a driver's credentials", () => {
  it("refuses going on shift with no, a forged or another driver's credential, and creates nothing", async () => {
    const driver = driverApp(stack, `paris-${uniqueId("forger")}`);
    const [missing, forged] = [
      await refusals("driver_enrollment", "missing"),
      await refusals("driver_enrollment", "forged"),
    ];
    const other = driverCredential(stack.credentials.driverEnrollmentKey, "paris-someone-else");
    const tries: Array<[string | undefined, number]> = [
      [undefined, 401],
      [`Basic ${Buffer.from(`${driver.driverId}:x`).toString("base64")}`, 401],
      [`Bearer ${other}`, 403],
      [`Bearer ${"0".repeat(64)}`, 403],
      [`Bearer ${driverCredential("not-the-fleet-key", driver.driverId)}`, 403],
    ];
    for (const [authorization, status] of tries) {
      const res = await fetch(`${stack.ingressUrl}/driver-digital-twin/${driver.driverId}/setDriverAvailable`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ region: "paris" }),
      });
      const [code, text] = await answer(res);
      expect([authorization, code], text).toEqual([authorization, status]);
      expect(text).not.toMatch(/shiftToken/);
    }
    expect(await driver.view()).toEqual({ driverId: driver.driverId, status: "IDLE", deliveriesCompleted: 0 });
    const matcher = (await (await ingressPost(stack, "driver-delivery-matcher/paris/get", {})).json()) as {
      roster: string[];
    };
    expect(matcher.roster).not.toContain(driver.driverId);
    expect(await refusals("driver_enrollment", "missing")).toBe(missing + 2);
    expect(await refusals("driver_enrollment", "forged")).toBe(forged + 3);
  });

  it("answers a driver's calls only with the token of its own current shift", async () => {
    const a = driverApp(stack, `paris-${uniqueId("a")}`);
    const b = driverApp(stack, `paris-${uniqueId("b")}`);
    await a.goOnShift("paris");
    await b.goOnShift("paris");
    expect(a.shiftToken).not.toBe(b.shiftToken);
    const before = await a.view();
    const forgeries: Array<[string, string, number]> = [
      ["none", "", 401],
      ["b's token", b.shiftToken, 403],
      ["a made-up token", newSecret(), 403],
      ["a's enrollment credential", a.credential, 403],
    ];
    for (const [what, bearer, status] of forgeries) {
      for (const [handler, body] of [
        ["waitForWork", { timeoutMs: 100 }],
        ["getAssignedDelivery", {}],
        ["notifyDeliveryPickup", { deliveryId: "nope" }],
        ["notifyDeliveryDelivered", { deliveryId: "nope" }],
        ["goOffline", {}],
      ] as const) {
        const res = await a.call(handler, body, bearer);
        expect([what, handler, res.status], await res.text()).toEqual([what, handler, status]);
      }
    }
    expect(await a.view()).toEqual(before);
    expect(before.status).toBe("WAITING_FOR_WORK");

    // Going on shift again answers a new token; the earlier one stops working.
    const first = a.shiftToken;
    await a.goOnShift("paris");
    expect(a.shiftToken).not.toBe(first);
    expect((await a.call("waitForWork", { timeoutMs: 100 }, first)).status).toBe(403);
    expect(await answer(await a.call("waitForWork", { timeoutMs: 100 }))).toEqual([200, "null"]);
    for (const d of [a, b]) expect((await d.call("goOffline")).status).toBe(200);
    expect((await a.view()).status).toBe("OFFLINE");
  });

  it("lets only the assigned driver, with its shift token, pick up and deliver; forgeries change nothing", async () => {
    // Lisbon has no simulated drivers: this test's driver is the only one the order can get.
    const a = driverApp(stack, `lisbon-${uniqueId("a")}`);
    await a.goOnShift("lisbon");
    const order = makeOrder({
      region: "lisbon",
      restaurantId: "lis-tasca",
      products: [{ productId: "lis-ta-1", quantity: 1 }],
      customerLocation: { x: 6, y: 2 },
    });
    await publishOrder(stack, order);
    const work = await waitForWork(a);
    expect(work).toMatchObject({ orderId: order.id, customerLocation: { x: 6, y: 2 } });
    await waitForOrder(stack, order.id, (v) => v.status === "WAITING_FOR_DRIVER" && v.driverId === a.driverId);

    // Another enrolled driver, on shift after the match: its token is of no use on a's twin, and
    // on its own twin a's delivery is not its to report.
    const b = driverApp(stack, `lisbon-${uniqueId("b")}`);
    await b.goOnShift("lisbon");
    const assigned = await getStatus(stack, order.id);
    const pickup = { deliveryId: work.deliveryId };
    for (const [bearer, status] of [
      ["", 401],
      [b.shiftToken, 403],
      [newSecret(), 403],
      [a.credential, 403],
    ] as const) {
      expect((await a.call("notifyDeliveryPickup", pickup, bearer)).status).toBe(status);
      expect((await a.call("notifyDeliveryDelivered", pickup, bearer)).status).toBe(status);
      expect((await a.call("getAssignedDelivery", {}, bearer)).status).toBe(status);
    }
    const notHis = await b.call("notifyDeliveryPickup", pickup);
    expect(await answer(notHis)).toEqual([409, expect.stringContaining(`has no delivery ${work.deliveryId} assigned`)]);
    expect(await getStatus(stack, order.id)).toEqual(assigned);
    expect(await a.view()).toMatchObject({ status: "DELIVERING", assignment: work });
    expect(await (await ingressPost(stack, `delivery-manager/${work.deliveryId}/get`, {})).json()).toMatchObject({
      status: "ASSIGNED",
      driverId: a.driverId,
    });

    // The driver itself, with its token: its assignment, the pick-up, and (after a forged
    // delivery report that changes nothing) the delivery.
    expect(await (await a.call("getAssignedDelivery")).json()).toEqual(work);
    expect((await a.call("notifyDeliveryPickup", pickup)).status).toBe(200);
    const inDelivery = (await waitForOrder(stack, order.id, (v) => v.status === "IN_DELIVERY")).final;
    expect((await a.call("notifyDeliveryDelivered", pickup, b.shiftToken)).status).toBe(403);
    expect(await getStatus(stack, order.id)).toEqual(inDelivery);
    expect((await a.call("notifyDeliveryDelivered", pickup)).status).toBe(200);
    expect((await waitForOrder(stack, order.id)).final.status).toBe("DELIVERED");
    for (const d of [a, b]) expect((await d.call("goOffline")).status).toBe(200);
  });
});

/** Long-polls the twin (as the app does) until it answers an assignment. */
describe("the customer's cancel capability", () => {
  const cancel = (id: string, body: unknown) => ingressPost(stack, `order-workflow/${id}/cancel`, body);

  it("refuses a cancel without or with a wrong capability, and the customer's own cancels", async () => {
    const { order, capability } = cancellableOrder({ deliveryDelay: 3_600_000 });
    await publishOrder(stack, order);
    const { final: scheduled } = await waitForOrder(stack, order.id, (v) => v.status === "SCHEDULED", 20_000);
    const charged = await ledger(stack, order.id);
    const [missing, forged] = [
      await refusals("cancel_capability", "missing"),
      await refusals("cancel_capability", "forged"),
    ];
    expect(await answer(await cancel(order.id, {}))).toEqual([401, expect.stringContaining("cancel capability")]);
    expect((await cancel(order.id, { reason: "not mine" })).status).toBe(401);
    expect(await answer(await cancel(order.id, { capability: newSecret() }))).toEqual([
      403,
      expect.stringContaining("not the order's cancel capability"),
    ]);
    // Another order's capability is just as wrong; a malformed one is not even read.
    expect((await cancel(order.id, { capability: cancellableOrder().capability })).status).toBe(403);
    expect((await cancel(order.id, { capability: "short" })).status).toBe(400);
    expect(await getStatus(stack, order.id)).toEqual(scheduled);
    expect(await ledger(stack, order.id)).toEqual(charged);
    expect(await refusals("cancel_capability", "missing")).toBe(missing + 2);
    expect(await refusals("cancel_capability", "forged")).toBe(forged + 2);

    expect(await (await cancel(order.id, { capability, reason: "changed my mind" })).json()).toEqual({
      cancelled: true,
    });
    const { final } = await waitForOrder(stack, order.id);
    expect(final.timeline.at(-1)).toMatchObject({ status: "CANCELLED", detail: "changed my mind" });
    await expect.poll(async () => (await ledger(stack, order.id)).map((e) => e.kind)).toEqual(["charge", "refund"]);
  });

  it("refuses every cancel of an order placed without a capability", async () => {
    const order = makeOrder({ deliveryDelay: 3_600_000 });
    await publishOrder(stack, order);
    const { final: scheduled } = await waitForOrder(stack, order.id, (v) => v.status === "SCHEDULED", 20_000);
    expect((await cancel(order.id, { capability: newSecret() })).status).toBe(403);
    expect(await getStatus(stack, order.id)).toEqual(scheduled);
  });

  it("answers 404 for an order it never saw, whatever the capability", async () => {
    expect((await cancel(uniqueId("nobody"), { capability: newSecret() })).status).toBe(404);
  });
});
