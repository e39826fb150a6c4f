import * as restate from "@restatedev/restate-sdk";
import {
  deliveryManager,
  driverDeliveryMatcher,
  driverDigitalTwin,
  orderStatus,
  estimateArrival,
  etaMoved,
  type DeliveryRequest,
  type DeliveryView,
  type Location,
} from "@food-ordering/contracts";
import { internalHandlers } from "../internal-handlers.ts";

/**
 * delivery-manager (virtual object, key = delivery id = order id): one delivery's state machine.
 * MATCHING -> (region's matcher finds a driver, the driver's twin accepts) ASSIGNED ->
 * PICKED_UP -> DELIVERED, turning the driver's position into an ETA on the order's status.
 * The first ETA comes with the match (where the driver waited); after that only the app's
 * reports that its trip left the plan arrive, and an ETA reaches the order only when it moved by
 * more than `etaChangeThresholdMs` — so a steady trip costs no invocation however long it is.
 * Events that do not fit the current state are refused with a 409 and change nothing.
 */

type Delivery = DeliveryView & { deliveredAwakeableId: string };

const conflict = (msg: string) => new restate.TerminalError(msg, { errorCode: 409 });

async function load(ctx: restate.ObjectContext): Promise<Delivery> {
  const d = await ctx.get<Delivery>("delivery");
  if (!d) throw new restate.TerminalError(`unknown delivery ${ctx.key}`, { errorCode: 404 });
  return d;
}

function requireDriver(d: Delivery, driverId: string, expected: Delivery["status"], event: string) {
  if (d.driverId !== driverId)
    throw conflict(
      `delivery ${d.deliveryId}: ${event} by driver ${driverId}, but it is assigned to ${d.driverId ?? "no driver"}`,
    );
  if (d.status !== expected) throw conflict(`delivery ${d.deliveryId}: ${event} while ${d.status}`);
}

export interface DeliveryManagerDeps {
  /** Least change of an ETA (ms) that is passed on to the order. */
  etaChangeThresholdMs: number;
}

/** The ETA of a driver at `location` at time `at`; updates the delivery's ETA when it moved enough. */
function newEta(d: Delivery, location: Location, speedKmh: number, at: number, thresholdMs: number) {
  const eta = estimateArrival({
    now: at,
    driver: location,
    restaurant: d.restaurantLocation,
    customer: d.customerLocation,
    pickedUp: d.status === "PICKED_UP",
    speedKmh,
  });
  if (!etaMoved(d.eta, eta, thresholdMs)) return undefined;
  d.eta = eta;
  return eta;
}

export const createDeliveryManager = (deps: DeliveryManagerDeps) =>
  restate.implement(deliveryManager, {
    handlers: {
      start: async (ctx, req) => {
        if (await ctx.get<Delivery>("delivery")) return; // a redelivered start changes nothing
        ctx.set("delivery", { ...req, deliveryId: ctx.key, status: "MATCHING", attempts: 1 });
        ctx.sendClient(driverDeliveryMatcher, req.region).requestDriverForDelivery({ deliveryId: ctx.key });
      },

      driverMatched: async (ctx, { driverId }) => {
        const d = await load(ctx);
        if (d.status !== "MATCHING") {
          // Matched twice (e.g. after a reassignment raced a match): hand the driver back.
          ctx.sendClient(driverDeliveryMatcher, d.region).setDriverAvailable({ driverId });
          return;
        }
        const { accepted, position } = await ctx.client(driverDigitalTwin, driverId).assignDelivery({
          deliveryId: d.deliveryId,
          orderId: d.orderId,
          region: d.region,
          restaurantId: d.restaurantId,
          restaurantLocation: d.restaurantLocation,
          customerLocation: d.customerLocation,
          ...(d.traceparent ? { traceparent: d.traceparent } : {}),
        });
        if (!accepted) {
          // The driver went offline or got other work in between: ask for another one.
          d.attempts += 1;
          ctx.set("delivery", d);
          ctx.sendClient(driverDeliveryMatcher, d.region).requestDriverForDelivery({ deliveryId: d.deliveryId });
          return;
        }
        d.status = "ASSIGNED";
        d.driverId = driverId;
        delete d.eta;
        // The first ETA: from where the driver waited, now (a clock read once per delivery).
        const eta = position && newEta(d, position.location, position.speedKmh, await ctx.date.now(), 0);
        ctx.set("delivery", d);
        // order-status observes how long the match took (it holds the step times); the first ETA
        // travels with the status, one invocation for both.
        ctx.sendClient(orderStatus, d.orderId).setStatus({
          status: "WAITING_FOR_DRIVER",
          driverId,
          ...(eta ? { eta, driverLocation: position.location } : {}),
        });
      },

      notifyDeliveryPickup: async (ctx, { driverId }) => {
        const d = await load(ctx);
        requireDriver(d, driverId, "ASSIGNED", "pick-up");
        d.status = "PICKED_UP";
        ctx.set("delivery", d);
        ctx.sendClient(orderStatus, d.orderId).setStatus({ status: "IN_DELIVERY", driverId });
      },

      notifyDeliveryDelivered: async (ctx, { driverId }) => {
        const d = await load(ctx);
        requireDriver(d, driverId, "PICKED_UP", "delivery");
        d.status = "DELIVERED";
        ctx.set("delivery", d);
        ctx.resolveAwakeable(d.deliveredAwakeableId, { driverId });
      },

      handleDriverLocationUpdate: async (ctx, { driverId, location, speedKmh, at }) => {
        const d = await ctx.get<Delivery>("delivery");
        if (!d || d.driverId !== driverId || (d.status !== "ASSIGNED" && d.status !== "PICKED_UP")) return;
        // From the time the app read the location, not Restate's clock: the ETA is where the driver
        // was then, plus the rest of the way, and there is no clock read (a journal entry) per update.
        const eta = newEta(d, location, speedKmh, at, deps.etaChangeThresholdMs);
        if (eta === undefined) return; // within the threshold of the ETA the order shows
        ctx.set("delivery", d);
        ctx.sendClient(orderStatus, d.orderId).setEta({ eta, driverLocation: location });
      },

      driverLost: async (ctx, { driverId }) => {
        const d = await ctx.get<Delivery>("delivery");
        if (!d || d.driverId !== driverId || (d.status !== "ASSIGNED" && d.status !== "PICKED_UP")) return;
        ctx.console.warn(`delivery ${d.deliveryId}: driver ${driverId} went offline, finding another driver`);
        d.status = "MATCHING";
        delete d.driverId;
        delete d.eta;
        d.attempts += 1;
        ctx.set("delivery", d);
        ctx
          .sendClient(orderStatus, d.orderId)
          .setStatus({ status: "WAITING_FOR_DRIVER", detail: `driver ${driverId} went offline; reassigning` });
        ctx.sendClient(driverDeliveryMatcher, d.region).requestDriverForDelivery({ deliveryId: d.deliveryId });
      },

      get: async (ctx) => {
        const d = await ctx.get<Delivery>("delivery");
        if (!d) return null;
        const { deliveredAwakeableId: _a, ...publicView } = d;
        return publicView;
      },
    },
    options: { handlers: internalHandlers(deliveryManager) },
  });
