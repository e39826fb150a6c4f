import * as restate from "@restatedev/restate-sdk";
import { orderStatus, isTerminal, ORDER_STATUSES, type OrderStatus, type OrderStatusView } from "@food-ordering/contracts";
import { metrics } from "./metrics.ts";

/**
 * order-status (virtual object, key = order id): the order's status, ETA and timeline that the
 * web UI and the inspection CLI read. One state entry per order, so every handler is one read
 * and at most one write.
 */

/** Position in the flow; a status never moves backwards except a delivery reassigned to another driver. */
const rank = (s: OrderStatus) => ORDER_STATUSES.indexOf(s);

/**
 * Whether `next` moves an order in `current` forward. WAITING_FOR_DRIVER may follow itself or
 * IN_DELIVERY: a driver that went offline (before or after pick-up) hands the delivery back, and
 * the next driver's match is a new step of its own.
 */
export function movesForward(current: OrderStatus, next: OrderStatus): boolean {
  if (isTerminal(current)) return false;
  if (next === "WAITING_FOR_DRIVER" && (current === "WAITING_FOR_DRIVER" || current === "IN_DELIVERY")) return true;
  return rank(next) > rank(current);
}

const view = (id: string): OrderStatusView => ({ id, status: "NEW", eta: null, timeline: [] });

/** A rejection reason mapped to a small set of labels, so the metric's cardinality stays bounded. */
export function rejectionKind(reason: string): string {
  if (reason.startsWith("payment declined")) return "payment_declined";
  if (reason.startsWith("not valid JSON") || reason.startsWith("empty event")) return "malformed_event";
  if (reason.startsWith("event too large")) return "oversized_event";
  if (reason.startsWith("unknown region")) return "unknown_region";
  if (reason.startsWith("unknown restaurant") || reason.includes("not on the menu")) return "unknown_restaurant_or_product";
  if (reason.includes("does not match the event key")) return "key_mismatch";
  return "invalid_order";
}

export const orderStatusObject = restate.implement(orderStatus, {
  handlers: {
    create: async (ctx, req) => {
      const existing = await ctx.get<OrderStatusView>("order");
      if (existing && existing.status !== "NEW") return { created: false, status: existing.status };
      const now = await ctx.date.now();
      ctx.set("order", {
        ...view(ctx.key),
        status: "CREATED",
        timeline: [{ status: "CREATED", at: now }],
        region: req.region,
        restaurantId: req.restaurantId,
        restaurantLocation: req.restaurantLocation,
        customerLocation: req.customerLocation,
        totalCost: req.totalCost,
        createdAt: now,
      });
      metrics.statusTransitions.inc({ status: "CREATED", region: req.region });
      return { created: true, status: "CREATED" };
    },

    setStatus: async (ctx, { status, detail, driverId, via = [] }) => {
      const order = (await ctx.get<OrderStatusView>("order")) ?? view(ctx.key);
      // Each step must move the order forward from the one before it (via first, then status).
      const accepted: OrderStatus[] = [];
      for (const next of [...via, status]) {
        if (!movesForward(order.status, next)) {
          ctx.console.warn(`order ${ctx.key}: ignoring ${next} after ${order.status}`);
          continue;
        }
        order.status = next;
        accepted.push(next);
      }
      if (accepted.length === 0) return;
      const now = await ctx.date.now();
      const region = order.region ?? "unknown";
      for (const next of accepted) {
        const previous = order.timeline.at(-1);
        order.timeline.push({ status: next, at: now, ...(detail && next === status ? { detail } : {}) });
        metrics.statusTransitions.inc({ status: next, region });
        if (!previous) continue;
        const seconds = (now - previous.at) / 1000;
        metrics.stepDuration.observe({ status: previous.status, region }, seconds);
        if (previous.status === "IN_PREPARATION") metrics.preparationDuration.observe({ restaurant: order.restaurantId ?? "unknown" }, seconds);
        // A driver accepted (WAITING_FOR_DRIVER with a driver): the wait since the delivery asked for one.
        if (next === "WAITING_FOR_DRIVER" && driverId) metrics.driverMatchWait.observe({ region }, seconds);
      }
      if (driverId) order.driverId = driverId;
      if (status === "DELIVERED") order.eta = now;
      if (isTerminal(status)) delete order.driverLocation;
      ctx.set("order", order);
      if (status === "DELIVERED" && order.createdAt) metrics.orderDuration.observe({ region }, (now - order.createdAt) / 1000);
    },

    reject: async (ctx, { reason }) => {
      const order = (await ctx.get<OrderStatusView>("order")) ?? view(ctx.key);
      // Only an order not yet past payment can be rejected; a late malformed duplicate of a
      // live order must not overwrite it.
      if (order.status !== "NEW" && order.status !== "CREATED") {
        ctx.console.warn(`order ${ctx.key}: ignoring rejection (${reason}) in status ${order.status}`);
        return;
      }
      const now = await ctx.date.now();
      const previous = order.timeline.at(-1);
      order.status = "REJECTED";
      order.rejectionReason = reason;
      order.timeline.push({ status: "REJECTED", at: now, detail: reason });
      ctx.set("order", order);
      metrics.statusTransitions.inc({ status: "REJECTED", region: order.region ?? "unknown" });
      metrics.rejections.inc({ reason: rejectionKind(reason) });
      // Leaving CREATED by a declined payment counts as an exit, as setStatus's exits do (the stuck-orders alert compares them).
      if (previous) metrics.stepDuration.observe({ status: previous.status, region: order.region ?? "unknown" }, (now - previous.at) / 1000);
    },

    setEta: async (ctx, { eta, driverLocation }) => {
      const order = await ctx.get<OrderStatusView>("order");
      if (!order || (order.status !== "WAITING_FOR_DRIVER" && order.status !== "IN_DELIVERY")) return;
      order.eta = eta;
      order.driverLocation = driverLocation;
      ctx.set("order", order);
    },

    get: async (ctx) => (await ctx.get<OrderStatusView>("order")) ?? view(ctx.key),
  },
});
