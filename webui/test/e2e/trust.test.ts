import http from "node:http";
import { describe, expect, inject, it } from "vitest";
import type { FleetView, OrderView, PlaceOrderResponse } from "../../server/api-types.ts";

/**
 * The shop's edges on the shared stack: only whoever holds an order's cancel capability (handed
 * out with the order id) can cancel it, and the fleet view shows customers' addresses and order
 * ids to operators only (the stack's OPERATOR_TOKEN), drivers and counts to anyone; one client
 * cannot hold every live-update stream.
 */
const stack = inject("stack");
const base = stack.webuiUrl!;

const post = (p: string, body: unknown) =>
  fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const fleet = (region: string, authorization?: string) =>
  fetch(`${base}/api/fleet/${region}`, { headers: authorization ? { authorization } : {} });
const order = (over: Record<string, unknown> = {}) => ({
  region: "amsterdam",
  restaurantId: "ams-sushi",
  items: [{ productId: "ams-su-1", quantity: 1 }],
  ...over,
});

async function place(body: Record<string, unknown>): Promise<PlaceOrderResponse> {
  const res = await post("/api/orders", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as PlaceOrderResponse;
}

async function viewWhen(id: string, want: (v: OrderView) => boolean): Promise<OrderView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${base}/api/orders/${id}`);
    if (res.status === 200) {
      const v = (await res.json()) as OrderView;
      if (want(v)) return v;
    }
    expect(Date.now(), `order ${id} did not reach the wanted state`).toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("cancelling through the shop", () => {
  it("needs the order's own capability: 401 without, 403 with another, and the order stays as it is", async () => {
    const later = { deliverAt: new Date(Date.now() + 3_600_000).toISOString() };
    const mine = await place(order(later));
    const theirs = await place(order(later));
    expect(mine.cancelCapability).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mine.cancelCapability).not.toBe(theirs.cancelCapability);
    const scheduled = await viewWhen(mine.id, (v) => v.status === "SCHEDULED");

    const without = await post(`/api/orders/${mine.id}/cancel`, { reason: "a stranger" });
    expect([without.status, ((await without.json()) as { error: string }).error]).toEqual([
      401,
      expect.stringContaining("cancel capability"),
    ]);
    const another = await post(`/api/orders/${mine.id}/cancel`, { capability: theirs.cancelCapability });
    expect([another.status, ((await another.json()) as { error: string }).error]).toEqual([
      403,
      expect.stringContaining("not the order's cancel capability"),
    ]);
    expect(await (await fetch(`${base}/api/orders/${mine.id}`)).json()).toEqual(scheduled);

    const own = await post(`/api/orders/${mine.id}/cancel`, { capability: mine.cancelCapability });
    expect([own.status, await own.json()]).toEqual([200, { cancelled: true }]);
    await viewWhen(mine.id, (v) => v.status === "CANCELLED");
    expect((await viewWhen(theirs.id, () => true)).status).toBe("SCHEDULED");
    const theirsToo = await post(`/api/orders/${theirs.id}/cancel`, { capability: theirs.cancelCapability });
    expect(theirsToo.status).toBe(200);
  });
});

describe("the fleet view", () => {
  it("shows anonymous visitors drivers and counts but no customer's address or order id; operators everything", async () => {
    const { id } = await place(order());
    const operator = `Bearer ${stack.credentials.operatorToken}`;
    // Catch the order's driver on the way: both views read at the same moment.
    let seen: { full: FleetView; anonymous: FleetView } | undefined;
    const deadline = Date.now() + 60_000;
    while (!seen) {
      const [full, anonymous] = (await Promise.all(
        [fleet("amsterdam", operator), fleet("amsterdam")].map(async (r) => (await r).json()),
      )) as [FleetView, FleetView];
      const driver = full.drivers.find((d) => d.assignment?.orderId === id);
      if (driver && anonymous.drivers.find((d) => d.driverId === driver.driverId)?.status === "DELIVERING")
        seen = { full, anonymous };
      else expect(Date.now(), `no driver of order ${id} seen in the fleet view`).toBeLessThan(deadline);
    }
    const { full, anonymous } = seen;
    expect(full.access).toBe("operator");
    expect(full.drivers.find((d) => d.assignment?.orderId === id)?.assignment?.customerLocation).toBeDefined();

    expect(anonymous.access).toBe("public");
    expect(anonymous.drivers.length).toBeGreaterThan(0);
    expect(anonymous.drivers.every((d) => d.assignment === undefined)).toBe(true);
    expect(Object.values(anonymous.counts).reduce((a, b) => a + b, 0)).toBe(anonymous.drivers.length);
    const text = JSON.stringify(anonymous);
    for (const secret of [id, "customerLocation", "orderId", "deliveryId"]) expect(text).not.toContain(secret);
  });

  it("refuses a wrong operator token with 401 instead of quietly serving the public view", async () => {
    for (const authorization of [
      "Bearer not-the-operator-token",
      `Bearer ${stack.credentials.operatorToken}x`,
      `Basic ${Buffer.from(`operator:${stack.credentials.operatorToken}`).toString("base64")}`,
    ]) {
      const res = await fleet("berlin", authorization);
      expect([authorization, res.status]).toEqual([authorization, 401]);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(JSON.stringify(await res.json())).not.toContain("drivers");
    }
  });
});

describe("live-update streams", () => {
  /** Opens an order's stream from a loopback address of our choosing: each is a client of its own. */
  const open = (id: string, from: string, headers: Record<string, string> = {}) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.get(`${base}/api/orders/${id}/events`, { localAddress: from, headers }, resolve);
      req.on("error", reject);
    });
  const body = (res: http.IncomingMessage) =>
    new Promise<string>((resolve) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c));
      res.on("end", () => resolve(text));
    });

  it("caps one client's streams with 429 and Retry-After while another client still gets one", async () => {
    const { id } = await place(order({ deliverAt: new Date(Date.now() + 3_600_000).toISOString() }));
    await viewWhen(id, (v) => v.status === "SCHEDULED");
    // The stack's web UI runs with the defaults: 10 streams per client, X-Forwarded-For not believed.
    const held = await Promise.all(Array.from({ length: 10 }, () => open(id, "127.0.0.2")));
    try {
      expect(held.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
      const over = await open(id, "127.0.0.2");
      expect([over.statusCode, over.headers["retry-after"], await body(over)]).toEqual([
        429,
        expect.stringMatching(/^\d+$/),
        expect.stringContaining("too many live updates open from this client"),
      ]);
      const spoofed = await open(id, "127.0.0.2", { "x-forwarded-for": "10.9.9.9" });
      expect(spoofed.statusCode, "a client names itself another in X-Forwarded-For").toBe(429);
      spoofed.resume();

      const other = await open(id, "127.0.0.3");
      expect([other.statusCode, other.headers["content-type"]]).toEqual([
        200,
        expect.stringMatching(/^text\/event-stream/),
      ]);
      other.destroy();
    } finally {
      for (const res of held) res.destroy();
    }
  });
});
