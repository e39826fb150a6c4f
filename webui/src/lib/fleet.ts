import type { DriverStatus, FleetView } from "../../server/api-types.ts";

/** How the fleet page names and orders driver states: free drivers first, then busy, then away. */
export const DRIVER_STATES: ReadonlyArray<{ status: DriverStatus; label: string }> = [
  { status: "WAITING_FOR_WORK", label: "Free" },
  { status: "DELIVERING", label: "Delivering" },
  { status: "IDLE", label: "Idle" },
  { status: "OFFLINE", label: "Offline" },
];

export interface Segment {
  status: DriverStatus;
  label: string;
  count: number;
  /** Share of the bar, 0-100. */
  percent: number;
}

/** The counts bar: one segment per state with drivers in it. */
export function segments(counts: Record<DriverStatus, number>): Segment[] {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return DRIVER_STATES.filter((s) => counts[s.status] > 0).map((s) => ({
    ...s,
    count: counts[s.status],
    percent: total ? (counts[s.status] / total) * 100 : 0,
  }));
}

/** One sentence that names the bottleneck, for the banner at the top of the page. */
export function verdict(view: Pick<FleetView, "waiting" | "available" | "counts" | "drivers">): {
  level: "ok" | "busy" | "bottleneck";
  text: string;
} {
  const waiting = view.waiting.length;
  const free = view.available.length;
  const working = view.drivers.length - view.counts.OFFLINE;
  if (waiting > 0 && free === 0) {
    return {
      level: "bottleneck",
      text: `Bottleneck: ${waiting} ${waiting === 1 ? "delivery waits" : "deliveries wait"} and no driver is free (${working} on shift).`,
    };
  }
  if (waiting > 0)
    return {
      level: "busy",
      text: `${waiting} waiting, ${free} free ${free === 1 ? "driver" : "drivers"} being matched.`,
    };
  if (working === 0) return { level: "busy", text: "No driver is on shift in this region." };
  return { level: "ok", text: `No delivery is waiting; ${free} of ${working} drivers on shift are free.` };
}
