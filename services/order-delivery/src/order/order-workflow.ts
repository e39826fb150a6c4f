import * as restate from "@restatedev/restate-sdk";
import {
  orderWorkflow,
  orderStatus,
  deliveryManager,
  findRestaurant,
  restaurantKey,
  secretHash,
  verifyPreparationDone,
  type CancelResponse,
  type OrderOutcome,
} from "@food-ordering/contracts";
import type { PaymentClient } from "../clients/payment.ts";
import type { RestaurantClient } from "../clients/restaurant.ts";
import { metrics } from "../metrics.ts";
import { traceHeaders } from "@food-ordering/kit";
import { invocationTrace, rejectedInTrace } from "../trace-context.ts";
import { internalHandlers } from "../internal-handlers.ts";

/**
 * order-workflow (workflow, key = order id), started by order-status/receive once the order
 * event is validated and the order CREATED. Reads top to bottom as the rest of the order's life:
 * pay, wait until it is time, have the restaurant prepare it, have a driver deliver it.
 *
 * Cancellation: the `cancel` handler records the request in the `cancel` promise and waits on
 * `cancel-outcome`, which only `run` resolves — at the single point where it decides whether
 * preparation starts. So a cancel is either honoured (refund, CANCELLED) or refused, never both.
 * Only the customer may ask: the request carries the order's cancel capability, whose hash
 * order-status kept from the order event (401 without it, 403 for another; nothing changes).
 */

type Phase =
  "CREATED" | "SCHEDULED" | "IN_PREPARATION" | "SCHEDULING_DELIVERY" | "DELIVERED" | "REJECTED" | "CANCELLED";

export interface OrderWorkflowDeps {
  payment: PaymentClient;
  restaurant: RestaurantClient;
  workflowRetention: number;
  journalRetention: number;
  /** The platform's POS signing key; empty = preparation callbacks are not checked. */
  posSigningKey: string;
}

