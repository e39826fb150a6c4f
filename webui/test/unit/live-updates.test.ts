import { afterAll, beforeAll, describe, expect, it } from "vitest";
import express from "express";
import type { Server } from "node:http";
import { pino } from "pino";
import { errorHandler, listen } from "@food-ordering/kit";
import { followEventStream } from "@food-ordering/testkit";
import { readOrderUpdate, type OrderStatusView } from "@food-ordering/contracts";
import { BoundedMap, LiveState, withLatestPosition, type DriverFix } from "../../server/live-state.ts";
import { withFix } from "../../server/fleet.ts";
import { DELAYED_MESSAGE, orderStreams, type ReadReason } from "../../server/sse.ts";
import type { LiveHealth } from "../../server/live-updates.ts";

const view = (id: string, status: OrderStatusView["status"], version?: number, extra: Partial<OrderStatusView> = {}) =>
  ({
    id,
    status,
    eta: null,
    timeline: [{ status, at: 1 }],
    region: "amsterdam",
    ...(version === undefined ? {} : { version }),
    ...extra,
  }) as OrderStatusView;
const fix = (driverId: string, at: number, x = 1, region = "amsterdam"): DriverFix => ({
  driverId,
  region,
  location: { x, y: 1 },
  at,
});
const noop = { changed: () => undefined, driverMoved: () => undefined };

