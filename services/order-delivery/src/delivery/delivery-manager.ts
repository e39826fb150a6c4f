import * as restate from "@restatedev/restate-sdk";
import {
  deliveryManager,
  driverDeliveryMatcher,
  driverDigitalTwin,
  orderStatus,
  type DeliveryRequest,
  type DeliveryView,
} from "@food-ordering/contracts";
import { internalHandlers } from "../internal-handlers.ts";

/**
 * delivery-manager (virtual object, key = delivery id = order id): one delivery's state machine.
 * MATCHING -> (region's matcher finds a driver, the driver's twin accepts) ASSIGNED ->
 * PICKED_UP -> DELIVERED. The ETA is the driver's twin's business (it hears the driver's
 * reports): its first one comes back with the assignment and travels with WAITING_FOR_DRIVER.
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

export const createDeliveryManager = () =>
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
        const { accepted, eta, driverLocation } = await ctx.client(driverDigitalTwin, driverId).assignDelivery({
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
        ctx.set("delivery", d);
        // order-status observes how long the match took (it holds the step times); the twin's
        // first ETA travels with the status, one invocation for both.
        ctx.sendClient(orderStatus, d.orderId).setStatus({
          status: "WAITING_FOR_DRIVER",
          driverId,
          ...(eta !== undefined && driverLocation ? { eta, driverLocation } : {}),
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

      driverLost: async (ctx, { driverId }) => {
        const d = await ctx.get<Delivery>("delivery");
        if (!d || d.driverId !== driverId || (d.status !== "ASSIGNED" && d.status !== "PICKED_UP")) return;
        ctx.console.warn(`delivery ${d.deliveryId}: driver ${driverId} went offline, finding another driver`);
        d.status = "MATCHING";
        delete d.driverId;
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
