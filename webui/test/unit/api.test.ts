import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Server } from "node:http";
import { pino } from "pino";
import { createRegistry, listen } from "@food-ordering/kit";
import { HttpError } from "@food-ordering/kit";
import { secretHash, type OrderStatusView } from "@food-ordering/contracts";
import { createWebuiApp } from "../../server/app.ts";
import type { Backend } from "../../server/restate.ts";
import { orderStreams } from "../../server/sse.ts";
import { LiveState } from "../../server/live-state.ts";
import { KAFKA_DOWN_MESSAGE } from "../../server/routes.ts";

/**
 * The backend's HTTP contract with its dependencies replaced by fakes: a publisher that records
 * (or fails), and a Restate stand-in whose orders advance when the test says so.
 */
const published: Array<{ topic: string; key: string; value: unknown }> = [];
let kafkaUp = true;
const orders = new Map<string, OrderStatusView>();
const view = (
  id: string,
  status: OrderStatusView["status"],
  extra: Partial<OrderStatusView> = {},
): OrderStatusView => ({
  id,
  status,
  eta: null,
  timeline: status === "NEW" ? [] : [{ status, at: 1 }],
  region: "amsterdam",
  ...extra,
});
const cancels: string[] = [];
/** What the Kafka consumer would fill: the test pushes order updates into it. */
const liveState = new LiveState();
const OPERATOR_TOKEN = "an-operator-token-of-ours";
const CAPABILITY = "c".repeat(43);
const backend: Backend = {
  orderStatus: async (id) => {
    if (id === "restate-down")
      throw new HttpError(503, "order status: the order system is not answering; try again shortly");
    return orders.get(id) ?? view(id, "NEW");
  },
  cancelOrder: async (id, capability) => {
    // The workflow's check, as the fake's: one capability fits every order here.
    if (capability !== CAPABILITY) throw new HttpError(403, "cancel: this is not the order's cancel capability");
    cancels.push(id);
    return orders.get(id)?.status === "SCHEDULED"
      ? { cancelled: true }
      : { cancelled: false, reason: "preparation has already started" };
  },
  matcher: async (region) => ({
    region,
    availableDrivers: [],
    pendingDeliveries: ["d-1", "d-2"],
    roster: ["drv-1", "drv-2", "drv-broken"],
  }),
  driver: async (driverId) => {
    if (driverId === "drv-broken") throw new Error("twin busy");
    return {
      driverId,
      status: "DELIVERING",
      deliveriesCompleted: 3,
      region: "amsterdam",
      location: { x: 1, y: 1 },
      assignment: {
        deliveryId: `o-of-${driverId}`,
        orderId: `o-of-${driverId}`,
        region: "amsterdam",
        restaurantId: "ams-sushi",
        restaurantLocation: { x: 0, y: 0 },
        customerLocation: { x: 7, y: 3 },
      },
    };
  },
  delivery: async (deliveryId) =>
    deliveryId === "d-1"
      ? {
          deliveryId,
          orderId: "o-1",
          region: "amsterdam",
          restaurantId: "ams-sushi",
          status: "MATCHING",
          attempts: 2,
          restaurantLocation: { x: 0, y: 0 },
          customerLocation: { x: 1, y: 1 },
        }
      : null,
};

let server: Server;
let base: string;
const staticDir = fs.mkdtempSync(path.join(os.tmpdir(), "webui-static-"));
const registry = createRegistry("webui-test");

beforeAll(async () => {
  fs.writeFileSync(path.join(staticDir, "index.html"), "<!doctype html><title>shop</title>");
  const log = pino({ level: "silent" });
  const publisher = {
    publish: async (topic: string, messages: Array<{ key: string; value: unknown }>) => {
      if (!kafkaUp) throw new Error("KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092");
      for (const m of messages) published.push({ topic, ...m });
    },
  };
  const streams = orderStreams((id) => backend.orderStatus(id), { state: liveState, health: "live" }, log, {
    pollMs: 20,
    maxLifetimeMs: 10_000,
    notFoundGraceMs: 300,
    heartbeatMs: 10_000,
    driverEveryMs: 0,
    maxStreams: 3,
    maxStreamsPerClient: 2,
    retryAfterSeconds: 7,
  });
  const app = createWebuiApp({
    regions: ["amsterdam", "berlin"],
    publisher,
    backend,
    streams,
    log,
    registry,
    staticDir,
    trustProxy: "loopback",
    operatorToken: OPERATOR_TOKEN,
  });
  server = await listen(app, 0, "127.0.0.1");
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  fs.rmSync(staticDir, { recursive: true, force: true });
});

