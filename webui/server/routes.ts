import { Router, type Request } from "express";
import type { Logger } from "pino";
import {
  DEFAULT_CATALOG,
  CancelRequest,
  ORDER_ID_PATTERN,
  TOPICS,
  isTerminal,
  newSecret,
  secretHash,
  type Catalog,
  type OrderStatusView,
} from "@food-ordering/contracts";
import { HttpError, NO_TRACING, parseBody, publishTraced, type Publisher, type Tracing } from "@food-ordering/kit";
import type { CancelAnswer, CatalogResponse, OrderTraceResponse, PlaceOrderResponse } from "./api-types.ts";
import { buildOrderEvent, newOrderId, placeOrderSchema } from "./orders.ts";
import { publicFleet, readFleet } from "./fleet.ts";
import { operatorAccess } from "./operator.ts";
import type { Backend } from "./restate.ts";
import type { OrderStreams } from "./sse.ts";
import { TRACING_OFF_MESSAGE, type TraceSource } from "./traces.ts";
import type { DriverFix } from "./live-state.ts";

export interface ApiDeps {
  /** Regions this deployment serves (with drivers). */
  regions: readonly string[];
  publisher: Pick<Publisher, "publish">;
  /** Each order is published in a span whose context rides on the record (default: no tracing). */
  tracing?: Tracing;
  backend: Backend;
  streams: OrderStreams;
  /** A driver's latest GPS fix from driver-updates, laid over the fleet's positions. */
  driverPosition?: (driverId: string) => DriverFix | undefined;
  log: Logger;
  /** An order's trace as a waterfall (Jaeger); absent = tracing is off, the trace route answers 503. */
  traces?: TraceSource;
  /** Shows the full fleet view to whoever presents it; empty = no operator view. */
  operatorToken?: string;
  clock?: () => number;
  /**
   * The live catalog (CatalogCache over Restate): `get` re-reads it when stale, `peek` answers
   * the last read. Default: the built-in data set, unchanging (unit tests).
   */
  catalog?: { get(): Promise<Catalog>; peek(): Catalog | undefined };
}

const builtInCatalog = { get: async () => DEFAULT_CATALOG, peek: () => DEFAULT_CATALOG };

export const KAFKA_DOWN_MESSAGE =
  "the order could not be placed: the order queue is unavailable right now. Nothing was ordered or charged; please try again in a moment.";

function orderIdParam(req: Request): string {
  const id = String(req.params.id ?? "");
  if (!ORDER_ID_PATTERN.test(id))
    throw new HttpError(400, "invalid order id: must be 1-128 characters of A-Z a-z 0-9 . _ : -");
  return id;
}

/** An order the status service has never seen answers NEW: to the browser that is a 404. */
async function knownOrder(backend: Backend, id: string): Promise<OrderStatusView> {
  const view = await backend.orderStatus(id);
  if (view.status === "NEW")
    throw new HttpError(404, `no order "${id}" (yet): a just-placed order appears within seconds`);
  return view;
}

export function apiRouter(deps: ApiDeps): Router {
  const clock = deps.clock ?? Date.now;
  const live = deps.catalog ?? builtInCatalog;
  const lookup = (id: string) => live.peek()?.regions.find((r) => r.id === id);
  const schema = placeOrderSchema(deps.regions, clock, lookup);
  const accessOf = operatorAccess(deps.operatorToken ?? "");
  const api = Router();

  // The catalog is data that changes at run time: browsers may keep it only briefly.
  api.get("/catalog", async (_req, res) => {
    const { regions } = await live.get();
    const catalog: CatalogResponse = { regions: regions.filter((r) => deps.regions.includes(r.id)) };
    res.set("cache-control", "public, max-age=2").json(catalog);
  });

  api.post("/orders", async (req, res) => {
    await live.get(); // fresh enough to price with (the endpoint checks the price again)
    const request = parseBody(schema, req.body);
    const id = newOrderId();
    const now = clock();
    // The customer's right to cancel: the browser gets the capability, the event only its hash.
    const cancelCapability = newSecret();
    const event = buildOrderEvent(request, { id, now, cancelCapabilityHash: secretHash(cancelCapability), lookup });
    try {
      // Answer only after the broker acknowledged: a 201 means the order will be processed.
      await publishTraced(deps.tracing ?? NO_TRACING, deps.publisher, TOPICS.orders, [
        { key: id, value: event, attributes: { "order.id": id, "order.region": event.region }, contextInValue: true },
      ]);
    } catch (err) {
      deps.log.error({ err: (err as Error).message, orderId: id }, "publishing the order failed");
      throw new HttpError(503, KAFKA_DOWN_MESSAGE);
    }
    deps.log.info(
      { orderId: id, region: event.region, restaurantId: event.restaurantId, totalCost: event.totalCost },
      "order placed",
    );
    const answer: PlaceOrderResponse = { id, cancelCapability };
    res.status(201).location(`/api/orders/${id}`).json(answer);
  });

  api.get("/orders/:id", async (req, res) => {
    res.set("cache-control", "no-store").json(await knownOrder(deps.backend, orderIdParam(req)));
  });

  api.get("/orders/:id/trace", async (req, res) => {
    const id = orderIdParam(req);
    if (!deps.traces) throw new HttpError(503, TRACING_OFF_MESSAGE);
    const { traceId } = await knownOrder(deps.backend, id);
    if (!traceId) throw new HttpError(404, `order "${id}" has no trace: it was placed while tracing was off`);
    const waterfall = await deps.traces.waterfall(traceId);
    const link = deps.traces.link(traceId);
    const answer: OrderTraceResponse = { orderId: id, ...waterfall, ...(link ? { link } : {}) };
    // A trace grows while its order runs: always read it afresh.
    res.set("cache-control", "no-store").json(answer);
  });

  api.get("/orders/:id/events", (req, res) => {
    deps.streams.open(res, orderIdParam(req), req.ip ?? req.socket.remoteAddress ?? "unknown");
  });

  api.post("/orders/:id/cancel", async (req, res) => {
    const id = orderIdParam(req);
    const { reason, capability } = parseBody(CancelRequest, req.body ?? {});
    // The workflow checks the capability (403 for another); without one there is nothing to ask it.
    if (!capability)
      throw new HttpError(401, "cancelling needs the order's cancel capability, handed out when it was placed");
    const view = await knownOrder(deps.backend, id);
    if (isTerminal(view.status)) {
      const answer: CancelAnswer = { cancelled: false, reason: `the order is already ${view.status.toLowerCase()}` };
      res.status(409).json(answer);
      return;
    }
    const outcome = await deps.backend.cancelOrder(id, capability, reason);
    deps.log.info({ orderId: id, cancelled: outcome.cancelled, reason: outcome.reason }, "cancel requested");
    const answer: CancelAnswer = outcome;
    res.status(outcome.cancelled ? 200 : 409).json(answer);
  });

  api.get("/fleet/:region", async (req, res) => {
    const region = String(req.params.region);
    if (!deps.regions.includes(region))
      throw new HttpError(404, `unknown region "${region}"; this shop serves ${deps.regions.join(", ")}`);
    const access = accessOf(req.get("authorization"));
    const { regions } = await live.get();
    const fleet = await readFleet(
      deps.backend,
      region,
      clock(),
      regions.find((r) => r.id === region),
      deps.driverPosition,
    );
    res
      .set({ "cache-control": "no-store", vary: "authorization" })
      .json(access === "operator" ? fleet : publicFleet(fleet));
  });

  api.use((req) => {
    throw new HttpError(404, `no API route ${req.method} ${req.baseUrl}${req.path}`);
  });
  return api;
}
