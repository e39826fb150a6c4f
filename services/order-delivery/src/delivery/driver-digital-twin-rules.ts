import type { DeliveryAssignment, DriverStatus } from "@food-ordering/contracts";

/**
 * The digital twin's state machine as pure functions: each returns the new state and the
 * messages to send, or a refusal. The Restate handlers in driver-digital-twin.ts load the state,
 * apply one of these and carry out the effects; property tests drive them with random events.
 */
export interface TwinState {
  status: DriverStatus;
  region?: string;
  assignment?: DeliveryAssignment;
  pickedUp: boolean;
  lastDeliveredId?: string;
  deliveriesCompleted: number;
}

export type TwinEffect =
  | { to: "matcher"; op: "available" | "remove"; region: string }
  | { to: "delivery"; op: "pickup" | "delivered" | "lost"; deliveryId: string };

export type TwinStep = { state: TwinState; effects: TwinEffect[]; refused?: string };

export const newTwin = (): TwinState => ({ status: "IDLE", pickedUp: false, deliveriesCompleted: 0 });

const refuse = (state: TwinState, refused: string): TwinStep => ({ state, effects: [], refused });

export function goOnShift(s: TwinState, region: string): TwinStep {
  if (s.status === "DELIVERING") return { state: s, effects: [] }; // resume: keep the delivery
  if (s.status === "WAITING_FOR_WORK" && s.region === region) return { state: s, effects: [] };
  const effects: TwinEffect[] = [];
  if (s.status === "WAITING_FOR_WORK" && s.region) effects.push({ to: "matcher", op: "remove", region: s.region });
  effects.push({ to: "matcher", op: "available", region });
  return { state: { ...s, status: "WAITING_FOR_WORK", region, assignment: undefined, pickedUp: false }, effects };
}

export function assign(s: TwinState, a: DeliveryAssignment): TwinStep {
  if (s.status !== "WAITING_FOR_WORK") return refuse(s, `driver is ${s.status}`);
  return { state: { ...s, status: "DELIVERING", assignment: a, pickedUp: false }, effects: [] };
}

export function pickUp(s: TwinState, deliveryId: string): TwinStep {
  if (s.assignment?.deliveryId !== deliveryId) return refuse(s, `has no delivery ${deliveryId} assigned`);
  if (s.pickedUp) return { state: s, effects: [] }; // a retried report
  return { state: { ...s, pickedUp: true }, effects: [{ to: "delivery", op: "pickup", deliveryId }] };
}

export function deliver(s: TwinState, deliveryId: string): TwinStep {
  if (s.lastDeliveredId === deliveryId && s.assignment?.deliveryId !== deliveryId) return { state: s, effects: [] }; // a retried report
  if (s.assignment?.deliveryId !== deliveryId) return refuse(s, `has no delivery ${deliveryId} assigned`);
  if (!s.pickedUp) return refuse(s, `reports delivery ${deliveryId} delivered before picking it up`);
  return {
    state: {
      ...s,
      status: "WAITING_FOR_WORK",
      assignment: undefined,
      pickedUp: false,
      lastDeliveredId: deliveryId,
      deliveriesCompleted: s.deliveriesCompleted + 1,
    },
    effects: [
      { to: "delivery", op: "delivered", deliveryId },
      { to: "matcher", op: "available", region: s.region! },
    ],
  };
}

/** Lease expired or the driver signed off: out of the pool, and its delivery goes back. */
export function goOffline(s: TwinState, why: "lease" | "sign-off"): TwinStep {
  if (s.status === "OFFLINE" || s.status === "IDLE") return { state: s, effects: [] };
  if (why === "sign-off" && s.status === "DELIVERING")
    return refuse(s, `must finish delivery ${s.assignment?.deliveryId} first`);
  const effects: TwinEffect[] = [{ to: "matcher", op: "remove", region: s.region! }];
  if (s.assignment) effects.push({ to: "delivery", op: "lost", deliveryId: s.assignment.deliveryId });
  return { state: { ...s, status: "OFFLINE", assignment: undefined, pickedUp: false }, effects };
}

/** Why a location report is dropped; the metric's `reason` label (a fixed set). */
export type ReportRefusal = "wrong_region" | "outside_map" | "from_the_future";

