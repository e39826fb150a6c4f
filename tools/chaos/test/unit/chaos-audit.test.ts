import { describe, expect, it } from "vitest";
import type { OrderStatus, OrderStatusView } from "@food-ordering/contracts";
import { audit, summaryLine, type LedgerEntry } from "../../src/audit.ts";
import { DELIVERED_TIMELINE } from "@food-ordering/testkit";

const order = (id: string, ...statuses: OrderStatus[]): OrderStatusView => ({
  id,
  status: statuses.at(-1) ?? "NEW",
  eta: null,
  timeline: statuses.map((status, i) => ({ status, at: 1000 + i })),
});
const charge = (orderId: string, status: "succeeded" | "declined" = "succeeded"): LedgerEntry => ({
  kind: "charge",
  orderId,
  status,
  chargeId: `ch-${orderId}`,
});
const FLOW: OrderStatus[] = [...DELIVERED_TIMELINE];

function run(orders: OrderStatusView[], ledger: LedgerEntry[], published = orders.map((o) => o.id)) {
  return audit({
    published,
    orders: new Map(orders.map((o) => [o.id, o])),
    ledger,
    drivers: new Map(),
    finishedDeliveries: new Set(),
  });
}

describe("chaos audit", () => {
  it("passes a clean run and counts each outcome", () => {
    const r = run(
      [order("a", ...FLOW), order("b", "CREATED", "REJECTED"), order("c", "CREATED", "SCHEDULED", "CANCELLED")],
      [charge("a"), charge("b", "declined"), charge("c"), { kind: "refund", orderId: "c", chargeId: "ch-c" }],
    );
    expect(r).toMatchObject({
      orders: 3,
      delivered: 1,
      rejected: 1,
      cancelled: 1,
      unfinished: 0,
      lost: 0,
      duplicates: 0,
      doubleCharges: 0,
      charges: 2,
      refunds: 1,
    });
    expect(r.problems).toEqual([]);
    expect(summaryLine(r)).toBe(
      "orders 3 delivered 1 rejected 1 cancelled 1 unfinished 0 lost 0 duplicates 0 double-charges 0",
    );
  });

  it("tells an order still in flight in Restate from one Restate never saw", () => {
    const r = run([order("a", "CREATED", "SCHEDULED", "IN_PREPARATION")], [charge("a")], ["a", "b"]);
    expect(r).toMatchObject({ orders: 2, unfinished: 1, lost: 1 });
    expect(r.problems).toEqual(["order a is still IN_PREPARATION", "order b is unknown to Restate"]);
  });

  it("allows a reassigned delivery to repeat its driver steps, and flags any other repeat", () => {
    const reassigned = order(
      "a",
      "CREATED",
      "SCHEDULED",
      "IN_PREPARATION",
      "SCHEDULING_DELIVERY",
      "WAITING_FOR_DRIVER",
      "IN_DELIVERY",
      "WAITING_FOR_DRIVER",
      "IN_DELIVERY",
      "DELIVERED",
    );
    const twice = order(
      "b",
      "CREATED",
      "SCHEDULED",
      "SCHEDULED",
      "IN_PREPARATION",
      "SCHEDULING_DELIVERY",
      "WAITING_FOR_DRIVER",
      "IN_DELIVERY",
      "DELIVERED",
    );
    const r = run([reassigned, twice], [charge("a"), charge("b")]);
    expect(r.duplicates).toBe(1);
    expect(r.problems).toEqual([expect.stringContaining("order b went through a status twice")]);
  });

  it("finds double charges, missing charges and refunds that do not match a cancellation", () => {
    const r = run(
      [order("a", ...FLOW), order("b", ...FLOW), order("c", "CREATED", "CANCELLED")],
      [charge("a"), charge("a"), charge("c"), { kind: "refund", orderId: "a", chargeId: "ch-a" }],
    );
    expect(r.doubleCharges).toBe(1);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        "order a was charged 2 times",
        "order a is DELIVERED with 1 refunds",
        "order b is DELIVERED but has 0 successful charges",
        "order c is CANCELLED with 0 refunds",
      ]),
    );
  });
});
