import { describe, expect, it } from "vitest";
import { stepTowards, type DeliveryAssignment, type Location } from "@food-ordering/contracts";
import { afterReport, etaFrom, reportsFix, type ReportState } from "../../src/reports.ts";

const assignment: DeliveryAssignment = {
  deliveryId: "d-1",
  orderId: "d-1",
  region: "paris",
  restaurantId: "r",
  restaurantLocation: { x: 3, y: 0 },
  customerLocation: { x: 3, y: 4 },
};
const speedKmh = 36; // 0.01 km per real second
const rules = { etaChangeThresholdMs: 60_000 };
const start: Location = { x: 0, y: 0 };
const t0 = 1_000_000;
const trip = (over: Partial<ReportState> = {}): ReportState => {
  const base = { assignment, pickedUp: false, speedKmh };
  return { ...base, plannedEta: etaFrom(base, start, t0), ...over };
};

/** Drives the whole route at `kmPerS` with one fix per second; the times of the fixes reported. */
function drive(kmPerS: number, r = rules) {
  let s = trip();
  let at = start;
  let now = t0;
  const reports: number[] = [];
  let fixes = 0;
  for (const target of [assignment.restaurantLocation, assignment.customerLocation]) {
    while (at.x !== target.x || at.y !== target.y) {
      at = stepTowards(at, target, kmPerS);
      now += 1000;
      fixes++;
      if (at.x === target.x && at.y === target.y && target === assignment.restaurantLocation)
        s = { ...s, pickedUp: true };
      if (reportsFix(s, at, now, r)) {
        reports.push(now);
        s = afterReport(s, at, now);
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
    // Each report resets the plan: about one per threshold of slip (700 s of slip / 60 s).
    expect(reports.length).toBeLessThanOrEqual(Math.ceil(700 / 60) + 1);
  });

  it("does not report a slip within the threshold", () => {
    const s = trip();
    const slipped = t0 + 59_000; // still at the start 59 s later: the ETA moved 59 s
    expect(reportsFix(s, start, slipped, rules)).toBe(false);
    expect(reportsFix(s, start, slipped + 1001, rules)).toBe(true);
  });

  it("reports the first fix of a delivery whose planned ETA the app does not know (resumed)", () => {
    expect(reportsFix(trip({ plannedEta: undefined }), start, t0, rules)).toBe(true);
  });

  it("a 10-minute trip at one fix per second on the plan reports nothing: its fixes are its sign of life", () => {
    // 600 fixes of 0.01 km: 6 of the route's 7 km.
    const { fixes, reports } = drive(0.01);
    expect(fixes).toBeGreaterThanOrEqual(600);
    expect(reports).toEqual([]);
  });

  it("a driver standing past its ETA reports once per threshold: what the twin's backstop check waits for", () => {
    // At the customer, not moving: the ETA is the clock itself, so it slips a second per second.
    const s = trip({ pickedUp: true, plannedEta: t0 });
    const there = assignment.customerLocation;
    const arrived = { ...s, plannedEta: etaFrom(s, there, t0) };
    let state: ReportState = arrived;
    const reported: number[] = [];
    for (let now = t0; now <= t0 + 300_000; now += 1000)
      if (reportsFix(state, there, now, rules)) {
        reported.push(now - t0);
        state = afterReport(state, there, now);
      }
    expect(reported).toEqual([61_000, 122_000, 183_000, 244_000]);
  });
});