describe("LiveState: the consumer's bookkeeping", () => {
  it("keeps the highest version of a watched order and tells its watchers only of newer ones", () => {
    const state = new LiveState();
    let told = 0;
    const stop = state.watch("o1", { changed: () => told++, driverMoved: () => undefined });
    expect(state.offer(view("o1", "SCHEDULED", 2))).toBe(true);
    expect(state.offer(view("o1", "CREATED", 1))).toBe(false); // late: a read behind the topic
    expect(state.offer(view("o1", "SCHEDULED", 2))).toBe(false); // a retried publish
    expect(state.offer(view("o1", "IN_PREPARATION", 3))).toBe(true);
    expect(state.view("o1")?.status).toBe("IN_PREPARATION");
    expect(told).toBe(2);
    stop();
    expect(state.watchedOrders).toBe(0);
  });

  it("keeps a bounded number of unwatched orders, for a page that opens just after a change", () => {
    const state = new LiveState({ drivers: 10, recentOrders: 3 });
    for (let i = 0; i < 10; i++) state.offer(view(`o${i}`, "CREATED", 1));
    expect(state.recentOrders).toBe(3);
    expect(state.view("o9")?.status).toBe("CREATED");
    expect(state.view("o0")).toBeUndefined();
    // A page watching o9 starts from what was seen; when it leaves, o9 is recent again.
    const stop = state.watch("o9", noop);
    expect(state.view("o9")?.version).toBe(1);
    stop();
    expect(state.view("o9")?.version).toBe(1);
  });

  it("keeps the latest fix of at most `drivers` drivers, dropping the least recently reported", () => {
    const state = new LiveState({ drivers: 2, recentOrders: 10 });
    expect(state.recordFix(fix("a", 10))).toBe(true);
    expect(state.recordFix(fix("b", 10))).toBe(true);
    expect(state.recordFix(fix("a", 5))).toBe(false); // older than the one kept
    expect(state.recordFix(fix("a", 20, 3))).toBe(true);
    expect(state.recordFix(fix("c", 10))).toBe(true); // b was reported least recently
    expect(state.trackedDrivers).toBe(2);
    expect(state.position("b")).toBeUndefined();
    expect(state.position("a")?.location.x).toBe(3);
  });

  it("passes a fix to the pages of the orders that driver delivers, in their region only", () => {
    const state = new LiveState();
    const moved: DriverFix[] = [];
    state.watch("o1", { changed: () => undefined, driverMoved: (f) => moved.push(f) });
    state.offer(view("o1", "IN_DELIVERY", 5, { driverId: "d1" }));
    state.recordFix(fix("d1", 1));
    state.recordFix(fix("d2", 1));
    state.recordFix(fix("d1", 2, 1, "berlin"));
    expect(moved.map((f) => f.at)).toEqual([1]);
    // The order got another driver (reassigned): the old one's fixes no longer reach it.
    state.offer(view("o1", "WAITING_FOR_DRIVER", 6, { driverId: "d3" }));
    state.recordFix(fix("d1", 3));
    state.recordFix(fix("d3", 3));
    expect(moved.map((f) => f.driverId)).toEqual(["d1", "d3"]);
  });

  it("lays the latest fix over the view's last reported position while the driver is shown", () => {
    const v = view("o1", "IN_DELIVERY", 5, { driverId: "d1", driverLocation: { x: 0, y: 0 } });
    expect(withLatestPosition(v, fix("d1", 9, 4)).driverLocation).toEqual({ x: 4, y: 1 });
    expect(withLatestPosition(v, fix("d2", 9, 4)).driverLocation).toEqual({ x: 0, y: 0 });
    expect(withLatestPosition({ ...v, status: "DELIVERED" }, fix("d1", 9, 4))).toEqual({ ...v, status: "DELIVERED" });
  });

  it("moves a fleet driver to a newer fix of its region, not to an older one or another region's", () => {
    const d = {
      driverId: "d1",
      status: "DELIVERING" as const,
      lastSeen: 100,
      location: { x: 0, y: 0 },
      deliveriesCompleted: 0,
    };
    expect(withFix(d, "amsterdam", fix("d1", 200, 5))).toMatchObject({ location: { x: 5, y: 1 }, lastSeen: 200 });
    expect(withFix(d, "amsterdam", fix("d1", 50, 5))).toBe(d);
    expect(withFix(d, "amsterdam", fix("d1", 200, 5, "berlin"))).toBe(d);
  });

  it("bounded map: re-setting a key makes it the most recent", () => {
    const m = new BoundedMap<string, number>(2);
    m.set("a", 1);
    m.set("b", 2);
    m.set("a", 3);
    m.set("c", 4);
    expect([m.get("a"), m.get("b"), m.get("c")]).toEqual([3, undefined, 4]);
  });

  it("reads order-updates records strictly: key, version and status checked, bad ones refused", () => {
    const good = JSON.stringify(view("o1", "CREATED", 1));
    expect(readOrderUpdate("o1", good)).toMatchObject({ ok: true, value: { id: "o1", version: 1 } });
    expect(readOrderUpdate("o2", good)).toMatchObject({ ok: false, reason: expect.stringMatching(/record key "o2"/) });
    expect(readOrderUpdate("o1", JSON.stringify(view("o1", "CREATED")))).toMatchObject({ ok: false });
    expect(readOrderUpdate("o1", "{not json")).toMatchObject({ ok: false, reason: expect.stringMatching(/JSON/) });
    expect(readOrderUpdate("o1", null)).toMatchObject({ ok: false, reason: "empty record" });
  });
});