const post = (p: string, body: unknown, raw = false) =>
  fetch(`${base}${p}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? (body as string) : JSON.stringify(body),
  });
const order = { region: "amsterdam", restaurantId: "ams-burger", items: [{ productId: "ams-bg-1", quantity: 2 }] };

describe("POST /api/orders", () => {
  it("publishes the priced event keyed by a fresh id and answers 201 { id, cancelCapability }", async () => {
    const res = await post("/api/orders", order);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; cancelCapability: string };
    expect(Object.keys(body)).toEqual(["id", "cancelCapability"]);
    expect(body.cancelCapability).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.headers.get("location")).toBe(`/api/orders/${body.id}`);
    const event = published.find((p) => p.key === body.id);
    expect(event).toMatchObject({
      topic: "orders",
      value: { id: body.id, totalCost: 2100, products: order.items, deliveryDelay: 0, source: "webui" },
    });
    // Only the capability's hash travels: whoever reads the topic cannot cancel.
    expect((event!.value as { cancelCapabilityHash: string }).cancelCapabilityHash).toBe(
      secretHash(body.cancelCapability),
    );
    expect(JSON.stringify(event)).not.toContain(body.cancelCapability);
  });

  it("answers 400 with each bad field and publishes nothing", async () => {
    const before = published.length;
    const res = await post("/api/orders", {
      region: "amsterdam",
      restaurantId: "ams-burger",
      items: [{ productId: "nope", quantity: 0 }],
      extra: 1,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: string;
      details: { fields: Array<{ field: string; message: string }> };
    };
    expect(body.details.fields.map((f) => f.field).sort()).toEqual(["(body)", "items.0.productId", "items.0.quantity"]);
    expect(body.error).toMatch(/^invalid request: /);
    expect(published.length).toBe(before);
  });

  it("refuses malformed JSON, a wrong content type and oversized bodies clearly", async () => {
    const bad = await post("/api/orders", "{not json", true);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/not valid JSON/);
    const text = await fetch(`${base}/api/orders`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hi",
    });
    expect(text.status).toBe(400);
    const huge = await post("/api/orders", { ...order, padding: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/too large/);
    expect(huge.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("answers 503 with a clear message when Kafka is down, and 201 again once it is back", async () => {
    kafkaUp = false;
    const before = published.length;
    const res = await post("/api/orders", order);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe(KAFKA_DOWN_MESSAGE);
    expect(published.length).toBe(before);
    kafkaUp = true;
    expect((await post("/api/orders", order)).status).toBe(201);
  });
});

describe("GET /api/orders/:id", () => {
  it("answers the view of a known order, 404 for NEW, 400 for a malformed id, 503 when Restate is down", async () => {
    orders.set("o-known", view("o-known", "IN_DELIVERY", { eta: 123 }));
    const ok = await fetch(`${base}/api/orders/o-known`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: "o-known", status: "IN_DELIVERY", eta: 123 });
    expect((await fetch(`${base}/api/orders/o-unknown`)).status).toBe(404);
    expect((await fetch(`${base}/api/orders/${encodeURIComponent("bad id!")}`)).status).toBe(400);
    const down = await fetch(`${base}/api/orders/restate-down`);
    expect(down.status).toBe(503);
    expect(JSON.stringify(await down.json())).not.toMatch(/127\.0\.0\.1|http:/);
  });
});

describe("GET /api/orders/:id/events", () => {
  /** Reads the stream until the server ends it, as a list of [event, data]. */
  async function readStream(id: string): Promise<Array<[string, unknown]>> {
    const res = await fetch(`${base}/api/orders/${id}/events`);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    return text
      .split("\n\n")
      .filter((b) => b.startsWith("event: "))
      .map((b) => {
        const [e, d] = b.split("\n");
        return [e!.slice(7), JSON.parse(d!.slice(6))];
      });
  }

  it("pushes each change once and closes at a terminal status", async () => {
    orders.set("o-live", view("o-live", "IN_DELIVERY", { version: 1 }));
    const events = readStream("o-live");
    await new Promise((r) => setTimeout(r, 150));
    // A change arrives from the order-updates topic (Restate is not read again).
    liveState.offer(view("o-live", "DELIVERED", { version: 2 }));
    const got = await events;
    expect(
      got.map(
        ([e, d]) => `${e}:${(d as { status?: string; reason?: string }).status ?? (d as { reason: string }).reason}`,
      ),
    ).toEqual(["order:IN_DELIVERY", "order:DELIVERED", "end:DELIVERED"]);
  });

  it("waits for an order not known yet, then ends with not found", async () => {
    const got = await readStream("o-never");
    expect(got.map(([e]) => e)).toEqual(["waiting", "end"]);
    expect(got[1]![1]).toEqual({ reason: "not found" });
  });

  it("caps streams per client with 429 and in total with 503, both with Retry-After", async () => {
    orders.set("o-long", view("o-long", "SCHEDULED"));
    const open = (client: string, c: AbortController) =>
      fetch(`${base}/api/orders/o-long/events`, { signal: c.signal, headers: { "x-forwarded-for": client } });
    const held = [new AbortController(), new AbortController(), new AbortController()];
    expect((await open("10.0.0.1", held[0]!)).status).toBe(200);
    expect((await open("10.0.0.1", held[1]!)).status).toBe(200);
    const third = await open("10.0.0.1", new AbortController());
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("7");
    // Another client still gets a stream while the first is at its cap...
    expect((await open("10.0.0.2", held[2]!)).status).toBe(200);
    // ...until the total is reached.
    const full = await open("10.0.0.3", new AbortController());
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("7");
    for (const c of held) c.abort();
    await new Promise((r) => setTimeout(r, 100));
    const again = new AbortController();
    expect((await open("10.0.0.1", again)).status).toBe(200);
    again.abort();
  });

  it("keeps metric series flat however odd the paths (route templates and fixed words, never raw paths)", async () => {
    const series = async () =>
      (await registry.metrics()).split("\n").filter((l) => l.startsWith("food_ordering_http_requests_total{")).length;
    const odd = (i: number) => [
      `/track/o-${i}`,
      `/api/orders/o-${i}`,
      `/api/nope-${i}/x`,
      `/assets/missing-${i}.js`,
      `/${"%41".repeat(i % 5)}weird-${i}?q=${i}`,
    ];
    for (const p of odd(0)) await fetch(`${base}${p}`);
    await fetch(`${base}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{bad",
    });
    const before = await series();
    for (let i = 1; i <= 40; i++) {
      for (const p of odd(i)) await fetch(`${base}${p}`);
      await fetch(`${base}/api/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: `{bad${i}`,
      });
    }
    expect(await series()).toBe(before);
  });
});

describe("POST /api/orders/:id/cancel", () => {
  it("cancels while allowed, refuses with 409 and a reason otherwise, 404 for unknown orders", async () => {
    orders.set("o-sched", view("o-sched", "SCHEDULED"));
    orders.set("o-prep", view("o-prep", "IN_PREPARATION"));
    orders.set("o-done", view("o-done", "DELIVERED"));
    const capability = CAPABILITY;
    const ok = await post("/api/orders/o-sched/cancel", { capability });
    expect([ok.status, await ok.json()]).toEqual([200, { cancelled: true }]);
    const late = await post("/api/orders/o-prep/cancel", { capability });
    expect([late.status, await late.json()]).toEqual([
      409,
      { cancelled: false, reason: "preparation has already started" },
    ]);
    const done = await post("/api/orders/o-done/cancel", { capability });
    expect([done.status, await done.json()]).toEqual([
      409,
      { cancelled: false, reason: "the order is already delivered" },
    ]);
    expect(cancels).not.toContain("o-done");
    expect((await post("/api/orders/o-nobody/cancel", { capability })).status).toBe(404);
    expect((await post("/api/orders/o-sched/cancel", { reason: 5, capability })).status).toBe(400);
  });

  it("refuses a cancel without the capability (401) before asking anyone, and passes on the workflow's 403", async () => {
    orders.set("o-later", view("o-later", "SCHEDULED"));
    const before = cancels.length;
    const without = await post("/api/orders/o-later/cancel", { reason: "not mine" });
    expect([without.status, ((await without.json()) as { error: string }).error]).toEqual([
      401,
      expect.stringContaining("cancel capability"),
    ]);
    const wrong = await post("/api/orders/o-later/cancel", { capability: "w".repeat(43) });
    expect([wrong.status, ((await wrong.json()) as { error: string }).error]).toEqual([
      403,
      expect.stringContaining("not the order's cancel capability"),
    ]);
    expect((await post("/api/orders/o-later/cancel", { capability: "short" })).status).toBe(400);
    expect(cancels.length).toBe(before);
  });
});

describe("GET /api/fleet/:region", () => {
  const fleetOf = (authorization?: string) =>
    fetch(`${base}/api/fleet/amsterdam`, { headers: authorization ? { authorization } : {} });

  it("joins the matcher with each driver and waiting delivery for operators, reporting unreadable drivers", async () => {
    const res = await fleetOf(`Bearer ${OPERATOR_TOKEN}`);
    expect(res.status).toBe(200);
    const fleet = (await res.json()) as Record<string, unknown>;
    expect(fleet).toMatchObject({
      access: "operator",
      region: "amsterdam",
      counts: { DELIVERING: 2, WAITING_FOR_WORK: 0, IDLE: 0, OFFLINE: 0 },
      unreadable: ["drv-broken"],
      waiting: [{ deliveryId: "d-1", orderId: "o-1", restaurantId: "ams-sushi", attempts: 2 }, { deliveryId: "d-2" }],
      bottleneck: true,
    });
    const drivers = fleet.drivers as Array<{ driverId: string; assignment?: { customerLocation: unknown } }>;
    expect(drivers.map((d) => d.driverId)).toEqual(["drv-1", "drv-2"]);
    expect(drivers[0]!.assignment?.customerLocation).toEqual({ x: 7, y: 3 });
    expect((await fetch(`${base}/api/fleet/paris`)).status).toBe(404);
  });

  it("shows anonymous visitors the same fleet without customers' addresses, order or delivery ids", async () => {
    const res = await fleetOf();
    expect([res.status, res.headers.get("vary")]).toEqual([200, expect.stringMatching(/authorization/i)]);
    const fleet = (await res.json()) as Record<string, unknown>;
    expect(fleet).toMatchObject({
      access: "public",
      counts: { DELIVERING: 2, WAITING_FOR_WORK: 0, IDLE: 0, OFFLINE: 0 },
      waiting: [{ restaurantId: "ams-sushi", attempts: 2 }, {}],
      bottleneck: true,
    });
    const text = JSON.stringify(fleet);
    for (const hidden of ["customerLocation", "orderId", "deliveryId", "o-of-drv-1", "o-1", "d-1"])
      expect(text).not.toContain(hidden);
  });

  it("answers 401 with WWW-Authenticate to a wrong operator token, whatever its scheme", async () => {
    for (const authorization of ["Bearer wrong-token-wrong-token", `Basic ${OPERATOR_TOKEN}`, "Bearer"]) {
      const res = await fleetOf(authorization);
      expect([authorization, res.status]).toEqual([authorization, 401]);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="operator"');
    }
  });
});

describe("the shop's pages and headers", () => {
  it("serves index.html for app paths with security headers, JSON 404 for unknown API paths", async () => {
    const page = await fetch(`${base}/orders/some-id`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>shop</title>");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("x-powered-by")).toBeNull();
    const api = await fetch(`${base}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: string }).error).toBe("no API route GET /api/nope");
  });

  it("lists only the served regions in the catalog", async () => {
    const catalog = (await (await fetch(`${base}/api/catalog`)).json()) as { regions: Array<{ id: string }> };
    expect(catalog.regions.map((r) => r.id)).toEqual(["amsterdam", "berlin"]);
  });
});
