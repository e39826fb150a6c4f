import { describe, expect, it } from "vitest";
import { stepTowards, type DeliveryAssignment, type Location } from "@food-ordering/contracts";
import { afterReport, etaFrom, reportFor, type ReportState } from "../../src/reports.ts";

const assignment: DeliveryAssignment = {
  deliveryId: "d-1",
  orderId: "d-1",
  region: "paris",
  restaurantId: "r",
  restaurantLocation: { x: 3, y: 0 },
  customerLocation: { x: 3, y: 4 },
};
const speedKmh = 36; // 0.01 km per real second
const rules = { etaChangeThresholdMs: 60_000, heartbeatMs: 1_000_000 };
const start: Location = { x: 0, y: 0 };
const t0 = 1_000_000;
const trip = (over: Partial<ReportState> = {}): ReportState => {
  const base = { assignment, pickedUp: false, speedKmh };
  return { ...base, plannedEta: etaFrom(base, start, t0), lastContactAt: t0, ...over };
};

/** Drives the whole route at `kmPerS` with one fix per second; the reasons of the fixes reported. */
function drive(kmPerS: number, r = rules) {
  let s = trip();
  let at = start;
  let now = t0;
  const reports: string[] = [];
  let fixes = 0;
  for (const target of [assignment.restaurantLocation, assignment.customerLocation]) {
    while (at.x !== target.x || at.y !== target.y) {
      at = stepTowards(at, target, kmPerS);
      now += 1000;
      fixes++;
      if (at.x === target.x && at.y === target.y && target === assignment.restaurantLocation)
        s = { ...s, pickedUp: true, lastContactAt: now };
      const reason = reportFor(s, at, now, r);
      if (reason) {
        reports.push(reason);
        s = afterReport(s, reason, at, now);
      }
    }
  }
  return { fixes, reports };
}

describe("which fixes a driver app reports to its twin", () => {
  it("reports nothing on a trip that keeps the plan's speed, however many fixes it takes", () => {
    const { fixes, reports } = drive(0.01);
    expect(Math.abs(fixes - 700)).toBeLessThanOrEqual(2); // 7 km at 0.01 km per fix
    expect(reports).toEqual([]);
  });

  it("reports a fix when the trip moved the ETA by more than the threshold, then follows the new plan", () => {
    // Half the planned speed: 7 km take 1400 s instead of 700; the ETA slips 1 s per fix.
    const { reports } = drive(0.005);
    expect(reports.length).toBeGreaterThan(5);
    expect(reports.every((r) => r === "deviation")).toBe(true);
    // Each report resets the plan: about one per threshold of slip (700 s of slip / 60 s).
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(700 / 60) + 1);
  });

  it("does not report a slip within the threshold", () => {
    const s = trip();
    const slipped = t0 + 59_000; // still at the start 59 s later: the ETA moved 59 s
    expect(reportFor(s, start, slipped, rules)).toBeUndefined();
    expect(reportFor(s, start, slipped + 1001, rules)).toBe("deviation");
  });

  it("reports the first fix of a delivery whose planned ETA the app does not know (resumed)", () => {
    expect(reportFor(trip({ plannedEta: undefined }), start, t0, rules)).toBe("deviation");
  });

  it("sends a heartbeat after a heartbeat period without any word, and not before", () => {
    const hb = { ...rules, heartbeatMs: 30_000 };
    const s = trip();
    const at = (dt: number) => stepTowards(start, assignment.restaurantLocation, (dt / 1000) * 0.01);
    expect(reportFor(s, at(29_999), t0 + 29_999, hb)).toBeUndefined();
    expect(reportFor(s, at(30_000), t0 + 30_000, hb)).toBe("heartbeat");
    // A heartbeat restarts the silence count and keeps the plan.
    const after = afterReport(s, "heartbeat", at(30_000), t0 + 30_000);
    expect(after).toMatchObject({ lastContactAt: t0 + 30_000, plannedEta: s.plannedEta });
    expect(reportFor(after, at(59_000), t0 + 59_000, hb)).toBeUndefined();
  });

  it("a 10-minute trip at one fix per second on the plan sends only a heartbeat per heartbeat period", () => {
    // 600 fixes of 0.01 km: 6 of the route's 7 km; pick-up (a call, a sign of life) after 300.
    const { fixes, reports } = drive(0.01, { ...rules, heartbeatMs: 120_000 });
    expect(fixes).toBeGreaterThanOrEqual(600);
    expect(reports.every((r) => r === "heartbeat")).toBe(true);
    // 300 s to the restaurant: 2 heartbeats; 400 s to the customer after the pick-up: 3.
    expect(reports).toHaveLength(5);
  });
});
