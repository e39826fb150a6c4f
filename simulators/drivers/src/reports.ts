import { estimateArrival, etaMoved, type DeliveryAssignment, type Location } from "@food-ordering/contracts";

/**
 * Which GPS fixes a driver app sends its twin (`driver-reports`); every fix still goes to the GPS
 * stream (`driver-updates`), which is also the app's sign of life while it delivers (the
 * endpoint's lease watcher follows it). The platform holds an ETA computed from what the app last
 * said (its poll's position when the delivery was assigned, or its last report): the app sends a
 * fix when its trip moved that ETA by more than the threshold. A driver keeping to the plan's
 * speed keeps the ETA where it is, so a steady trip sends no report however many fixes it takes;
 * one past its ETA sends one per threshold, which is what the twin's backstop check waits for.
 */
export interface ReportRules {
  /** Least ETA change (ms) worth a report: the platform's ETA_CHANGE_THRESHOLD_MS. */
  etaChangeThresholdMs: number;
}

/** What the app knows of its delivery: the plan the platform's ETA rests on. */
export interface ReportState {
  assignment: DeliveryAssignment;
  pickedUp: boolean;
  speedKmh: number;
  /** The ETA the platform holds, as the app computes it from what it said last; unknown: report the next fix. */
  plannedEta: number | undefined;
}

/** The ETA from a fix at `location` at `now`, by the rule the delivery manager uses. */
export const etaFrom = (s: Omit<ReportState, "plannedEta">, location: Location, now: number) =>
  estimateArrival({
    now,
    driver: location,
    restaurant: s.assignment.restaurantLocation,
    customer: s.assignment.customerLocation,
    pickedUp: s.pickedUp,
    speedKmh: s.speedKmh,
  });

/** Whether this fix goes to the twin: the trip moved the ETA past the threshold. */
export const reportsFix = (s: ReportState, location: Location, now: number, rules: ReportRules): boolean =>
  etaMoved(s.plannedEta, etaFrom(s, location, now), rules.etaChangeThresholdMs);

/** The state after reporting the fix at `location`: the plan starts again from it. */
export const afterReport = (s: ReportState, location: Location, now: number): ReportState => ({
  ...s,
  plannedEta: etaFrom(s, location, now),
});
