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
  type Registry,
} from "@food-ordering/kit";
import type { Ledger } from "./ledger.ts";

/** The payment provider's HTTP API: POST /charges, POST /refunds, GET /ledger?orderId=. */
export function createPaymentApp(ledger: Ledger, registry: Registry, log: Logger): Express {
  const app = createHttpApp({ registry, log, bodyLimit: "16kb" });
  const outcomes = new Counter({
    name: `${METRIC_PREFIX}payment_provider_requests_total`,
    help: "Payment provider requests by kind and outcome (replayed = deduplicated retry).",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });

  app.post("/charges", (req, res) => {
    const body = parseBody(ChargeRequest, req.body);
    let result;
    try {
      result = ledger.charge(body);
    } catch (e) {
      throw new HttpError(409, (e as Error).message);
    }
    const { record, replayed } = result;
    outcomes.inc({ kind: "charge", outcome: replayed ? "replayed" : record.status });
    log.info({ orderId: record.orderId, chargeId: record.chargeId, status: record.status, replayed }, "charge");
    res.json({
      chargeId: record.chargeId,
      status: record.status,
      ...(record.declineReason ? { declineReason: record.declineReason } : {}),
    });
  });

  app.post("/refunds", (req, res) => {
    const body = parseBody(RefundRequest, req.body);
    let result;
    try {
      result = ledger.refund(body);
    } catch (e) {
      throw new HttpError(409, (e as Error).message);
    }
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
