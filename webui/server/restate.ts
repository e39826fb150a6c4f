import * as clients from "@restatedev/restate-sdk-clients";
import {
  deliveryManager,
  driverDeliveryMatcher,
  driverDigitalTwin,
  orderStatus,
  orderWorkflow,
  type CancelResponse,
  type DeliveryView,
  type DriverView,
  type MatcherView,
  type OrderStatusView,
} from "@food-ordering/contracts";
import { HttpError } from "@food-ordering/kit";

/**
 * What the web UI reads from (and asks of) the durable services. An interface, so the routes
 * can be tested without a Restate server, and so only this module knows the ingress URL.
 */
export interface Backend {
  orderStatus(id: string): Promise<OrderStatusView>;
  /** `capability`: the customer's cancel capability, checked by the workflow. */
  cancelOrder(id: string, capability: string, reason?: string): Promise<CancelResponse>;
  matcher(region: string): Promise<MatcherView>;
  driver(driverId: string): Promise<DriverView>;
  delivery(deliveryId: string): Promise<DeliveryView | null>;
}

/** Reads are quick handlers; a slow answer means Restate is in trouble, not that we should wait. */
const READ_TIMEOUT_MS = 5000;
/** A cancel waits for the workflow's decision, which may follow a payment call. */
const CANCEL_TIMEOUT_MS = 15_000;

export function restateBackend(ingressUrl: string): Backend {
  const ingress = clients.connect({ url: ingressUrl });
  const read = <O>() => clients.rpc.opts<void, O>({ timeout: READ_TIMEOUT_MS });
  const call = <T>(what: string, p: () => Promise<T>) =>
    p().catch((err: unknown) => Promise.reject(asHttpError(what, err)));
  return {
    orderStatus: (id) => call("order status", () => ingress.client(orderStatus, id).get(read())),
    cancelOrder: (id, capability, reason) =>
      call("cancel", () =>
        ingress
          .client(orderWorkflow, id)
          .cancel({ capability, ...(reason ? { reason } : {}) }, clients.rpc.opts({ timeout: CANCEL_TIMEOUT_MS })),
      ),
    matcher: (region) => call("driver matcher", () => ingress.client(driverDeliveryMatcher, region).get(read())),
    driver: (driverId) => call("driver", () => ingress.client(driverDigitalTwin, driverId).get(read())),
    delivery: (deliveryId) => call("delivery", () => ingress.client(deliveryManager, deliveryId).get(read())),
  };
}

/**
 * Restate's answers mapped to what the browser should see: a terminal 4xx of a handler keeps
 * its status and message; anything else (ingress down, timeout, 5xx) becomes a 503 that names
 * the dependency but not its address.
 */
export function asHttpError(what: string, err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (
    err instanceof clients.HttpCallError &&
    err.status >= 400 &&
    err.status < 500 &&
    err.status !== 408 &&
    err.status !== 429
  ) {
    return new HttpError(err.status, `${what}: ${terminalMessage(err)}`);
  }
  const name = (err as Error | undefined)?.name;
  const timedOut = name === "TimeoutError" || name === "AbortError";
  return new HttpError(
    503,
    `${what}: the order system is not answering${timedOut ? " in time" : ""}; try again shortly`,
  );
}

/** Restate wraps a terminal error as JSON `{ message }`; fall back to the raw text. */
function terminalMessage(err: clients.HttpCallError): string {
  try {
    const body = JSON.parse(err.responseText) as { message?: unknown };
    if (typeof body.message === "string") return body.message;
  } catch {
    // not JSON: use the text as it is
  }
  return err.responseText.slice(0, 200) || err.message;
}
