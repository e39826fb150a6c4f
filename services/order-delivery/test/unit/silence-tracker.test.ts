import { describe, expect, it } from "vitest";
import { SilenceTracker } from "../../src/delivery/silence-tracker.ts";
import { fixOf } from "../../src/delivery/lease-watcher.ts";

const LEASE = 60_000;
const T0 = 1_000_000;

describe("the lease watcher's memory of delivering drivers", () => {
  it("calls a driver silent once its fixes naming the order stopped for more than a lease", () => {
    const t = new SilenceTracker(LEASE);
    t.fix("d1", "o1", T0);
    t.fix("d1", "o1", T0 + 30_000);
    expect(t.silent(T0 + 30_000 + LEASE)).toEqual([]);
    expect(t.silent(T0 + 30_001 + LEASE)).toEqual([{ driverId: "d1", orderId: "o1", silentMs: LEASE + 1 }]);
  });

  it("keeps a silent driver until the twin was told, then stops watching it", () => {
    const t = new SilenceTracker(LEASE);
    t.fix("d1", "o1", T0);
    const late = T0 + LEASE + 1;
    expect(t.silent(late)).toHaveLength(1);
    expect(t.silent(late + 1000)).toHaveLength(1); // telling failed: told again at the next scan
    t.told({ driverId: "d1", orderId: "o1" });
    expect(t.silent(late + 2000)).toEqual([]);
    expect(t.size).toBe(0);
  });

  it("watches a driver from its assignment, before any fix: an app gone during its poll is found out", () => {
    const t = new SilenceTracker(LEASE);
    t.order("o1", "SCHEDULING_DELIVERY", undefined, T0);
    t.order("o1", "WAITING_FOR_DRIVER", "d1", T0 + 1000);
    expect(t.silent(T0 + 1000 + LEASE + 1)).toEqual([{ driverId: "d1", orderId: "o1", silentMs: LEASE + 1 }]);
  });

  it("does not restart a watch on a repeated view of the same assignment", () => {
    const t = new SilenceTracker(LEASE);
    t.order("o1", "WAITING_FOR_DRIVER", "d1", T0);
    t.order("o1", "IN_DELIVERY", "d1", T0 + 50_000);
    expect(t.silent(T0 + LEASE + 1)).toHaveLength(1);
    // After the twin was told, the view that says the driver went offline (it still names it) starts nothing.
    t.told({ driverId: "d1", orderId: "o1" });
    t.order("o1", "WAITING_FOR_DRIVER", "d1", T0 + LEASE + 5000);
    expect(t.size).toBe(0);
    // The driver the order goes to next is watched.
    t.order("o1", "WAITING_FOR_DRIVER", "d2", T0 + LEASE + 9000);
    expect(t.silent(T0 + 2 * LEASE + 9001)).toEqual([{ driverId: "d2", orderId: "o1", silentMs: LEASE + 1 }]);
  });

  it("stops watching at a fix that names no order, or at the order's end", () => {
    const t = new SilenceTracker(LEASE);
    t.fix("d1", "o1", T0);
    t.fix("d1", undefined, T0 + 1000); // delivered: the app's first fix without the order
    t.order("o2", "IN_DELIVERY", "d2", T0);
    t.order("o2", "DELIVERED", "d2", T0 + 1000);
    t.order("o3", "WAITING_FOR_DRIVER", "d3", T0);
    t.order("o3", "CANCELLED", "d3", T0 + 1000);
    expect(t.silent(T0 + 10 * LEASE)).toEqual([]);
  });

  it("an order's end leaves a driver alone that has moved on to another order", () => {
    const t = new SilenceTracker(LEASE);
    t.order("o1", "IN_DELIVERY", "d1", T0);
    t.fix("d1", "o2", T0 + 2000); // the view of o1's end arrives after the driver's next trip began
    t.order("o1", "DELIVERED", "d1", T0 + 3000);
    expect(t.silent(T0 + 2000 + LEASE + 1)).toEqual([{ driverId: "d1", orderId: "o2", silentMs: LEASE + 1 }]);
  });

  it("ignores a driver on an order not yet driving (its view names no driver)", () => {
    const t = new SilenceTracker(LEASE);
    t.order("o1", "IN_PREPARATION", "d1", T0);
    expect(t.size).toBe(0);
  });
});

describe("what the lease watcher reads of a fix", () => {
  const fix = (v: unknown) => Buffer.from(JSON.stringify(v));

  it("takes the key's driver's fix and the order it names, or none", () => {
    expect(fixOf("d1", fix({ driverId: "d1", orderId: "o-1", location: { x: 1, y: 1 } }))).toEqual({ orderId: "o-1" });
    expect(fixOf("d1", fix({ driverId: "d1" }))).toEqual({ orderId: undefined });
  });

  it("drops what cannot be a fix of that driver, without throwing", () => {
    expect(fixOf("d1", fix({ driverId: "d2", orderId: "o-1" }))).toBeUndefined();
    expect(fixOf("d1", fix({ driverId: "d1", orderId: 42 }))).toBeUndefined();
    expect(fixOf("d1", fix({ driverId: "d1", orderId: "no spaces allowed" }))).toBeUndefined();
    expect(fixOf("d1", Buffer.from("{not json"))).toBeUndefined();
    expect(fixOf("d1", Buffer.from("null"))).toBeUndefined();
    expect(fixOf("d1", null)).toBeUndefined();
    expect(fixOf("d1", Buffer.alloc(5000, 32))).toBeUndefined();
  });
});
