import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { DeliveryAssignment } from "@food-ordering/contracts";
import {
  assign,
  deliver,
  goOffline,
  goOnShift,
  newTwin,
  pickUp,
  type TwinState,
  type TwinStep,
} from "../../src/delivery/driver-digital-twin-rules.ts";

const assignment = (id: string): DeliveryAssignment => ({
  deliveryId: id,
  orderId: id,
  region: "amsterdam",
  restaurantId: "ams-pizzeria",
  restaurantLocation: { x: 1, y: 1 },
  customerLocation: { x: 2, y: 2 },
});
const deliveries = ["x1", "x2", "x3"];
const event = fc.oneof(
  fc.record({ kind: fc.constant("shift" as const), region: fc.constantFrom("amsterdam", "berlin") }),
  fc.record({ kind: fc.constant("assign" as const), id: fc.constantFrom(...deliveries) }),
  fc.record({ kind: fc.constant("pickup" as const), id: fc.constantFrom(...deliveries) }),
  fc.record({ kind: fc.constant("deliver" as const), id: fc.constantFrom(...deliveries) }),
  fc.record({ kind: fc.constant("offline" as const), why: fc.constantFrom("lease" as const, "sign-off" as const) }),
);
type Event = typeof event extends fc.Arbitrary<infer T> ? T : never;

function step(s: TwinState, e: Event): TwinStep {
  switch (e.kind) {
    case "shift":
      return goOnShift(s, e.region);
    case "assign":
      return assign(s, assignment(e.id));
    case "pickup":
      return pickUp(s, e.id);
    case "deliver":
      return deliver(s, e.id);
    case "offline":
      return goOffline(s, e.why);
  }
}

describe("driver digital twin as a state machine", () => {
  it("keeps its invariants under any sequence of events", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 50 }), (events) => {
        let s = newTwin();
        for (const e of events) {
          const r = step(s, e);
          if (r.refused) {
            // A refusal changes nothing and sends nothing.
            expect(r.state).toBe(s);
            expect(r.effects).toEqual([]);
          }
          s = r.state;
          // DELIVERING exactly when a delivery is assigned; picked up only while delivering.
          expect(s.status === "DELIVERING").toBe(!!s.assignment);
          if (s.pickedUp) expect(s.status).toBe("DELIVERING");
          if (s.status !== "IDLE") expect(s.region).toBeDefined();
        }
      }),
    );
  });

  it("accepts work only while waiting for it, and reports each delivery once, after its pick-up", () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 50 }), (events) => {
        let s = newTwin();
        const reported: string[] = [];
        const pickedUp = new Set<string>();
        for (const e of events) {
          const before = s;
          const r = step(s, e);
          if (e.kind === "assign" && !r.refused) expect(before.status).toBe("WAITING_FOR_WORK");
          for (const eff of r.effects) {
            if (eff.to === "delivery" && eff.op === "pickup") pickedUp.add(eff.deliveryId);
            if (eff.to === "delivery" && eff.op === "delivered") {
              expect(pickedUp.has(eff.deliveryId)).toBe(true);
              reported.push(eff.deliveryId);
            }
          }
          // A driver that delivered becomes available in its region again.
          if (r.effects.some((x) => x.to === "delivery" && x.op === "delivered")) {
            expect(r.effects).toContainEqual({ to: "matcher", op: "available", region: before.region });
          }
          // A (re)assignment needs a new pick-up before its delivery counts.
          if (e.kind === "assign" && !r.refused) pickedUp.delete(e.id);
          s = r.state;
        }
        // A delivery counted once per completion.
        expect(s.deliveriesCompleted).toBe(reported.length);
      }),
    );
  });

  it("hands the delivery back when the driver goes offline mid-delivery, and never signs off mid-delivery", () => {
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 40 }),
        fc.constantFrom("lease" as const, "sign-off" as const),
        (events, why) => {
          let s = newTwin();
          for (const e of events) s = step(s, e).state;
          const r = goOffline(s, why);
          if (s.status === "DELIVERING" && why === "sign-off") expect(r.refused).toBeDefined();
          else if (s.status === "DELIVERING") {
            expect(r.effects).toContainEqual({ to: "delivery", op: "lost", deliveryId: s.assignment!.deliveryId });
            expect(r.state.status).toBe("OFFLINE");
            expect(r.state.assignment).toBeUndefined();
          }
        },
      ),
    );
  });

  it("answers a retried pick-up or delivery report with OK and no second message", () => {
    let s = goOnShift(newTwin(), "amsterdam").state;
    s = assign(s, assignment("x1")).state;
    const first = pickUp(s, "x1");
    expect(first.effects).toHaveLength(1);
    expect(pickUp(first.state, "x1")).toEqual({ state: first.state, effects: [] });
    const done = deliver(first.state, "x1");
    expect(done.effects).toHaveLength(2);
    expect(deliver(done.state, "x1")).toEqual({ state: done.state, effects: [] });
    expect(deliver(newTwin(), "x1").refused).toMatch(/no delivery x1/);
    expect(deliver(assign(goOnShift(newTwin(), "amsterdam").state, assignment("x2")).state, "x2").refused).toMatch(
      /before picking it up/,
    );
  });
});
