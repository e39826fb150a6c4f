import * as restate from "@restatedev/restate-sdk";
import {
  driverDigitalTwin,
  driverDeliveryMatcher,
  deliveryManager,
  catalog,
  findRegion,
  newSecret,
  secretHash,
  DriverLocationEvent,
  type DeliveryAssignment,
  type DriverView,
} from "@food-ordering/contracts";
import {
  assign,
  checkReportPlace,
  deliver,
  fromTheFuture,
  goOffline,
  goOnShift,
  newTwin,
  pickUp,
  type TwinState,
  type TwinStep,
  TRUSTED_CLOCK_WINDOW_MS,
} from "./driver-digital-twin-rules.ts";
import { authorizationOf, checkEnrollment, checkShiftToken, type AuthRefusal } from "./driver-auth.ts";
import { metrics } from "../metrics.ts";
import { internalHandlers } from "../internal-handlers.ts";

/**
 * driver-digital-twin (virtual object, key = driver id): the driver as the platform sees it.
 * The driver app goes on shift, long-polls for work (no polling loop: an idle driver costs two
 * invocations per long poll), reports pick-up and delivery, and streams locations over Kafka.
 * The state machine lives in driver-digital-twin-rules.ts; this object adds the lease, the long
 * poll and the messages.
 *
 * Lease: every sign of life sets `seen`; a delayed `checkLease` clears it, and marks a driver
 * that showed none since the previous check OFFLINE, takes it out of the matcher and hands its
 * delivery back for reassignment (so within one to two lease periods). A flag rather than a
 * timestamp: reading the clock is a journal entry, and the busiest handler (location reports)
 * would pay it on every event. `lastSeen` is for people: the time of the last poll or report.
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
    lastEtaForwardAt: number;
    /** SHA-256 of the current shift's token; replaced when the driver goes on shift again. */
    shiftTokenHash?: string;
    /** The shift region's map size, read from the live catalog when the shift started. */
    map?: { region: string; sizeKm: number };
  };

export interface TwinDeps {
  leaseMs: number;
  etaUpdateIntervalMs: number;
  /** The fleet's enrollment key; empty = enrollment credentials are not checked (shift tokens still are). */
  enrollmentKey: string;
}

const conflict = (msg: string) => new restate.TerminalError(msg, { errorCode: 409 });

/** A refused credential ends the call with 401/403, counted, before anything was read or changed. */
function refuse(credential: "driver_enrollment" | "shift_token", refusal: AuthRefusal | undefined): void {
  if (!refusal) return;
  metrics.refusedCredentials.inc({ credential, reason: refusal.reason });
  throw new restate.TerminalError(refusal.message, { errorCode: refusal.errorCode });
}
const authorization = (ctx: restate.ObjectSharedContext) => authorizationOf(ctx.request().headers);

