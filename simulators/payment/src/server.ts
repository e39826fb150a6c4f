import type { Express } from "express";
import type { Logger } from "pino";
import { ChargeRequest, RefundRequest } from "@food-ordering/contracts";
import {
  createHttpApp,
  errorHandler,
  parseBody,
  HttpError,
  Counter,
  METRIC_PREFIX,
  NO_TRACING,
  traceparentFrom,
  type Registry,
  type Tracing,
} from "@food-ordering/kit";
import type { Ledger } from "./ledger.ts";

/**
 * The payment provider's HTTP API: POST /charges, POST /refunds, GET /ledger?orderId=. With
 * tracing, a charge or refund is a server span in the trace of the caller's `traceparent`.
 */
export function createPaymentApp(ledger: Ledger, registry: Registry, log: Logger, tracing = NO_TRACING): Express {
  const app = createHttpApp({ registry, log, bodyLimit: "16kb" });
  const outcomes = new Counter({
    name: `${METRIC_PREFIX}payment_provider_requests_total`,
    help: "Payment provider requests by kind and outcome (replayed = deduplicated retry).",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });

  app.post("/charges", async (req, res) => {
    const body = parseBody(ChargeRequest, req.body);
    const { record, replayed } = await served(tracing, "charge", req.headers, body.orderId, () => ledger.charge(body));
    outcomes.inc({ kind: "charge", outcome: replayed ? "replayed" : record.status });
    log.info({ orderId: record.orderId, chargeId: record.chargeId, status: record.status, replayed }, "charge");
    res.json({
      chargeId: record.chargeId,
      status: record.status,
      ...(record.declineReason ? { declineReason: record.declineReason } : {}),
    });
  });

  app.post("/refunds", async (req, res) => {
    const body = parseBody(RefundRequest, req.body);
    const result = await served(tracing, "refund", req.headers, body.orderId, () => ledger.refund(body));
    outcomes.inc({ kind: "refund", outcome: result.replayed ? "replayed" : "succeeded" });
    log.info({ orderId: body.orderId, chargeId: body.chargeId, replayed: result.replayed }, "refund");
    res.json({ refundId: result.record.refundId, chargeId: result.record.chargeId });
  });

  app.get("/ledger", (req, res) => {
    const orderId = typeof req.query.orderId === "string" ? req.query.orderId : undefined;
    res.json(ledger.entries({ orderId }));
  });

  app.use(errorHandler(log));
  return app;
}

/**
 * A ledger operation as the API serves it: a conflict (a reused idempotency key) is a 409, and
 * with tracing the operation is a server span (`payment.replayed`, `payment.status` when it has one).
 */
function served<T extends { replayed: boolean; record: object }>(
  tracing: Tracing,
  kind: "charge" | "refund",
  headers: Record<string, unknown>,
  orderId: string,
  op: () => T,
): Promise<T> {
  const opts = { kind: "server" as const, parent: traceparentFrom(headers), attributes: { "order.id": orderId } };
  return tracing.span(`payment ${kind}`, opts, async (span) => {
    let result: T;
    try {
      result = op();
    } catch (e) {
      throw new HttpError(409, (e as Error).message);
    }
    const status = (result.record as { status?: string }).status;
    span.setAttributes({ "payment.replayed": result.replayed, ...(status ? { "payment.status": status } : {}) });
    return result;
  });
}
