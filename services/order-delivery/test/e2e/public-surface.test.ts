import { afterAll, describe, expect, inject, it } from "vitest";
import { closeProducer, getStatus, ledger, makeOrder, publishOrder, waitForOrder } from "@food-ordering/testkit";

const stack = inject("stack");
afterAll(closeProducer);

/**
 * What Restate's ingress lets outside callers (the web UI, the POS, driver apps, operators) and
 * the Kafka subscriptions invoke. Everything else is called by the handlers themselves only.
 */
const PUBLIC: Record<string, string[]> = {
  "order-workflow": ["cancel", "preparationDone"],
  "order-status": ["get", "receive"],
  "delivery-manager": ["get"],
  "driver-delivery-matcher": ["get"],
  "driver-digital-twin": [
    "get",
    "getAssignedDelivery",
    "goOffline",
    "handleDriverLocationUpdateEvent",
    "notifyDeliveryDelivered",
    "notifyDeliveryPickup",
    "setDriverAvailable",
    "waitForWork",
  ],
};

interface ServiceInfo {
  name: string;
  handlers: Array<{ name: string; public?: boolean }>;
}

describe("the ingress's public surface", () => {
  it("Restate exposes exactly the handlers outside callers need", async () => {
    const res = await fetch(`${stack.adminUrl}/services`);
    expect(res.status).toBe(200);
    const { services } = (await res.json()) as { services: ServiceInfo[] };
    const exposed = Object.fromEntries(
      services
        .filter((s) => s.name in PUBLIC)
        .map((s) => [
          s.name,
          s.handlers
            .filter((h) => h.public !== false)
            .map((h) => h.name)
            .sort(),
        ]),
    );
    expect(exposed).toEqual(PUBLIC);
  });

  it("refuses a forged status change or delivery report from outside, and the order stays as it is", async () => {
    const order = makeOrder({ deliveryDelay: 60_000 });
    await publishOrder(stack, order);
    const { final: scheduled } = await waitForOrder(stack, order.id, (v) => v.status === "SCHEDULED", 20_000);
    const post = (path: string, body: unknown) =>
      fetch(`${stack.ingressUrl}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    for (const [path, body] of [
      [`order-status/${order.id}/setStatus`, { status: "DELIVERED" }],
      [`delivery-manager/${order.id}/notifyDeliveryDelivered`, { driverId: "amsterdam-forger" }],
      [
        `driver-digital-twin/amsterdam-forger/assignDelivery`,
        {
          deliveryId: order.id,
          orderId: order.id,
          region: "amsterdam",
          restaurantId: order.restaurantId,
          restaurantLocation: { x: 1, y: 1 },
          customerLocation: { x: 2, y: 2 },
        },
      ],
    ] as const) {
      const res = await post(path, body);
      expect([path, res.status, await res.text()]).toEqual([path, 400, expect.stringContaining("not public")]);
    }
    expect(await getStatus(stack, order.id)).toEqual(scheduled);
    expect((await post(`order-workflow/${order.id}/cancel`, {})).status).toBe(200);
  });

  it("refuses an order started past validation: only order-status/receive starts a workflow", async () => {
    const order = makeOrder();
    const res = await fetch(`${stack.ingressUrl}/order-workflow/${order.id}/run/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(order),
    });
    expect([res.status, await res.text()]).toEqual([400, expect.stringContaining("not public")]);
    expect((await getStatus(stack, order.id)).status).toBe("NEW");
    expect(await ledger(stack, order.id)).toEqual([]);
  });
});
