import * as restate from "@restatedev/restate-sdk";
import {
  driverDigitalTwin,
  driverDeliveryMatcher,
  deliveryManager,
  orderStatus,
  catalog,
  estimateArrival,
  etaMoved,
  findRegion,
  newSecret,
  secretHash,
  DriverReport,
  type DriverLocationEvent,
  type DeliveryAssignment,
  type DriverPosition,
  type DriverView,
  type Location,
} from "@food-ordering/contracts";
import {
  assign,
  checkLeaseRule,
  checkReportPlace,
  leaseCheckApplies,
  deliver,
  firstLeaseCheckIn,
  fromTheFuture,
  goOffline,
  goOnShift,
  idleAppGone,
  idleDeadline,
  newTwin,
  pickUp,
  type TwinState,
  type LeaseTimes,
  type TwinStep,
  TRUSTED_CLOCK_WINDOW_MS,
} from "./driver-digital-twin-rules.ts";
import { authorizationOf, checkEnrollment, checkShiftToken, type AuthRefusal } from "./driver-auth.ts";
import { metrics } from "../metrics.ts";
import { internalHandlers } from "../internal-handlers.ts";

/**
 * driver-digital-twin (virtual object, key = driver id): the driver as the platform sees it.
 * The driver app goes on shift, long-polls for work (no polling loop: an idle driver costs two
 * invocations per long poll), reports pick-up and delivery, and sends over Kafka
 * (`driver-reports`) only the fixes the platform needs: those where the trip left its plan.
 * The state machine and the lease rules live in driver-digital-twin-rules.ts; this object adds
 * the long poll and the messages.
 *
 * Lease (driver-digital-twin-rules.ts): a delivering driver whose GPS fixes stop for a lease is
 * reported by the endpoint's lease watcher (a silence record on `driver-reports`): the twin marks
 * it OFFLINE, takes it out of the matcher and hands its delivery back for reassignment. One
 * durable `checkLease` per assignment, after the ETA, is the backstop: every sign of life the
 * twin sees itself sets `seen` (a flag rather than a timestamp: reading the clock is a journal
 * entry). An idle driver has no check: each poll sets `aliveUntil`, and assignDelivery refuses a
 * driver past it. `lastSeen` is for people.
 *
 * Credentials (driver-auth.ts): going on shift takes the driver's enrollment credential and
 * answers a fresh shift token; the app's other calls take that token. The twin keeps only its
 * hash, and checks before it reads or changes anything else, so a refused call changes nothing.
 * Location reports arrive over Kafka, inside the platform's trust boundary, and carry no token.
 */

type Driver = TwinState &
  Pick<DriverView, "driverId" | "location" | "lastSeen"> & {
    leaseId: number;
    seen: boolean;
    /** Restate's clock at the last reading the twin made (journaled); reports are checked against it. */
    trustedAt?: number;
    waiter?: string;
    /** Idle: Restate's time until which the app counts as there (its poll's end plus a lease). */
    aliveUntil?: number;
    /** How fast the app says it drives (map km per real hour), for the first ETA of a delivery. */
    speedKmh?: number;
    /** The ETA the order shows for the current delivery (the last one told), for the threshold. */
    etaShown?: number;
    /** The ETA of the app's last word (its poll's position, or its last report): the lease check waits for it. */
    etaPlanned?: number;
    /** SHA-256 of the current shift's token; replaced when the driver goes on shift again. */
    shiftTokenHash?: string;
    /** The shift region's map size, read from the live catalog when the shift started. */
    map?: { region: string; sizeKm: number };
  };

export interface TwinDeps {
  leaseMs: number;
  /** Least change of an ETA (ms) that is told to the order. */
  etaChangeThresholdMs: number;
  /** The fleet's enrollment key; empty = enrollment credentials are not checked (shift tokens still are). */
  enrollmentKey: string;
}

/** How long a waiting long poll keeps its invocation slot before it is suspended. */
const LONG_POLL_INACTIVITY_MS = 1000;

const conflict = (msg: string) => new restate.TerminalError(msg, { errorCode: 409 });

/** A refused credential ends the call with 401/403, counted, before anything was read or changed. */
function refuse(credential: "driver_enrollment" | "shift_token", refusal: AuthRefusal | undefined): void {
  if (!refusal) return;
  metrics.refusedCredentials.inc({ credential, reason: refusal.reason });
  throw new restate.TerminalError(refusal.message, { errorCode: refusal.errorCode });
}
const authorization = (ctx: restate.ObjectSharedContext) => authorizationOf(ctx.request().headers);

/** The map kept from the shift's start (a twin from before the catalog was data: the built-in one). */
const mapSizeOf = (d: Driver) => (d.map?.region === d.region ? d.map?.sizeKm : findRegion(d.region ?? "")?.sizeKm);