export function createOrderWorkflow(deps: OrderWorkflowDeps) {
  return restate.implement(orderWorkflow, {
    handlers: {
      run: async (ctx, order): Promise<OrderOutcome> => {
        const id = ctx.key;
        const status = ctx.sendClient(orderStatus, id);
        const cancelOutcome = ctx.promise<CancelResponse>("cancel-outcome");
        // 1-2. Validated and CREATED by order-status/receive, which started this workflow.
        // The order carries its restaurant as accepted (a later catalog change leaves it be); an
        // order accepted before the catalog was data finds it in the built-in set.
        const restaurantLocation =
          order.restaurantLocation ?? findRestaurant(order.region, order.restaurantId)!.location;
        ctx.set("phase", "CREATED");

        // 3. Pay. The idempotency token is durable, so a retried charge is deduplicated by the provider.
        const idempotencyKey = ctx.rand.uuidv4();
        const charge = await ctx.run("charge payment", () =>
          deps.payment.charge({
            idempotencyKey,
            orderId: id,
            amount: order.totalCost,
            paymentToken: order.paymentToken,
          }),
        );
        if (charge.status === "declined") {
          const reason = `payment declined: ${charge.declineReason ?? "declined by the provider"}`;
          rejectedInTrace(id, reason);
          ctx.set("phase", "REJECTED");
          status.reject({ reason });
          await cancelOutcome.resolve({ cancelled: false, reason: "the order was rejected" });
          metrics.payments.inc({ outcome: "declined" });
          return { status: "REJECTED", reason };
        }

        // 4. Scheduled: a durable timer until the requested time, unless the customer cancels first.
        // An order wanted at once needs no timer: a cancel that already arrived is all there is
        // to check, and SCHEDULED travels with IN_PREPARATION in one status message.
        const cancelRequest = ctx.promise<string>("cancel");
        const scheduled = order.deliveryDelay > 0;
        let woke: "time" | "cancel";
        if (scheduled) {
          ctx.set("phase", "SCHEDULED");
          status.setStatus({ status: "SCHEDULED" });
          woke = await restate.RestatePromise.race([
            ctx.sleep(order.deliveryDelay, "delivery delay").map(() => "time" as const),
            cancelRequest.get().map(() => "cancel" as const),
          ]);
        } else {
          woke = (await cancelRequest.peek()) === undefined ? "time" : "cancel";
        }
        if (woke === "cancel") {
          const reason = (await cancelRequest.get()) || "cancelled by the customer";
          await ctx.run("refund payment", () =>
            deps.payment.refund({ idempotencyKey: `refund-${idempotencyKey}`, chargeId: charge.chargeId, orderId: id }),
          );
          ctx.set("phase", "CANCELLED");
          status.setStatus({ status: "CANCELLED", detail: reason, ...(scheduled ? {} : { via: ["SCHEDULED"] }) });
          await cancelOutcome.resolve({ cancelled: true });
          metrics.payments.inc({ outcome: "refunded" });
          return { status: "CANCELLED", reason };
        }
        // The point of no return: any cancel from now on is refused. The phase is set first: awaiting
        // the promise's completion makes everything journaled before it durable, so the POS callback
        // (which checks the phase) can never arrive before IN_PREPARATION is recorded — not even
        // when the request below is sent twice because a crash interrupted this attempt.
        ctx.set("restaurantId", order.restaurantId);
        ctx.set("phase", "IN_PREPARATION");
        await cancelOutcome.resolve({ cancelled: false, reason: "preparation has already started" });

        // 5. Ask the restaurant to prepare; its POS calls back preparationDone.
        status.setStatus({ status: "IN_PREPARATION", ...(scheduled ? {} : { via: ["SCHEDULED"] }) });
        await ctx.run("request preparation", () =>
          deps.restaurant.prepare({ orderId: id, restaurantId: order.restaurantId, products: order.products }),
        );
        await ctx.promise<boolean>("prepared").get();

        // 6-9. Delivery: the delivery manager finds a driver and follows it; it resolves the
        // awakeable once the food is at the door.
        ctx.set("phase", "SCHEDULING_DELIVERY");
        status.setStatus({ status: "SCHEDULING_DELIVERY" });
        const delivered = ctx.awakeable<{ driverId: string }>();
        const { traceparent } = invocationTrace(ctx);
        ctx.sendClient(deliveryManager, id).start(
          {
            orderId: id,
            region: order.region,
            restaurantId: order.restaurantId,
            restaurantLocation,
            customerLocation: order.customerLocation,
            deliveredAwakeableId: delivered.id,
            // The order's trace context, for the driver app's reports (order-status/receive sent it).
            ...(traceparent ? { traceparent } : {}),
          },
          restate.rpc.sendOpts({ headers: traceHeaders(traceparent) }),
        );
        const { driverId } = await delivered.promise;
        ctx.set("phase", "DELIVERED");
        status.setStatus({ status: "DELIVERED", driverId });
        metrics.payments.inc({ outcome: "succeeded" });
        return { status: "DELIVERED" };
      },

      preparationDone: async (ctx, { signature }) => {
        const phase = await ctx.get<Phase>("phase");
        if (!phase) throw new restate.TerminalError(`unknown order ${ctx.key}`, { errorCode: 404 });
        if (phase !== "IN_PREPARATION") {
          throw new restate.TerminalError(`order ${ctx.key} is not being prepared (it is ${phase})`, {
            errorCode: 409,
          });
        }
        // Only the restaurant preparing this order can say it is ready (see PreparationDone).
        if (deps.posSigningKey) {
          const restaurantId = await ctx.get<string>("restaurantId");
          const valid =
            restaurantId !== null &&
            verifyPreparationDone(restaurantKey(deps.posSigningKey, restaurantId), ctx.key, signature);
          if (!valid)
            throw new restate.TerminalError(`order ${ctx.key}: the callback is not signed by its restaurant`, {
              errorCode: 401,
            });
        }
        // Resolved with `true` (never void), so peek() tells "already done" from "pending".
        const prepared = ctx.promise<boolean>("prepared");
        if ((await prepared.peek()) !== undefined) {
          throw new restate.TerminalError(`order ${ctx.key}: preparation was already reported done`, {
            errorCode: 409,
          });
        }
        await prepared.resolve(true);
        return { accepted: true as const };
      },

      cancel: async (ctx, req) => {
        const refused = (reason: "missing" | "forged", message: string, errorCode: 401 | 403) => {
          metrics.refusedCredentials.inc({ credential: "cancel_capability", reason });
          return new restate.TerminalError(`order ${ctx.key}: ${message}`, { errorCode });
        };
        if (!req.capability)
          throw refused("missing", "cancelling needs the cancel capability the shop handed out with the order", 401);
        const { status, allowed } = await ctx
          .client(orderStatus, ctx.key)
          .authorizeCancel({ capabilityHash: secretHash(req.capability) });
        if (status === "NEW") throw new restate.TerminalError(`unknown order ${ctx.key}`, { errorCode: 404 });
        // An order placed without a capability (a provider that hands out none) matches nothing.
        if (!allowed) throw refused("forged", "this is not the order's cancel capability", 403);
        if (!(await ctx.get<Phase>("phase"))) {
          // No phase: the workflow has not started. Order status knows whether it is about to
          // (CREATED: the cancel is recorded and the workflow honours it), or never will.
          if (status !== "CREATED")
            return {
              cancelled: false,
              reason: status === "REJECTED" ? "the order was rejected" : `the order is already ${status}`,
            };
        }
        const cancel = ctx.promise<string>("cancel");
        if ((await cancel.peek()) === undefined) await cancel.resolve(req.reason ?? "cancelled by the customer");
        return await ctx.promise<CancelResponse>("cancel-outcome").get();
      },
    },
    options: {
      workflowRetention: deps.workflowRetention,
      journalRetention: deps.journalRetention,
      // `run` among them: only order-status/receive starts an order, after validating its event.
      handlers: internalHandlers(orderWorkflow),
    },
  });
}
