import type { Logger } from "pino";
import { NO_TRACING, sleep, traceHeaders, type SpanHandle, type Tracing } from "@food-ordering/kit";
import { restaurantKey, signPreparationDone } from "@food-ordering/contracts";

/**
 * The restaurant's kitchen: each accepted order is "prepared" for its preparation time, then the
 * POS tells the platform through Restate's ingress. A repeated prepare request for an order
 * already in the kitchen is accepted without cooking it twice.
 */
export interface KitchenOptions {
  ingressUrl: string;
  /** Real milliseconds one preparation takes (mean; ±30% jitter). */
  prepTimeMs: number;
  /** The platform's POS signing key, from which each restaurant's key is derived. */
  posSigningKey?: string;
  log: Logger;
  /** Each preparation is a span of the order's trace; its context goes back with the callback. */
  tracing?: Tracing;
  onDone?: (orderId: string, restaurantId: string, ms: number) => void;
}

export class Kitchen {
  private readonly inProgress = new Map<string, number>();
  private readonly opts: KitchenOptions;

  constructor(opts: KitchenOptions) {
    this.opts = opts;
  }

  get size(): number {
    return this.inProgress.size;
  }

  /**
   * Returns false when the order is already being prepared. `traceparent` is the prepare
   * request's trace context (the order's), continued by the preparation's span.
   */
  accept(orderId: string, restaurantId: string, traceparent?: string): boolean {
    if (this.inProgress.has(orderId)) return false;
    const ms = Math.round(this.opts.prepTimeMs * (0.7 + Math.random() * 0.6));
    this.inProgress.set(orderId, Date.now());
    const span = (this.opts.tracing ?? NO_TRACING).startSpan("prepare order", {
      kind: "server",
      parent: traceparent,
      attributes: { "order.id": orderId, "restaurant.id": restaurantId, "restaurant.preparation_ms": ms },
    });
    setTimeout(() => void this.finish(orderId, restaurantId, ms, span, traceparent), ms);
    return true;
  }

  private async finish(orderId: string, restaurantId: string, ms: number, span: SpanHandle, traceparent?: string) {
    // The callback continues the order's trace: under the preparation's span, or (tracing off) as it came.
    const trace = traceHeaders(span.traceparent ?? traceparent);
    const url = `${this.opts.ingressUrl}/order-workflow/${encodeURIComponent(orderId)}/preparationDone`;
    // Retry until Restate answers; the idempotency key makes a retried callback count once.
    for (let attempt = 1, wait = 200; ; attempt++, wait = Math.min(wait * 2, 5000)) {
      try {
        const key = restaurantKey(this.opts.posSigningKey ?? "", restaurantId);
        const res = await fetch(url, {
          method: "POST",
          headers: { "idempotency-key": `prepared-${orderId}`, "content-type": "application/json", ...trace },
          body: JSON.stringify({ signature: signPreparationDone(key, orderId) }),
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) {
          this.opts.log.info({ orderId, restaurantId, ms }, "order ready");
          this.opts.onDone?.(orderId, restaurantId, ms);
          break;
        }
        if (res.status >= 400 && res.status < 500) {
          this.opts.log.warn(
            { orderId, status: res.status, body: (await res.text()).slice(0, 300) },
            "platform refused the ready callback",
          );
          break;
        }
        throw new Error(`status ${res.status}`);
      } catch (err) {
        this.opts.log.warn({ orderId, attempt, err: (err as Error).message }, "ready callback failed, retrying");
        await sleep(wait);
      }
    }
    span.end();
    this.inProgress.delete(orderId);
  }
}
