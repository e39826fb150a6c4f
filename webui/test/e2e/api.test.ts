import { beforeAll, describe, expect, inject, it } from "vitest";
import type { FleetView, OrderStatusView, PlaceOrderResponse } from "../../server/api-types.ts";
import { readCatalogRegion, type Location } from "@food-ordering/contracts";
import { DELIVERED_TIMELINE, E2E_EXTRA_REGION, farCustomerLocation, processMetric } from "@food-ordering/testkit";

/**
 * The web UI's API as the real process serves it on the shared stack: orders placed through it
 * travel the whole pipeline; its live stream, cancel, fleet view and validation answer as
 * documented. Every order here is new (ids come from the server), so other tests can share the stack.
 */
const stack = inject("stack");
const base = stack.webuiUrl!;

const post = (p: string, body: unknown) =>
  fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
/** Places an order through the shop; remembers its cancel capability, as the browser does. */
const capabilities = new Map<string, string>();
const placeOrder = async (body: Record<string, unknown>): Promise<string> => {
  const res = await post("/api/orders", body);
  expect(res.status, await res.clone().text()).toBe(201);
  const { id, cancelCapability } = (await res.json()) as PlaceOrderResponse;
  capabilities.set(id, cancelCapability);
  return id;
};
const burger = {
  region: "amsterdam",
  restaurantId: "ams-burger",
  items: [
    { productId: "ams-bg-2", quantity: 1 },
    { productId: "ams-bg-3", quantity: 2 },
  ],
};

/** Reads the order's event stream until the server ends it: [event, data] in arrival order. */
async function follow(id: string, timeoutMs = 60_000): Promise<Array<[string, unknown]>> {
  const res = await fetch(`${base}/api/orders/${id}/events`, { signal: AbortSignal.timeout(timeoutMs) });
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events: Array<[string, unknown]> = [];
  for (const block of (await res.text()).split("\n\n")) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (event && data) events.push([event, JSON.parse(data)]);
  }
  return events;
}

async function waitForStatus(
  id: string,
  want: (v: OrderStatusView) => boolean,
  timeoutMs = 30_000,
): Promise<OrderStatusView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${base}/api/orders/${id}`);
    if (res.status === 200) {
      const v = (await res.json()) as OrderStatusView;
      if (want(v)) return v;
    } else expect(res.status, "only 404 while the order is on its way through Kafka").toBe(404);
    if (Date.now() > deadline) throw new Error(`order ${id} did not reach the wanted state in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Streams push from Kafka once the web UI's consumer has joined (before, they read Restate every 500 ms).
beforeAll(async () => {
  const deadline = Date.now() + 60_000;
  while ((await processMetric(stack, "webui", "food_ordering_webui_live_updates_up")) !== 1) {
    if (Date.now() > deadline) throw new Error("the web UI receives no live updates from Kafka");
    await new Promise((r) => setTimeout(r, 250));
  }
}, 70_000);