/** When a driver at `location` reaches the assignment's customer, from `at` (epoch ms). */
const etaOf = (location: Location, speedKmh: number, a: DeliveryAssignment, pickedUp: boolean, at: number) =>
  estimateArrival({
    now: at,
    driver: location,
    restaurant: a.restaurantLocation,
    customer: a.customerLocation,
    pickedUp,
    speedKmh,
  });

export function createDriverDigitalTwin(deps: TwinDeps) {
  const load = async (ctx: restate.ObjectContext): Promise<Driver> =>
    (await ctx.get<Driver>("driver")) ?? {
      ...newTwin(),
      driverId: ctx.key,
      leaseId: 0,
      seen: true,
    };

  /** Stores the step's state and sends its messages; a refusal becomes a 409 and changes nothing. */
  const apply = (ctx: restate.ObjectContext, d: Driver, step: TwinStep): Driver => {
    if (step.refused) throw conflict(`driver ${ctx.key} ${step.refused}`);
    const next: Driver = { ...d, ...step.state };
    for (const e of step.effects) {
      if (e.to === "matcher" && e.op === "available")
        ctx.sendClient(driverDeliveryMatcher, e.region).setDriverAvailable({ driverId: ctx.key });
      if (e.to === "matcher" && e.op === "remove")
        ctx.sendClient(driverDeliveryMatcher, e.region).removeDriver({ driverId: ctx.key });
      if (e.to === "delivery" && e.op === "pickup")
        ctx.sendClient(deliveryManager, e.deliveryId).notifyDeliveryPickup({ driverId: ctx.key });
      if (e.to === "delivery" && e.op === "delivered")
        ctx.sendClient(deliveryManager, e.deliveryId).notifyDeliveryDelivered({ driverId: ctx.key });
      if (e.to === "delivery" && e.op === "lost")
        ctx.sendClient(deliveryManager, e.deliveryId).driverLost({ driverId: ctx.key });
    }
    if (next.status !== d.status) metrics.driverStatus.inc({ status: next.status, region: next.region ?? "unknown" });
    // A pending long poll learns about a new assignment, or that it should stop waiting.
    if (next.waiter && (next.assignment || next.status !== "WAITING_FOR_WORK")) {
      ctx.resolveAwakeable(next.waiter, next.assignment ?? null);
      delete next.waiter;
    }
    ctx.set("driver", next);
    return next;
  };

  const leaseTimes: LeaseTimes = { leaseMs: deps.leaseMs, graceMs: deps.etaChangeThresholdMs + deps.leaseMs };

  /** Sets the next lease check; an older pending checkLease sees a stale id and does nothing. */
  const armLease = (ctx: restate.ObjectContext, d: Driver, delayMs: number) => {
    d.leaseId += 1;
    ctx
      .sendClient(driverDigitalTwin, ctx.key)
      .checkLease({ leaseId: d.leaseId }, restate.rpc.sendOpts({ delay: delayMs }));
  };

  /** The lease ran out (the watcher's silence or the backstop check): the delivery goes back. */
  const leaseExpired = (ctx: restate.ObjectContext, d: Driver, detectedBy: "watcher" | "check", why: string) => {
    ctx.console.warn(`driver ${ctx.key}: ${why}: marking OFFLINE`);
    metrics.leaseExpiries.inc({ detected_by: detectedBy });
    d.leaseId += 1; // cancels the pending lease check
    apply(ctx, d, goOffline(d, "lease"));
  };

  /** A sign of life of an idle app at Restate's `now`: it counts as there until its poll ends plus a lease. */
  const showedLife = (d: Driver, now: number, pollMs = 0) => {
    d.lastSeen = now;
    d.trustedAt = now;
    d.seen = true;
    d.aliveUntil = idleDeadline(now, pollMs, deps.leaseMs);
  };

  /** A position the app sent with its poll, kept when it lies on the shift's map. */
  const keepPosition = (d: Driver, p: DriverPosition | undefined) => {
    if (!p || checkReportPlace(d, { region: d.region ?? "", location: p.location }, mapSizeOf(d))) return;
    d.location = p.location;
    d.speedKmh = p.speedKmh;
  };

  /** The app's calls after going on shift: the current shift's token, or 401/403. */
  const requireShiftToken = (ctx: restate.ObjectSharedContext, d: Driver | null) =>
    refuse("shift_token", checkShiftToken(d?.shiftTokenHash, ctx.key, authorization(ctx)));

  return restate.implement(driverDigitalTwin, {
    handlers: {
      setDriverAvailable: async (ctx, { region }) => {
        refuse("driver_enrollment", checkEnrollment(deps.enrollmentKey, ctx.key, authorization(ctx)));
        // Regions come from the live catalog: an invented one creates no matcher and no metric series.
        const entry = await ctx.client(catalog, region).get();
        if (!entry) throw new restate.TerminalError(`unknown region "${region}"`, { errorCode: 400 });
        const d = await load(ctx);
        d.map = { region, sizeKm: entry.region.sizeKm };
        // Idle on shift: no lease check until an assignment (a driver resuming its delivery keeps its own).
        showedLife(d, await ctx.date.now());
        // A new token per shift, from the OS's CSPRNG: ctx.rand is seeded by the invocation id,
        // which the caller sees, so its output could be predicted. ctx.run journals it for replays.
        const shiftToken = await ctx.run("shift token", () => newSecret());
        d.shiftTokenHash = secretHash(shiftToken);
        const next = apply(ctx, d, goOnShift(d, region));
        // A driver that was DELIVERING resumes its delivery (the app restarted mid-way).
        return { shiftToken, assignment: next.assignment ?? null, pickedUp: next.pickedUp };
      },

      waitForWork: async (ctx, { timeoutMs, location, speedKmh }) => {
        const d = await ctx.get<Driver>("driver");
        requireShiftToken(ctx, d);
        if (d?.assignment) return d.assignment;
        if (!d || d.status !== "WAITING_FOR_WORK") {
          throw conflict(
            `driver ${ctx.key} is not on shift (${d?.status ?? "unknown"}): call setDriverAvailable first`,
          );
        }
        const pollMs = timeoutMs ?? 30_000;
        const work = ctx.awakeable<DeliveryAssignment | null>();
        const position = location && speedKmh ? { location, speedKmh } : undefined;
        ctx.sendClient(driverDigitalTwin, ctx.key).registerWaiter({ awakeableId: work.id, pollMs, position });
        return await restate.RestatePromise.race([work.promise, ctx.sleep(pollMs).map(() => null)]);
      },

      registerWaiter: async (ctx, { awakeableId, pollMs, position }) => {
        const d = await ctx.get<Driver>("driver");
        if (!d) return ctx.resolveAwakeable(awakeableId, null);
        showedLife(d, await ctx.date.now(), pollMs ?? 30_000);
        keepPosition(d, position);
        if (d.waiter && d.waiter !== awakeableId) ctx.resolveAwakeable(d.waiter, null);
        d.waiter = awakeableId;
        apply(ctx, d, { state: d, effects: [] });
      },

      assignDelivery: async (ctx, assignment) => {
        const d = await load(ctx);
        if (assign(d, assignment).refused) return { accepted: false };
        // An idle app is checked only now, when it matters: past its last poll's end plus a lease it is gone.
        const now = await ctx.date.now();
        if (idleAppGone(now, d.aliveUntil)) {
          ctx.console.warn(`driver ${ctx.key}: no poll for a lease period (${deps.leaseMs} ms): marking OFFLINE`);
          apply(ctx, d, goOffline(d, "lease"));
          return { accepted: false };
        }
        // The first ETA: from where the driver waited, now (the clock read just above).
        const first = d.location && d.speedKmh ? etaOf(d.location, d.speedKmh, assignment, false, now) : undefined;
        d.etaShown = first;
        d.etaPlanned = first;
        // Only the app's own signs of life count from here (the poll that carries this assignment
        // may have no one at its other end); the backstop check comes after the ETA.
        d.seen = false;
        armLease(ctx, d, firstLeaseCheckIn(first, now, leaseTimes));
        apply(ctx, d, assign(d, assignment));
        return first === undefined ? { accepted: true } : { accepted: true, eta: first, driverLocation: d.location };
      },

      getAssignedDelivery: async (ctx) => {
        const d = await ctx.get<Driver>("driver");
        requireShiftToken(ctx, d);
        return d?.assignment ?? null;
      },

      // Both reports are idempotent: an app retrying after a lost answer gets OK, not an error.
      // The twin refuses a delivery that is not assigned to it (and the delivery manager a driver
      // that is not the delivery's), so a driver can act on its own assignment only.
      notifyDeliveryPickup: async (ctx, { deliveryId }) => {
        const d = await load(ctx);
        requireShiftToken(ctx, d);
        d.seen = true;
        apply(ctx, d, pickUp(d, deliveryId));
      },

      notifyDeliveryDelivered: async (ctx, { deliveryId }) => {
        const d = await load(ctx);
        requireShiftToken(ctx, d);
        // Idle again from here: the app counts as there for a lease, until its next poll.
        if (!deliver(d, deliveryId).refused) showedLife(d, await ctx.date.now());
        apply(ctx, d, deliver(d, deliveryId));
      },

      handleDriverLocationUpdateEvent: async (ctx, raw: Uint8Array) => {
        // Malformed events are dropped with a log line: they must never block the partition.
        let report: DriverReport;
        try {
          const r = DriverReport.safeParse(JSON.parse(new TextDecoder().decode(raw)));
          if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
          report = r.data;
        } catch (e) {
          ctx.console.warn(`driver ${ctx.key}: dropping malformed location event: ${(e as Error).message}`);
          metrics.invalidDriverEvents.inc({ reason: "malformed" });
          return;
        }
        if (report.driverId !== ctx.key) {
          ctx.console.warn(`driver ${ctx.key}: dropping location event for driver ${report.driverId}`);
          metrics.invalidDriverEvents.inc({ reason: "wrong_driver" });
          return;
        }
        const d = await ctx.get<Driver>("driver");
        if (!d || d.status === "IDLE") return; // never on shift: nothing to track
        if (report.report === "silence") {
          // The lease watcher's word: acted on while the driver still delivers that order (a
          // repeated or late silence finds the delivery over, or another one, and changes nothing).
          if (d.status === "DELIVERING" && d.assignment?.orderId === report.orderId)
            leaseExpired(ctx, d, "watcher", `no GPS fix for ${report.silentMs} ms while delivering`);
          return;
        }
        const event: DriverLocationEvent = report;
        const refused = checkReportPlace(d, event, mapSizeOf(d));
        if (refused) {
          ctx.console.warn(`driver ${ctx.key}: dropping location report (${refused}) for region ${event.region}`);
          metrics.invalidDriverEvents.inc({ reason: refused });
          return;
        }
        // The app's reading time: it is what the ETA is computed from and is shown as lastSeen
        // (the lease relies on `seen`). Restate's clock (a journal entry) is read only when the reading lies
        // beyond the window of the twin's last trusted reading, so a busy twin reads it rarely.
        const at = event.timestamp;
        if (at > (d.trustedAt ?? 0) + TRUSTED_CLOCK_WINDOW_MS) {
          const now = await ctx.date.now();
          if (fromTheFuture(at, now)) {
            ctx.console.warn(`driver ${ctx.key}: dropping location report from ${at - now} ms in the future`);
            metrics.invalidDriverEvents.inc({ reason: "from_the_future" });
            return;
          }
          d.trustedAt = now;
        }
        d.location = event.location;
        d.speedKmh = event.speedKmh;
        d.lastSeen = at;
        d.seen = true;
        // The app sends a fix only when its trip left the plan; the order hears of it only when the
        // ETA moved by more than the threshold, straight from here: one invocation per told ETA,
        // however long the trip. The lease check waits for the app's new ETA.
        if (d.assignment) {
          const eta = etaOf(event.location, event.speedKmh, d.assignment, d.pickedUp, at);
          d.etaPlanned = eta;
          if (etaMoved(d.etaShown, eta, deps.etaChangeThresholdMs)) {
            d.etaShown = eta;
            ctx.sendClient(orderStatus, d.assignment.orderId).setEta({ eta, driverLocation: event.location });
          }
        }
        ctx.set("driver", d);
      },

      checkLease: async (ctx, { leaseId }) => {
        const d = await ctx.get<Driver>("driver");
        // Most checks find the delivery over: they end here, without reading the clock.
        if (!d || !leaseCheckApplies(d, leaseId)) return;
        const lease = checkLeaseRule(d, await ctx.date.now(), leaseTimes);
        if (lease.verdict === "wait" || lease.verdict === "renewed") {
          if (lease.verdict === "renewed") d.seen = false;
          armLease(ctx, d, lease.delayMs);
          ctx.set("driver", d);
        } else if (lease.verdict === "expired")
          leaseExpired(ctx, d, "check", `no sign of life since ${d.etaPlanned ? "its ETA" : "its assignment"}`);
      },

      goOffline: async (ctx) => {
        const d = await load(ctx);
        requireShiftToken(ctx, d);
        const next = apply(ctx, d, goOffline(d, "sign-off"));
        next.leaseId += 1; // cancels the pending lease check
        ctx.set("driver", next);
      },

      get: async (ctx) => {
        const d = await ctx.get<Driver>("driver");
        if (!d) return { driverId: ctx.key, status: "IDLE", deliveriesCompleted: 0 };
        const { driverId, status, region, location, assignment, lastSeen, deliveriesCompleted } = d;
        return { driverId, status, region, location, assignment, lastSeen, deliveriesCompleted };
      },
    },
    options: {
      handlers: {
        ...internalHandlers(driverDigitalTwin),
        // A long poll is all waiting: suspended after a second, it holds no restate-server slot
        // for its 240 s (a fleet of idle drivers would otherwise fill them all).
        waitForWork: { inactivityTimeout: LONG_POLL_INACTIVITY_MS },
      },
    },
  });
}
