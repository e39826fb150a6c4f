import * as restate from "@restatedev/restate-sdk";
import {
  driverDigitalTwin,
  driverDeliveryMatcher,
  deliveryManager,
  DriverLocationEvent,
  type DeliveryAssignment,
  type DriverView,
} from "@food-ordering/contracts";
import { metrics } from "./metrics.ts";

/**
 * driver-digital-twin (virtual object, key = driver id): the driver as the platform sees it.
 * The driver app goes on shift, long-polls for work (no polling loop: an idle driver costs two
 * invocations per long poll), reports pick-up and delivery, and streams locations over Kafka.
 *
 * Lease: every sign of life renews `lastSeen`; a delayed `checkLease` marks a silent driver
 * OFFLINE, takes it out of the matcher and hands its delivery back for reassignment.
 */

type Driver = DriverView & { pickedUp: boolean; leaseId: number; waiter?: string; lastEtaForwardAt: number; lastDeliveredId?: string };

export interface TwinDeps {
  leaseMs: number;
  etaUpdateIntervalMs: number;
}

const conflict = (msg: string) => new restate.TerminalError(msg, { errorCode: 409 });

export function createDriverDigitalTwin(deps: TwinDeps) {
  /** Starts a new lease period; an older pending checkLease sees a stale id and does nothing. */
  const armLease = (ctx: restate.ObjectContext, d: Driver, delayMs = deps.leaseMs) => {
    d.leaseId += 1;
    ctx.sendClient(driverDigitalTwin, ctx.key).checkLease({ leaseId: d.leaseId }, restate.rpc.sendOpts({ delay: delayMs }));
  };

  const becomeAvailable = (ctx: restate.ObjectContext, d: Driver) => {
    d.status = "WAITING_FOR_WORK";
    delete d.assignment;
    d.pickedUp = false;
    ctx.sendClient(driverDeliveryMatcher, d.region!).setDriverAvailable({ driverId: ctx.key });
    metrics.driverStatus.inc({ status: "WAITING_FOR_WORK", region: d.region! });
  };

  const requireAssignment = (d: Driver | null, deliveryId: string, key: string): Driver & { assignment: DeliveryAssignment } => {
    if (!d?.assignment || d.assignment.deliveryId !== deliveryId) {
      throw conflict(`driver ${key} has no delivery ${deliveryId} assigned`);
    }
    return d as Driver & { assignment: DeliveryAssignment };
  };

  return restate.implement(driverDigitalTwin, {
    handlers: {
      setDriverAvailable: async (ctx, { region }) => {
        const now = await ctx.date.now();
        const d: Driver = (await ctx.get<Driver>("driver")) ?? { driverId: ctx.key, status: "IDLE", deliveriesCompleted: 0, pickedUp: false, leaseId: 0, lastEtaForwardAt: 0 };
        const firstSignOfLife = d.status === "IDLE" || d.status === "OFFLINE";
        d.lastSeen = now;
        if (d.status === "DELIVERING") {
          // The app restarted mid-delivery: let it resume.
          ctx.set("driver", d);
          return { assignment: d.assignment ?? null, pickedUp: d.pickedUp };
        }
        if (d.status === "WAITING_FOR_WORK" && d.region !== region) {
          ctx.sendClient(driverDeliveryMatcher, d.region!).removeDriver({ driverId: ctx.key });
        }
        if (d.status !== "WAITING_FOR_WORK" || d.region !== region) {
          d.region = region;
          becomeAvailable(ctx, d);
        }
        if (firstSignOfLife) armLease(ctx, d);
        ctx.set("driver", d);
        return { assignment: null, pickedUp: false };
      },

      waitForWork: async (ctx, { timeoutMs }) => {
        const d = await ctx.get<Driver>("driver");
        if (d?.assignment) return d.assignment;
        if (!d || d.status !== "WAITING_FOR_WORK") {
          throw conflict(`driver ${ctx.key} is not on shift (${d?.status ?? "unknown"}): call setDriverAvailable first`);
        }
        const work = ctx.awakeable<DeliveryAssignment | null>();
        ctx.sendClient(driverDigitalTwin, ctx.key).registerWaiter({ awakeableId: work.id });
        return await restate.RestatePromise.race([work.promise, ctx.sleep(timeoutMs ?? 30_000).map(() => null)]);
      },

      registerWaiter: async (ctx, { awakeableId }) => {
        const d = await ctx.get<Driver>("driver");
        if (!d) return ctx.resolveAwakeable(awakeableId, null);
        d.lastSeen = await ctx.date.now();
        if (d.waiter && d.waiter !== awakeableId) ctx.resolveAwakeable(d.waiter, null);
        if (d.assignment || d.status !== "WAITING_FOR_WORK") {
          ctx.resolveAwakeable(awakeableId, d.assignment ?? null);
          delete d.waiter;
        } else {
          d.waiter = awakeableId;
        }
        ctx.set("driver", d);
      },

      assignDelivery: async (ctx, assignment) => {
        const d = await ctx.get<Driver>("driver");
        if (!d || d.status !== "WAITING_FOR_WORK") return { accepted: false };
        d.status = "DELIVERING";
        d.assignment = assignment;
        d.pickedUp = false;
        if (d.waiter) {
          ctx.resolveAwakeable(d.waiter, assignment);
          delete d.waiter;
        }
        ctx.set("driver", d);
        metrics.driverStatus.inc({ status: "DELIVERING", region: d.region ?? "unknown" });
        return { accepted: true };
      },

      getAssignedDelivery: async (ctx) => (await ctx.get<Driver>("driver"))?.assignment ?? null,

      // Both reports are idempotent: an app retrying after a lost answer gets OK, not an error.
      notifyDeliveryPickup: async (ctx, { deliveryId }) => {
        const d = requireAssignment(await ctx.get<Driver>("driver"), deliveryId, ctx.key);
        if (d.pickedUp) return;
        d.pickedUp = true;
        d.lastSeen = await ctx.date.now();
        ctx.set("driver", d);
        ctx.sendClient(deliveryManager, deliveryId).notifyDeliveryPickup({ driverId: ctx.key });
      },

      notifyDeliveryDelivered: async (ctx, { deliveryId }) => {
        const current = await ctx.get<Driver>("driver");
        if (current?.lastDeliveredId === deliveryId && current.assignment?.deliveryId !== deliveryId) return;
        const d = requireAssignment(current, deliveryId, ctx.key);
        if (!d.pickedUp) throw conflict(`driver ${ctx.key} reports delivery ${deliveryId} delivered before picking it up`);
        d.lastSeen = await ctx.date.now();
        d.deliveriesCompleted += 1;
        d.lastDeliveredId = deliveryId;
        ctx.sendClient(deliveryManager, deliveryId).notifyDeliveryDelivered({ driverId: ctx.key });
        becomeAvailable(ctx, d);
        ctx.set("driver", d);
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
          metrics.invalidDriverEvents.inc();
          return;
        }
        if (event.driverId !== ctx.key) {
          ctx.console.warn(`driver ${ctx.key}: dropping location event for driver ${event.driverId}`);
          metrics.invalidDriverEvents.inc();
          return;
        }
        const d = await ctx.get<Driver>("driver");
        if (!d || d.status === "IDLE") return; // never on shift: nothing to track
        const now = await ctx.date.now();
        d.location = event.location;
        d.lastSeen = now;
        const forward = d.assignment && now - d.lastEtaForwardAt >= deps.etaUpdateIntervalMs;
        if (forward) {
          d.lastEtaForwardAt = now;
          ctx.sendClient(deliveryManager, d.assignment!.deliveryId).handleDriverLocationUpdate({
            driverId: ctx.key,
            location: event.location,
            speedKmh: event.speedKmh,
          });
        }
        ctx.set("driver", d);
      },

      checkLease: async (ctx, { leaseId }) => {
        const d = await ctx.get<Driver>("driver");
        if (!d || d.leaseId !== leaseId || d.status === "OFFLINE" || d.status === "IDLE") return;
        const silentFor = (await ctx.date.now()) - (d.lastSeen ?? 0);
        if (silentFor < deps.leaseMs) {
          armLease(ctx, d, deps.leaseMs - silentFor + 100);
          ctx.set("driver", d);
          return;
        }
        ctx.console.warn(`driver ${ctx.key} silent for ${silentFor} ms: marking OFFLINE`);
        ctx.sendClient(driverDeliveryMatcher, d.region!).removeDriver({ driverId: ctx.key });
        if (d.assignment) ctx.sendClient(deliveryManager, d.assignment.deliveryId).driverLost({ driverId: ctx.key });
        if (d.waiter) ctx.resolveAwakeable(d.waiter, null);
        delete d.waiter;
        delete d.assignment;
        d.pickedUp = false;
        d.status = "OFFLINE";
        ctx.set("driver", d);
        metrics.driverStatus.inc({ status: "OFFLINE", region: d.region ?? "unknown" });
      },

      goOffline: async (ctx) => {
        const d = await ctx.get<Driver>("driver");
        if (!d || d.status === "OFFLINE") return;
        if (d.status === "DELIVERING") throw conflict(`driver ${ctx.key} must finish delivery ${d.assignment?.deliveryId} first`);
        if (d.region) ctx.sendClient(driverDeliveryMatcher, d.region).removeDriver({ driverId: ctx.key });
        if (d.waiter) ctx.resolveAwakeable(d.waiter, null);
        delete d.waiter;
        d.status = "OFFLINE";
        d.leaseId += 1; // cancels the pending lease check
        ctx.set("driver", d);
      },

      get: async (ctx) => {
        const d = await ctx.get<Driver>("driver");
        if (!d) return { driverId: ctx.key, status: "IDLE", deliveriesCompleted: 0 };
        const { waiter: _w, leaseId: _l, lastEtaForwardAt: _f, pickedUp: _p, lastDeliveredId: _d, ...publicView } = d;
        return publicView;
      },
    },
  });
}
