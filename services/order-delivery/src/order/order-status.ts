import * as restate from "@restatedev/restate-sdk";
import {
  orderStatus,
  orderWorkflow,
  catalog,
  checkOrderInRegion,
  isTerminal,
  openOrderEvent,
  readOrderEvent,
  sameHash,
  ORDER_STATUSES,
  type OrderEvent,
  type OrderStatus,
  type OrderStatusView,
  type ParseResult,
} from "@food-ordering/contracts";
import { traceHeaders } from "@food-ordering/kit";
import { metrics } from "../metrics.ts";
import { orderEventTrace, orderTraceparent, rejectedInTrace } from "../trace-context.ts";
import { internalHandlers } from "../internal-handlers.ts";
import type { IntakeCatalogCache } from "../catalog/catalog-cache.ts";
import type { OrderUpdates } from "./order-updates.ts";

/**
 * order-status (virtual object, key = order id): the order's status, ETA and timeline that the
 * web UI and the inspection CLI read. One state entry per order, so every handler is one read
 * and at most one write.
 *
 * It is also where an order enters: the `orders` subscription invokes `receive`, which validates
 * the event, records CREATED and starts the order's workflow. Recording CREATED on Restate's first
 * hop (rather than from the workflow, through a call back here) is what keeps publish → CREATED
 * short, and duplicates and malformed events never start a workflow.
 *
 * It keeps the hash of the order's cancel capability apart from the view (`cancelHash`): `get`
 * is public, and the workflow's `cancel` asks `authorizeCancel` whether a capability matches.
 *
 * Every change of the view bumps its `version` and is published to the `order-updates` topic, so
 * the web UI pushes changes to watching pages without reading here per change. The publish is
 * the handler's last act and is not awaited: waiting for Kafka's acknowledgement (or a journaled
 * `ctx.run` round trip) would hold the order's key, and so delay its next step, for every change.
 * A retried invocation publishes the same view again, harmless: readers keep the highest version.
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
  if (reason.startsWith("unknown restaurant") || reason.includes("not on the menu"))
    return "unknown_restaurant_or_product";
  if (reason.includes("does not match the event key")) return "key_mismatch";
  return "invalid_order";
}

/** The order moved to REJECTED with its reason, and the metrics that record it. */
function rejected(order: OrderStatusView, reason: string, now: number): OrderStatusView {
  const previous = order.timeline.at(-1);
  const region = order.region ?? "unknown";
  metrics.statusTransitions.inc({ status: "REJECTED", region });
  metrics.rejections.inc({ reason: rejectionKind(reason) });
  rejectedInTrace(order.id, reason);
  // Leaving CREATED by a declined payment counts as an exit, as setStatus's exits do (the stuck-orders alert compares them).
  if (previous) metrics.stepDuration.observe({ status: previous.status, region }, (now - previous.at) / 1000);
  return {
    ...order,
    status: "REJECTED",
    rejectionReason: reason,
    timeline: [...order.timeline, { status: "REJECTED", at: now, detail: reason }],
  };
}

type Ctx = restate.ObjectContext;

/** The statuses in which the order shows its driver's position and an ETA. */
const tracksDriver = (status: OrderStatus) => status === "WAITING_FOR_DRIVER" || status === "IN_DELIVERY";

/** Stores the changed view under a new version; `publish` then sends it to the order-updates topic. */
function save(ctx: Ctx, order: OrderStatusView): OrderStatusView & { version: number } {
  const saved = { ...order, version: (order.version ?? 0) + 1 };
  ctx.set("order", saved);
  return saved;
}

