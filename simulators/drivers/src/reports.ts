import { estimateArrival, etaMoved, type DeliveryAssignment, type Location } from "@food-ordering/contracts";

/**
 * Which GPS fixes a driver app sends its twin (`driver-reports`); every fix still goes to the GPS
 * stream (`driver-updates`). The platform holds an ETA computed from what the app last said (its
 * poll's position when the delivery was assigned, or its last report): the app sends a fix when
 * its trip moved that ETA by more than the threshold, or, with nothing else said for a heartbeat
 * period while delivering, one for the lease. A driver keeping to the plan's speed keeps the ETA
 * where it is, so a steady trip sends no report however many fixes it takes.
 */
export type ReportReason = "deviation" | "heartbeat";

export interface ReportRules {
  /** Least ETA change (ms) worth a report: the platform's ETA_CHANGE_THRESHOLD_MS. */
  etaChangeThresholdMs: number;
  /** Longest silence (ms) while delivering: below the platform's lease. */
  heartbeatMs: number;
}

/** What the app knows of its delivery: the plan the platform's ETA rests on and its last word. */
export interface ReportState {
  assignment: DeliveryAssignment;
  pickedUp: boolean;
  speedKmh: number;
  /** The ETA the platform holds, as the app computes it from what it said last; unknown: report the next fix. */
  plannedEta: number | undefined;
  /** Epoch ms of the app's last call or report to the platform. */
  lastContactAt: number;
}

/** The ETA from a fix at `location` at `now`, by the rule the delivery manager uses. */
export const etaFrom = (s: Omit<ReportState, "plannedEta" | "lastContactAt">, location: Location, now: number) =>
  estimateArrival({
    now,
    driver: location,
    restaurant: s.assignment.restaurantLocation,
    customer: s.assignment.customerLocation,
    pickedUp: s.pickedUp,
    speedKmh: s.speedKmh,
  });

/** Whether this fix goes to the twin, and why; undefined = the GPS stream only. */
export function reportFor(
  s: ReportState,
  location: Location,
  now: number,
  rules: ReportRules,
): ReportReason | undefined {
  if (etaMoved(s.plannedEta, etaFrom(s, location, now), rules.etaChangeThresholdMs)) return "deviation";
  if (now - s.lastContactAt >= rules.heartbeatMs) return "heartbeat";
  return undefined;
}

/** The state after sending `reason` for the fix at `location` (a deviation resets the plan). */
export function afterReport(s: ReportState, reason: ReportReason, location: Location, now: number): ReportState {
  return { ...s, lastContactAt: now, plannedEta: reason === "deviation" ? etaFrom(s, location, now) : s.plannedEta };
}