describe("web UI API on the shared stack", () => {
  it("places an order that the stream follows through every status to DELIVERED", async () => {
    const t = Date.now();
    const id = await placeOrder({
      ...burger,
      customerLocation: farCustomerLocation(burger.region, burger.restaurantId),
    });
    const events = await follow(id);
    const views = events.filter(([e]) => e === "order").map(([, d]) => d as OrderStatusView);
    expect(events.at(-1)).toEqual(["end", { reason: "DELIVERED" }]);
    const final = views.at(-1)!;
    expect(final).toMatchObject({
      id,
      status: "DELIVERED",
      region: "amsterdam",
      restaurantId: "ams-burger",
      totalCost: 990 + 2 * 400,
    });
    expect(final.timeline.map((e) => e.status)).toEqual(DELIVERED_TIMELINE);
    // Pushed from order-updates: every change, in order, none skipped (versions count the changes).
    for (let i = 1; i < views.length; i++) expect(views[i]!.version).toBe(views[i - 1]!.version! + 1);
    // Each status after the stream opened as a view of its own (an order for now records SCHEDULED
    // in the same change as IN_PREPARATION).
    const shown = [...new Set(views.map((v) => v.status))];
    expect(shown.slice(shown.indexOf("IN_PREPARATION"))).toEqual(DELIVERED_TIMELINE.slice(2));
    expect(views.some((v) => v.status === "IN_DELIVERY" && v.eta !== null && v.driverLocation)).toBe(true);
    // The driver's fixes from driver-updates, between the order's own changes.
    const fixes = events.filter(([e]) => e === "driver").map(([, d]) => d as { driverId: string; location: Location });
    expect(fixes.length, "the driver's position was pushed while on the way").toBeGreaterThan(0);
    expect(new Set(fixes.map((f) => f.driverId))).toEqual(new Set([final.driverId]));
    const places = new Set(fixes.map((f) => `${f.location.x},${f.location.y}`));
    console.log(`[api] order ${id}: ${fixes.length} driver fixes pushed, ${places.size} places`);
    expect(places.size, "the driver was seen moving: more than one place pushed").toBeGreaterThan(1);
    expect(Date.now() - t).toBeLessThan(45_000);
    const read = await fetch(`${base}/api/orders/${id}`);
    expect(await read.json()).toEqual(final);
  });

  it("shows a declined payment as REJECTED with its reason", async () => {
    const id = await placeOrder({ ...burger, paymentToken: "tok_chargeDeclined" });
    const v = await waitForStatus(id, (v) => v.status === "REJECTED");
    expect(v.rejectionReason).toMatch(/^payment declined/);
  });

  it("cancels an order scheduled for later, then refuses a second cancel", async () => {
    const id = await placeOrder({ ...burger, deliverAt: new Date(Date.now() + 3_600_000).toISOString() });
    await waitForStatus(id, (v) => v.status === "SCHEDULED");
    const capability = capabilities.get(id);
    const res = await post(`/api/orders/${id}/cancel`, { reason: "changed my mind", capability });
    expect([res.status, await res.json()]).toEqual([200, { cancelled: true }]);
    const v = await waitForStatus(id, (v) => v.status === "CANCELLED");
    expect(v.timeline.at(-1)).toMatchObject({ status: "CANCELLED", detail: "changed my mind" });
    const again = await post(`/api/orders/${id}/cancel`, { capability });
    expect([again.status, await again.json()]).toEqual([
      409,
      { cancelled: false, reason: "the order is already cancelled" },
    ]);
  });

  it("answers 404 to reading or cancelling an order it never saw", async () => {
    expect((await fetch(`${base}/api/orders/web-never-placed-${Date.now()}`)).status).toBe(404);
    const capability = "x".repeat(43);
    expect((await post(`/api/orders/web-never-placed-${Date.now()}/cancel`, { capability })).status).toBe(404);
  });

  it("validates orders field by field and limits the body size", async () => {
    const bad = await post("/api/orders", {
      region: "amsterdam",
      restaurantId: "ams-burger",
      items: [{ productId: "ams-pz-1", quantity: -1 }],
      deliverAt: "2000-01-01T00:00:00Z",
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { details: { fields: Array<{ field: string }> } };
    expect(body.details.fields.map((f) => f.field).sort()).toEqual([
      "deliverAt",
      "items.0.productId",
      "items.0.quantity",
    ]);
    const huge = await fetch(`${base}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...burger, note: "x".repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
  });

  it("serves each region's fleet with its drivers", async () => {
    for (const region of stack.regions) {
      const res = await fetch(`${base}/api/fleet/${region}`);
      expect(res.status).toBe(200);
      const fleet = (await res.json()) as FleetView;
      expect(fleet.region).toBe(region);
      expect(fleet.drivers.length).toBeGreaterThan(0);
      for (const d of fleet.drivers) expect(d.driverId.startsWith(`${region}-`)).toBe(true);
      const counted = Object.values(fleet.counts).reduce((a, b) => a + b, 0);
      expect(counted).toBe(fleet.drivers.length);
    }
  });

  it("draws a region added by configuration from the live catalog: its name, map and restaurants", async () => {
    const fleet = (await (await fetch(`${base}/api/fleet/${E2E_EXTRA_REGION}`)).json()) as FleetView;
    const entry = (await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION))!.region;
    expect({ name: fleet.name, sizeKm: fleet.sizeKm }).toEqual({ name: entry.name, sizeKm: entry.sizeKm });
    expect(fleet.restaurants.map((r) => r.id).sort()).toEqual(entry.restaurants.map((r) => r.id).sort());
  });

  it("sends security headers and keeps internal addresses out of the page and bundle", async () => {
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    const scripts = [...html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const internal = [
      new URL(stack.ingressUrl).host,
      new URL(stack.adminUrl).host,
      ...stack.kafkaBrokers,
      "RESTATE_INGRESS_URL",
      "KAFKA_BROKERS",
    ];
    for (const src of scripts) {
      const js = await fetch(`${base}${src}`);
      expect(js.headers.get("cache-control")).toMatch(/immutable/);
      const text = await js.text();
      for (const s of internal) expect(text.includes(s), `bundle mentions ${s}`).toBe(false);
    }
  });
});
