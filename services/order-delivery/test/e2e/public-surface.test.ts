import { afterAll, describe, expect, inject, it } from "vitest";
import {
  cancellableOrder,
  closeProducer,
  getStatus,
  ledger,
  makeOrder,
  publishOrder,
  waitForOrder,
} from "@food-ordering/testkit";

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
  // Reads are public; writes check the operator token in the handler.
  catalog: ["get", "put", "retire", "setPrice", "upsertRestaurant"],
  "catalog-directory": ["list"],
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
    const { order, capability } = cancellableOrder({ deliveryDelay: 60_000 });
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
    expect((await post(`order-workflow/${order.id}/cancel`, { capability })).status).toBe(200);
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

describe("the service endpoint itself", () => {
  /** One HTTP/2 request to the endpoint (it speaks h2c, as Restate calls it), with or without a signature. */
  async function h2(path: string, headers: Record<string, string> = {}, body?: string) {
    const { connect } = await import("node:http2");
    const session = connect(stack.endpointUrl);
    try {
      return await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = session.request({ ":method": body ? "POST" : "GET", ":path": path, ...headers });
        let text = "";
        req.on("response", (h) => {
          req.on("data", (d: Buffer) => (text += d.toString()));
          req.on("end", () => resolve({ status: Number(h[":status"]), body: text }));
        });
        req.on("error", reject);
        req.end(body);
      });
    } finally {
      session.close();
    }
  }

  it("refuses requests Restate did not sign with 401, so reaching its port is not enough to run a handler", async () => {
    const discover = await h2("/discover", { accept: "application/vnd.restate.endpointmanifest.v3+json" });
    expect(discover.status).toBe(401);
    const invoke = await h2(
      "/invoke/order-status/get",
      {
        "content-type": "application/vnd.restate.invocation.v5",
        "x-restate-signature-scheme": "v1",
        "x-restate-jwt-v1": "eyJhbGciOiJFZERTQSJ9.e30.c2lnbmF0dXJl",
      },
      "\u0000",
    );
    expect(invoke.status).toBe(401);
    // Restate's own, signed requests keep working: an order still goes all the way.
    const order = makeOrder();
    await publishOrder(stack, order);
    expect((await waitForOrder(stack, order.id)).final.status).toBe("DELIVERED");
  });
});
