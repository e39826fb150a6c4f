import type * as restate from "@restatedev/restate-sdk";
import { activeSpan, traceIdOf, traceparentFrom } from "@food-ordering/kit";

/**
 * The order's trace as a handler may record it: only what stays the same across the invocation's
 * retries, since a replayed handler must write the same state and messages. `traceparent` is the
 * context the invocation was started with (a Kafka record's header, or a caller's request
 * header), absent when it came without one; `traceId` falls back to the attempt's context, whose
 * trace id is the invocation's own (only its span id changes per attempt).
 */
export function invocationTrace(ctx: restate.Context): { traceparent?: string; traceId?: string } {
  const { headers, attemptHeaders } = ctx.request();
  const traceparent = traceparentFrom(headers);
  const traceId = traceIdOf(traceparent) ?? traceIdOf(traceparentFrom(attemptHeaders));
  return { ...(traceparent ? { traceparent } : {}), ...(traceId ? { traceId } : {}) };
}

/**
 * The trace an order event starts: the producer's, whose context the event carries (the attempt
 * span is already in it, see tracingHooks), else the invocation's own (invocationTrace). With
 * the producer's, the attempt span links Restate's trace of the record (its Kafka ingress span),
 * which restate-server starts apart from the producer's.
 */
export function orderEventTrace(
  ctx: restate.Context,
  fromEvent: string | undefined,
): ReturnType<typeof invocationTrace> {
  const traceId = traceIdOf(fromEvent);
  if (!traceId) return invocationTrace(ctx);
  activeSpan().addLink(traceparentFrom(ctx.request().attemptHeaders), { "restate.link": "kafka ingress" });
  return { traceparent: fromEvent, traceId };
}

/**
 * The order's trace says why it ended REJECTED: an event and attributes on the active attempt
 * span (a no-op without tracing; the SDK's hook drops events while a handler replays).
 */
export function rejectedInTrace(orderId: string, reason: string): void {
  const span = activeSpan();
  span.addEvent("order rejected", { "order.id": orderId, "order.rejection_reason": reason });
  span.setAttributes({ "order.status": "REJECTED", "order.rejection_reason": reason });
}

/**
 * The context the rest of the order continues (the workflow, then the delivery and the driver's
 * calls): the one the event came with, else, when tracing is on, this attempt's. Restate 1.7
 * starts a new trace for a one-way send and does not continue a Kafka record's `traceparent`, so
 * the order's trace is handed on explicitly. An attempt's context differs per attempt, so it is
 * journaled (`ctx.run`) to send the same message on a replay; with tracing off there is none and
 * nothing is journaled.
 */
export async function orderTraceparent(ctx: restate.Context, fromEvent?: string): Promise<string | undefined> {
  if (fromEvent || activeSpan().traceparent === undefined) return fromEvent;
  return (await ctx.run("trace context", () => activeSpan().traceparent ?? null)) ?? undefined;
}
