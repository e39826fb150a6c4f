import type { OrderStatus, OrderStatusView } from "@food-ordering/contracts";

/** Words for each status; a Record, so a status added to the contract fails the typecheck here. */
export const STATUS_LABELS: Record<OrderStatus, string> = {
  NEW: "Sent",
  CREATED: "Order received",
  SCHEDULED: "Paid and scheduled",
  IN_PREPARATION: "Being prepared",
  SCHEDULING_DELIVERY: "Ready, finding a driver",
  WAITING_FOR_DRIVER: "Driver on the way to the restaurant",
  IN_DELIVERY: "On its way to you",
  DELIVERED: "Delivered",
  REJECTED: "Rejected",
  CANCELLED: "Cancelled",
};

/** Statuses outside the normal flow: before it starts, or ending it early. */
const OFF_PATH: readonly OrderStatus[] = ["NEW", "REJECTED", "CANCELLED"];

/** The steps of an order that goes well, in order (the labels above list them in the contract's order). */
export const HAPPY_PATH: readonly OrderStatus[] = (Object.keys(STATUS_LABELS) as OrderStatus[]).filter(
  (s) => !OFF_PATH.includes(s),
);

/** A customer may cancel until the kitchen starts cooking (the workflow's rule). */
export const CANCELLABLE: readonly OrderStatus[] = ["CREATED", "SCHEDULED"];

export interface TimelineStep {
  status: OrderStatus;
  label: string;
  /** Epoch ms when it happened; absent for steps still to come. */
  at?: number;
  detail?: string;
  state: "done" | "current" | "upcoming";
}

/**
 * What the tracking page lists: every step that happened (with its time, in the order they
 * happened), then the happy-path steps still to come, unless the order has ended.
 */
export function timelineSteps(view: Pick<OrderStatusView, "status" | "timeline">): TimelineStep[] {
  const happened = [...view.timeline].sort((a, b) => a.at - b.at);
  const steps: TimelineStep[] = happened.map((e, i) => ({
    status: e.status,
    label: STATUS_LABELS[e.status],
    at: e.at,
    ...(e.detail ? { detail: e.detail } : {}),
    state: i === happened.length - 1 && !isFinal(view.status) ? "current" : "done",
  }));
  if (isFinal(view.status)) return steps;
  const seen = new Set(happened.map((e) => e.status));
  const from = HAPPY_PATH.indexOf(view.status);
  for (const status of HAPPY_PATH.slice(from + 1)) {
    if (!seen.has(status)) steps.push({ status, label: STATUS_LABELS[status], state: "upcoming" });
  }
  return steps;
}

/** The contract's terminal statuses, kept here so the bundle needs none of the contracts' runtime (zod, Restate). */
export function isFinal(s: OrderStatus): boolean {
  return s === "DELIVERED" || s === "REJECTED" || s === "CANCELLED";
}