export function createDriverDigitalTwin(deps: TwinDeps) {
  const load = async (ctx: restate.ObjectContext): Promise<Driver> =>
    (await ctx.get<Driver>("driver")) ?? {
      ...newTwin(),
      driverId: ctx.key,
      leaseId: 0,
      seen: true,
      lastEtaForwardAt: 0,
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

  /**
   * Starts a new lease period; an older pending checkLease sees a stale id and does nothing.
   * The first period is stretched by up to half at random (ctx.rand is deterministic on replay),
   * so a fleet that went on shift together does not have all its checks fire in the same second.
   */
  const armLease = (ctx: restate.ObjectContext, d: Driver, first = false) => {
    d.leaseId += 1;
    const delay = first ? Math.round(deps.leaseMs * (1 + ctx.rand.random() / 2)) : deps.leaseMs;
    ctx.sendClient(driverDigitalTwin, ctx.key).checkLease({ leaseId: d.leaseId }, restate.rpc.sendOpts({ delay }));
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
        const firstSignOfLife = d.status === "IDLE" || d.status === "OFFLINE";
        d.lastSeen = await ctx.date.now();
        d.trustedAt = d.lastSeen;
        d.seen = true;
        if (firstSignOfLife) armLease(ctx, d, true);
        // A new token per shift, from the OS's CSPRNG: ctx.rand is seeded by the invocation id,
        // which the caller sees, so its output could be predicted. ctx.run journals it for replays.
        const shiftToken = await ctx.run("shift token", () => newSecret());
        d.shiftTokenHash = secretHash(shiftToken);
        const next = apply(ctx, d, goOnShift(d, region));
        // A driver that was DELIVERING resumes its delivery (the app restarted mid-way).
        return { shiftToken, assignment: next.assignment ?? null, pickedUp: next.pickedUp };
      },

      waitForWork: async (ctx, { timeoutMs }) => {
        const d = await ctx.get<Driver>("driver");
        requireShiftToken(ctx, d);
        if (d?.assignment) return d.assignment;
        if (!d || d.status !== "WAITING_FOR_WORK") {
          throw conflict(
            `driver ${ctx.key} is not on shift (${d?.status ?? "unknown"}): call setDriverAvailable first`,
          );
        }
        const work = ctx.awakeable<DeliveryAssignment | null>();
        ctx.sendClient(driverDigitalTwin, ctx.key).registerWaiter({ awakeableId: work.id });
        return await restate.RestatePromise.race([work.promise, ctx.sleep(timeoutMs ?? 30_000).map(() => null)]);
      },

      registerWaiter: async (ctx, { awakeableId }) => {
        const d = await ctx.get<Driver>("driver");
        if (!d) return ctx.resolveAwakeable(awakeableId, null);
        d.lastSeen = await ctx.date.now();
        d.trustedAt = d.lastSeen;
        d.seen = true;
        if (d.waiter && d.waiter !== awakeableId) ctx.resolveAwakeable(d.waiter, null);
        d.waiter = awakeableId;
        apply(ctx, d, { state: d, effects: [] });
      },

      assignDelivery: async (ctx, assignment) => {
        const d = await load(ctx);
        const step = assign(d, assignment);
        if (step.refused) return { accepted: false };
        apply(ctx, d, step);
        return { accepted: true };
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
        d.seen = true;
        apply(ctx, d, deliver(d, deliveryId));
      },

      handleDriverLocationUpdateEvent: async (ctx, raw: Uint8Array) => {
        // Malformed events are dropped with a log line: they must never block the partition.
        let event: DriverLocationEvent;
        try {
          const r = DriverLocationEvent.safeParse(JSON.parse(new TextDecoder().decode(raw)));
          if (!r.success) throw new Error(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
          event = r.data;
        } catch (e) {
          ctx.console.warn(`driver ${ctx.key}: dropping malformed location event: ${(e as Error).message}`);
          metrics.invalidDriverEvents.inc({ reason: "malformed" });
          return;
        }
        if (event.driverId !== ctx.key) {
          ctx.console.warn(`driver ${ctx.key}: dropping location event for driver ${event.driverId}`);
          metrics.invalidDriverEvents.inc({ reason: "wrong_driver" });
          return;
        }
        const d = await ctx.get<Driver>("driver");
        if (!d || d.status === "IDLE") return; // never on shift: nothing to track
        // The map kept from the shift's start (a twin from before the catalog was data: the built-in one).
        const sizeKm = d.map?.region === d.region ? d.map?.sizeKm : findRegion(d.region ?? "")?.sizeKm;
        const refused = checkReportPlace(d, event, sizeKm);
        if (refused) {
          ctx.console.warn(`driver ${ctx.key}: dropping location report (${refused}) for region ${event.region}`);
          metrics.invalidDriverEvents.inc({ reason: refused });
          return;
        }
        // The app's reading time: it throttles ETA updates and is shown as lastSeen (the lease
        // relies on `seen`). Restate's clock (a journal entry) is read only when the reading lies
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
        d.lastSeen = at;
        d.seen = true;
        if (d.assignment && Math.abs(at - d.lastEtaForwardAt) >= deps.etaUpdateIntervalMs) {
          d.lastEtaForwardAt = at;
          ctx
            .sendClient(deliveryManager, d.assignment.deliveryId)
            .handleDriverLocationUpdate({ driverId: ctx.key, location: event.location, speedKmh: event.speedKmh, at });
        }
        ctx.set("driver", d);
      },

      checkLease: async (ctx, { leaseId }) => {
        const d = await ctx.get<Driver>("driver");
        if (!d || d.leaseId !== leaseId || d.status === "OFFLINE" || d.status === "IDLE") return;
        if (d.seen) {
          // One check per lease period per driver; detection within two periods.
          d.seen = false;
          armLease(ctx, d);
          ctx.set("driver", d);
          return;
        }
        ctx.console.warn(`driver ${ctx.key}: no sign of life for a lease period (${deps.leaseMs} ms): marking OFFLINE`);
        apply(ctx, d, goOffline(d, "lease"));
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
    options: { handlers: internalHandlers(driverDigitalTwin) },
  });
}
