import type { HooksProvider, Request } from "@restatedev/restate-sdk";
import { orderStatus, orderWorkflow, deliveryManager, orderEventTraceparent } from "@food-ordering/contracts";
import { TRACEPARENT_HEADER, traceIdOf, traceparentFrom, type Tracing } from "@food-ordering/kit";

/** Services keyed by the order id (a delivery's id is its order's): their spans carry `order.id`. */
const KEYED_BY_ORDER = new Set<string>([orderStatus.name, orderWorkflow.name, deliveryManager.name]);

/**
 * The Restate SDK's OpenTelemetry hook when tracing is on: a span per handler attempt and one per
 * `ctx.run` that executes (replayed work makes none). Loaded only then, so tracing off loads no
 * OpenTelemetry at all.
 *
 * An attempt's parent is the context Restate passes in its attempt headers, unless the request
 * carries the order's context of another trace: Restate starts a new trace for a Kafka record
 * (whose `traceparent` it ignores) and for a one-way send (the workflow started by
 * order-status/receive, the delivery started by the workflow), so the producer and each sender
 * hand the order's context on explicitly and the handler continues the order's trace.
 */
/**
 * The order's context a request carries: its `traceparent` header, else, for an order event
 * from Kafka (order-status/receive), the event's own member (Restate drops the record's headers).
 */
function orderContextOf(request: Request): string | undefined {
  const header = traceparentFrom(request.headers);
  if (header || request.target.service !== orderStatus.name || request.target.handler !== "receive") return header;
  return orderEventTraceparent(request.body);
}

export async function tracingHooks(tracing: Tracing): Promise<HooksProvider[]> {
  const tracer = tracing.tracer;
  if (!tracer) return [];
  const { openTelemetryHook } = await import("@restatedev/restate-sdk-opentelemetry");
  const hook = openTelemetryHook({
    tracer,
    additionalAttemptAttributes: ({ request: { target } }) =>
      KEYED_BY_ORDER.has(target.service) && target.key ? { "order.id": target.key } : undefined,
  });
  return [
    (ctx) => {
      const orderContext = orderContextOf(ctx.request);
      // Already in the order's trace (the request came through the ingress with it): Restate's attempt span is the parent.
      if (!orderContext || traceIdOf(orderContext) === traceIdOf(traceparentFrom(ctx.request.attemptHeaders)))
        return hook(ctx);
      const attemptHeaders = new Map([[TRACEPARENT_HEADER, orderContext]]);
      // The same context and request otherwise (prototypes keep the SDK's own fields).
      const request = Object.assign(Object.create(ctx.request) as typeof ctx.request, { attemptHeaders });
      return hook(Object.assign(Object.create(ctx) as typeof ctx, { request }));
    },
  ];
}