export function createOrderStatusObject(deps: {
  updates: OrderUpdates;
  /** The platform's order signing key: only events its producers signed start an order; empty = not checked. */
  orderSigningKey: string;
  /** This process's recent reads of the live catalog (catalog-cache.ts). */
  catalogCache: IntakeCatalogCache;
}) {
  const publish = (saved: OrderStatusView & { version: number }) => void deps.updates.publish(saved);

  /**
   * The order checked against its region's live catalog, and the time it was: an order the cached
   * region accepts costs one journaled step; otherwise (nothing cached, or the cached copy refuses
   * it) the catalog object is asked, so a refusal always stands on the live catalog.
   */
  const checkedAgainstCatalog = async (ctx: Ctx, event: OrderEvent): Promise<{ parsed: ParseResult; now: number }> => {
    const cached = await ctx.run("check against the cached catalog", () => {
      const now = Date.now();
      const entry = deps.catalogCache.get(event.region, now);
      const parsed = entry ? checkOrderInRegion(event, entry.region) : undefined;
      metrics.catalogChecks.inc({ source: parsed?.ok ? "cache" : "catalog" });
      return parsed?.ok ? { parsed, now } : null;
    });
    if (cached) return cached;
    const entry = await ctx.client(catalog, event.region).get();
    const now = await ctx.date.now();
    // Stamped with the journaled time: a replay long after the read cannot pass it off as fresh.
    deps.catalogCache.put(event.region, entry, now);
    return { parsed: checkOrderInRegion(event, entry?.region), now };
  };
  return restate.implement(orderStatus, {
    handlers: {
      receive: async (ctx, raw: Uint8Array) => {
        const id = ctx.key;
        if (id === "") {
          // A record without a key: Restate files it under "", where no order can be tracked.
          ctx.console.warn(
            `dropping an order event without a key (${raw.byteLength} bytes): the key must be the order id`,
          );
          metrics.rejections.inc({ reason: "missing_key" });
          return;
        }
        // Only the platform's producers start orders. An event without their signature changes
        // nothing (no REJECTED record to claim the id) and fails terminally: never retried, so the
        // events behind it flow on; an ingress caller gets 401/403.
        const signed = openOrderEvent(deps.orderSigningKey, id, raw);
        if (!signed.ok) {
          ctx.console.warn(`order ${id}: dropping the order event: ${signed.message}`);
          metrics.rejections.inc({ reason: signed.reason });
          throw new restate.TerminalError(`order ${id}: ${signed.message}`, { errorCode: signed.errorCode });
        }
        const existing = await ctx.get<OrderStatusView>("order");
        if (existing && existing.status !== "NEW") {
          // A provider's retry, or a replay of the topic: the order is already under way (or done).
          ctx.console.info(`order ${id}: ignoring a repeated event (the order is ${existing.status})`);
          metrics.duplicateOrderEvents.inc();
          return;
        }
        const read = readOrderEvent(signed.event, id);
        const { parsed, now } = read.ok
          ? await checkedAgainstCatalog(ctx, read.event)
          : { parsed: read, now: await ctx.date.now() };
        // The view remembers the order's trace (the web UI and inspect draw it from Jaeger).
        const trace = orderEventTrace(ctx, read.ok ? read.event.traceparent : read.traceparent);
        const traced = (v: OrderStatusView): OrderStatusView => (trace.traceId ? { ...v, traceId: trace.traceId } : v);
        if (!parsed.ok) {
          // A bad event is rejected once, with its reason, and never retried; no workflow starts.
          ctx.console.warn(`order ${id} rejected: ${parsed.reason}`);
          const saved = save(ctx, rejected(traced(view(id)), parsed.reason, now));
          // Kept even so: the customer holding the capability gets "rejected" from cancel, not 403.
          if (parsed.cancelCapabilityHash) ctx.set("cancelHash", parsed.cancelCapabilityHash);
          publish(saved);
          return;
        }
        const order = parsed.order;
        if (order.cancelCapabilityHash) ctx.set("cancelHash", order.cancelCapabilityHash);
        const saved = save(ctx, {
          ...traced(view(id)),
          status: "CREATED",
          timeline: [{ status: "CREATED", at: now }],
          region: order.region,
          restaurantId: order.restaurantId,
          restaurantLocation: order.restaurantLocation,
          customerLocation: order.customerLocation,
          totalCost: order.totalCost,
          createdAt: now,
        });
        metrics.statusTransitions.inc({ status: "CREATED", region: order.region });
        // A one-way send: journaled with the state above, so the workflow starts exactly once.
        // The event's trace context goes along as a header: stable, so the workflow may pass it on.
        const headers = traceHeaders(await orderTraceparent(ctx, trace.traceparent));
        ctx.sendClient(orderWorkflow, id).run(order, restate.rpc.sendOpts({ headers }));
        publish(saved);
      },

      setStatus: async (ctx, { status, detail, driverId, via = [], eta, driverLocation }) => {
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
          if (previous.status === "IN_PREPARATION")
            metrics.preparationDuration.observe({ restaurant: order.restaurantId ?? "unknown" }, seconds);
          // A driver accepted (WAITING_FOR_DRIVER with a driver): the wait since the delivery asked for one.
          if (next === "WAITING_FOR_DRIVER" && driverId) metrics.driverMatchWait.observe({ region }, seconds);
        }
        if (driverId) order.driverId = driverId;
        if (eta !== undefined && driverLocation && tracksDriver(status)) {
          order.eta = eta;
          order.driverLocation = driverLocation;
        }
        if (status === "DELIVERED") order.eta = now;
        if (isTerminal(status)) delete order.driverLocation;
        const saved = save(ctx, order);
        if (status === "DELIVERED" && order.createdAt)
          metrics.orderDuration.observe({ region }, (now - order.createdAt) / 1000);
        publish(saved);
      },

      reject: async (ctx, { reason }) => {
        const order = (await ctx.get<OrderStatusView>("order")) ?? view(ctx.key);
        // Only an order not yet past payment can be rejected.
        if (order.status !== "NEW" && order.status !== "CREATED") {
          ctx.console.warn(`order ${ctx.key}: ignoring rejection (${reason}) in status ${order.status}`);
          return;
        }
        publish(save(ctx, rejected(order, reason, await ctx.date.now())));
      },

      setEta: async (ctx, { eta, driverLocation }) => {
        const order = await ctx.get<OrderStatusView>("order");
        if (!order || !tracksDriver(order.status)) return;
        order.eta = eta;
        order.driverLocation = driverLocation;
        publish(save(ctx, order));
      },

      authorizeCancel: async (ctx, { capabilityHash }) => {
        const [order, stored] = await Promise.all([ctx.get<OrderStatusView>("order"), ctx.get<string>("cancelHash")]);
        return { status: order?.status ?? "NEW", allowed: sameHash(capabilityHash, stored) };
      },

      get: async (ctx) => (await ctx.get<OrderStatusView>("order")) ?? view(ctx.key),
    },
    options: { handlers: internalHandlers(orderStatus) },
  });
}
