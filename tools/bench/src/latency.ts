import { distanceKm, type Location, type OrderStatusView } from "@food-ordering/contracts";
import { summarize, type Summary } from "./stats.ts";

/**
 * Where an order's time goes (pure; unit-tested). Every step is measured from the order's
 * timeline (times set by order-status from Restate's clock) and the simulated work inside it is
 * subtracted, so what remains is the platform's overhead: Restate, Kafka, the endpoint and the
 * simulators' own calls.
 */

/** What the simulators did for one order, known outside Restate. */
export interface OrderFacts {
  /** Epoch ms the provider stamped on the event before publishing it to Kafka. */
  publishedAt?: number;
  /** The restaurant's simulated preparation time for this order (real ms). */
  prepMs?: number;
}

export interface DriveModel {
  /** Map km a simulated driver moves per tick. */
  stepKm: number;
  /** Real ms between two ticks. */
  tickMs: number;
}

/** Real ms the driver simulator needs from `from` to `to`: it moves at its speed, the last move taking only its share of a tick. */
export const driveMs = (from: Location, to: Location, d: DriveModel): number =>
  (distanceKm(from, to) / d.stepKm) * d.tickMs;

export const STEP_NAMES = [
  "publish_to_created",
  "payment",
  "schedule",
  "preparation_overhead",
  "matching",
  "to_restaurant_overhead",
  "to_customer_overhead",
  "end_to_end",
  "end_to_end_overhead",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** One order's step times (ms); a step is absent when the order never got there or its simulated part is unknown. */
export type StepTimes = Partial<Record<StepName, number>>;

const firstAt = (v: OrderStatusView, status: string) => v.timeline.find((e) => e.status === status)?.at;

/**
 * The step times of every delivered order. `startOf` gives where a driver started from for an
 * order: the customer of its previous delivery (a driver waits where it delivered); unknown for
 * a driver's first delivery, whose start the simulator picked at random.
 */
export function stepTimes(
  orders: readonly OrderStatusView[],
  facts: ReadonlyMap<string, OrderFacts>,
  drive: DriveModel,
): Map<string, StepTimes> {
  const startOf = driverStarts(orders);
  const out = new Map<string, StepTimes>();
  for (const v of orders) {
    const t: StepTimes = {};
    const f = facts.get(v.id) ?? {};
    const created = firstAt(v, "CREATED");
    const scheduled = firstAt(v, "SCHEDULED");
    const inPrep = firstAt(v, "IN_PREPARATION");
    const schedDelivery = firstAt(v, "SCHEDULING_DELIVERY");
    const waiting = firstAt(v, "WAITING_FOR_DRIVER");
    const inDelivery = firstAt(v, "IN_DELIVERY");
    const delivered = firstAt(v, "DELIVERED");
    if (created !== undefined && f.publishedAt !== undefined) t.publish_to_created = created - f.publishedAt;
    if (created !== undefined && scheduled !== undefined) t.payment = scheduled - created;
    // The bench publishes orders with no delivery delay, so the whole SCHEDULED step is overhead.
    if (scheduled !== undefined && inPrep !== undefined) t.schedule = inPrep - scheduled;
    if (inPrep !== undefined && schedDelivery !== undefined && f.prepMs !== undefined)
      t.preparation_overhead = schedDelivery - inPrep - f.prepMs;
    if (schedDelivery !== undefined && waiting !== undefined) t.matching = waiting - schedDelivery;
    const start = startOf.get(v.id);
    let toRestaurantMs: number | undefined;
    if (waiting !== undefined && inDelivery !== undefined && start && v.restaurantLocation) {
      toRestaurantMs = driveMs(start, v.restaurantLocation, drive);
      t.to_restaurant_overhead = inDelivery - waiting - toRestaurantMs;
    }
    let toCustomerMs: number | undefined;
    if (inDelivery !== undefined && delivered !== undefined && v.restaurantLocation && v.customerLocation) {
      toCustomerMs = driveMs(v.restaurantLocation, v.customerLocation, drive);
      t.to_customer_overhead = delivered - inDelivery - toCustomerMs;
    }
    if (delivered !== undefined && f.publishedAt !== undefined) {
      t.end_to_end = delivered - f.publishedAt;
      if (f.prepMs !== undefined && toRestaurantMs !== undefined && toCustomerMs !== undefined) {
        t.end_to_end_overhead = t.end_to_end - f.prepMs - toRestaurantMs - toCustomerMs;
      }
    }
    out.set(v.id, t);
  }
  return out;
}

/** For each order with a driver: the customer location of that driver's previous delivery. */
export function driverStarts(orders: readonly OrderStatusView[]): Map<string, Location> {
  const byDriver = new Map<string, OrderStatusView[]>();
  for (const v of orders) {
    if (!v.driverId || firstAt(v, "WAITING_FOR_DRIVER") === undefined) continue;
    byDriver.set(v.driverId, [...(byDriver.get(v.driverId) ?? []), v]);
  }
  const starts = new Map<string, Location>();
  for (const list of byDriver.values()) {
    list.sort((a, b) => firstAt(a, "WAITING_FOR_DRIVER")! - firstAt(b, "WAITING_FOR_DRIVER")!);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1]!;
      const prevDone = firstAt(prev, "DELIVERED");
      // Only when the previous delivery was finished before this one was assigned (no reassignment in between).
      if (prev.customerLocation && prevDone !== undefined && prevDone <= firstAt(list[i]!, "WAITING_FOR_DRIVER")!)
        starts.set(list[i]!.id, prev.customerLocation);
    }
  }
  return starts;
}

/** p50/p90/p99 of each step over the given orders. */
export function summarizeSteps(times: Iterable<StepTimes>): Record<StepName, Summary> {
  const samples = Object.fromEntries(STEP_NAMES.map((s) => [s, [] as number[]])) as Record<StepName, number[]>;
  for (const t of times) for (const s of STEP_NAMES) if (t[s] !== undefined) samples[s].push(t[s]);
  return Object.fromEntries(STEP_NAMES.map((s) => [s, summarize(samples[s])])) as Record<StepName, Summary>;
}

/** The time an order first reached a status (epoch ms), if it did. */
export const reachedAt = firstAt;