/** How far ahead of the platform's clock an app's reading time may be (phones' clocks drift). */
export const MAX_CLOCK_SKEW_MS = 60_000;
/**
 * Reading times up to this far past the last trusted clock reading are taken without reading
 * the clock (a journal entry) on the busiest handler; a later one makes the twin read it once.
 */
export const TRUSTED_CLOCK_WINDOW_MS = 10 * 60_000;

/**
 * Checks a location report against what the platform knows: the driver's shift region and that
 * region's map. The time check is separate (checkReportTime): it may need the clock.
 */
export function checkReportPlace(
  s: TwinState,
  report: { region: string; location: { x: number; y: number } },
  mapSizeKm: number | undefined,
): ReportRefusal | undefined {
  if (report.region !== s.region || mapSizeKm === undefined) return "wrong_region";
  const { x, y } = report.location;
  if (x < 0 || y < 0 || x > mapSizeKm || y > mapSizeKm) return "outside_map";
  return undefined;
}

/** A reading time is acceptable when it is not ahead of `now` by more than the allowed skew. */
export const fromTheFuture = (readingAt: number, now: number): boolean => readingAt > now + MAX_CLOCK_SKEW_MS;

/**
 * The lease. A delivering driver's GPS fixes are its sign of life: the endpoint's lease watcher
 * (lease-watcher.ts) tells the twin when they stop for a lease, and the twin takes the delivery
 * back. That watcher is in memory; the twin keeps one durable check per assignment as the
 * backstop for drivers it missed (the endpoint restarted while they went quiet).
 *
 * The check cannot see fixes, only what the app tells the twin itself: pick-up, delivery, and a
 * report whenever its ETA moved by more than the threshold. Before the ETA a steady trip tells it
 * nothing, so the check waits for the ETA plus `graceMs` (the threshold plus a lease): by then an
 * app still on the road has reported, since an ETA that passed moves with the clock. With a sign
 * since the last check it looks again a grace later; without one, the lease expired. No known ETA
 * (the twin never had a position): the first check comes one lease after the assignment.
 *
 * An idle driver has no check (an idle fleet would pay one invocation per driver per period):
 * its polls say until when it is there, and an assignment is refused, and the driver marked
 * OFFLINE, once that time has passed.
 */
export type LeaseVerdict = { verdict: "expired" } | { verdict: "wait" | "renewed"; delayMs: number };

export interface LeaseTimes {
  leaseMs: number;
  /** After the ETA, how long an app still on the road may go without a word: the ETA threshold plus a lease. */
  graceMs: number;
}

/** When the first check of an assignment is due, from `now` (ms): a grace after the ETA, at least a lease. */
export const firstLeaseCheckIn = (etaPlanned: number | undefined, now: number, t: LeaseTimes): number =>
  etaPlanned === undefined ? t.leaseMs : Math.max(t.leaseMs, etaPlanned + t.graceMs - now);

/**
 * Whether a check still has work: it is the latest one set (a newer assignment, the watcher or a
 * sign-off set another), and the driver still delivers (idle again: its polls take over).
 */
export const leaseCheckApplies = (s: Pick<TwinState, "status"> & { leaseId: number }, leaseId: number): boolean =>
  s.leaseId === leaseId && s.status === "DELIVERING";

/** The verdict of a check that applies (leaseCheckApplies), at Restate's `now`. */
export function checkLeaseRule(s: { seen: boolean; etaPlanned?: number }, now: number, t: LeaseTimes): LeaseVerdict {
  // The ETA moved later since the check was set (the app reported): wait for the new one.
  const due = s.etaPlanned === undefined ? now : s.etaPlanned + t.graceMs;
  if (now < due) return { verdict: "wait", delayMs: due - now };
  return s.seen ? { verdict: "renewed", delayMs: t.graceMs } : { verdict: "expired" };
}

/** Until when an idle app that showed life at `at` counts as there: the end of its poll plus one lease. */
export const idleDeadline = (at: number, pollMs: number, leaseMs: number): number => at + pollMs + leaseMs;

/** An idle driver whose deadline passed is gone (twins from before deadlines count as there). */
export const idleAppGone = (now: number, aliveUntil: number | undefined): boolean =>
  aliveUntil !== undefined && now > aliveUntil;