describe("order streams fed by the live state", () => {
  const state = new LiveState();
  const live = { state, health: "live" as LiveHealth };
  const restate = new Map<string, OrderStatusView>();
  const reads: Array<[string, ReadReason]> = [];
  let server: Server;
  let base = "";
  beforeAll(async () => {
    const streams = orderStreams(
      async (id) => restate.get(id) ?? { id, status: "NEW", eta: null, timeline: [] },
      live,
      pino({ level: "silent" }),
      {
        pollMs: 50,
        maxLifetimeMs: 20_000,
        notFoundGraceMs: 300,
        heartbeatMs: 10_000,
        driverEveryMs: 0,
        maxStreams: 10,
        maxStreamsPerClient: 10,
        retryAfterSeconds: 1,
      },
      (reason, id) => reads.push([id, reason]),
    );
    const app = express();
    app.get("/events/:id", (req, res) => {
      streams.open(res, req.params.id, "client");
    });
    app.use(errorHandler(pino({ level: "silent" })));
    server = await listen(app, 0, "127.0.0.1");
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const follow = (id: string) => followEventStream(`${base}/events/${id}`);
  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check(), what).toBe(true);
  };
  const summary = (events: Array<[string, Record<string, unknown>]>) =>
    events.map(([e, d]) => `${e}:${String(d.status ?? d.reason ?? d.error ?? d.driverId ?? "")}`);

  it("reads Restate once when it opens, however many changes are pushed", async () => {
    restate.set("p1", view("p1", "CREATED", 1));
    const s = follow("p1");
    await until(() => s.events.length === 1, "the first view");
    for (const [i, status] of (["SCHEDULED", "IN_PREPARATION", "SCHEDULING_DELIVERY", "DELIVERED"] as const).entries())
      state.offer(view("p1", status, i + 2));
    await s.done;
    expect(summary(s.events)).toEqual([
      "order:CREATED",
      "order:SCHEDULED",
      "order:IN_PREPARATION",
      "order:SCHEDULING_DELIVERY",
      "order:DELIVERED",
      "end:DELIVERED",
    ]);
    expect(reads.filter(([id]) => id === "p1")).toEqual([["p1", "open"]]);
  });

  it("waits for an unknown order without reading again until the topic brings it", async () => {
    const s = follow("p2");
    await until(() => s.events.length === 1, "waiting");
    state.offer(view("p2", "REJECTED", 1, { rejectionReason: "payment declined" }));
    await s.done;
    expect(summary(s.events)).toEqual(["waiting:", "order:REJECTED", "end:REJECTED"]);
    expect(reads.filter(([id]) => id === "p2").map(([, r]) => r)).toEqual(["open"]);
  });

  it("sends the driver's fixes while it is on the way", async () => {
    restate.set("p3", view("p3", "IN_DELIVERY", 4, { driverId: "drv-9" }));
    const s = follow("p3");
    await until(() => s.events.length === 1, "the first view");
    state.recordFix(fix("drv-9", Date.now(), 2));
    state.recordFix(fix("drv-8", Date.now(), 3));
    await until(() => s.events.length === 2, "a driver event");
    expect(s.events[1]).toEqual(["driver", { driverId: "drv-9", location: { x: 2, y: 1 }, at: expect.any(Number) }]);
    s.close();
  });

  it("while live updates are down: says so, reads every pollMs, and once they are back reads once and goes quiet", async () => {
    restate.set("p4", view("p4", "SCHEDULED", 2));
    const s = follow("p4");
    await until(() => s.events.length === 1, "the first view");
    live.health = "down";
    state.wakeAll();
    await until(() => s.events.some(([e]) => e === "problem"), "a problem event");
    expect(s.events.at(-1)).toEqual(["problem", { error: DELAYED_MESSAGE }]);
    restate.set("p4", view("p4", "CANCELLED", 3));
    await s.done;
    expect(summary(s.events)).toEqual([
      "order:SCHEDULED",
      "problem:" + DELAYED_MESSAGE,
      "order:CANCELLED",
      "end:CANCELLED",
    ]);
    expect(reads.filter(([id, r]) => id === "p4" && r === "fallback").length).toBeGreaterThan(0);

    // Back: a stream that saw the outage reads once to catch up, says all is well, and stops reading.
    restate.set("p5", view("p5", "SCHEDULED", 2));
    const t = follow("p5");
    await until(() => t.events.length === 2, "view and problem");
    live.health = "live";
    state.wakeAll();
    await until(() => t.events.length === 3, "the view again");
    expect(summary(t.events)).toEqual(["order:SCHEDULED", "problem:" + DELAYED_MESSAGE, "order:SCHEDULED"]);
    const readsThen = reads.filter(([id]) => id === "p5").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(reads.filter(([id]) => id === "p5").length).toBe(readsThen);
    expect(reads.filter(([id]) => id === "p5").at(-1)?.[1]).toBe("resync");
    t.close();
  });
});
