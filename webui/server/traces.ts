import type { Logger } from "pino";
import { fetchTraceWaterfall, jaegerTraceLink, TraceQueryError, type TraceWaterfall } from "@food-ordering/contracts";
import { HttpError } from "@food-ordering/kit";

/**
 * Where the web UI reads an order's trace: Jaeger's query API (JAEGER_QUERY_URL), and the link
 * it offers browsers (JAEGER_UI_URL). An interface, so the routes can be tested without Jaeger.
 */
export interface TraceSource {
  /** Rejects with an HttpError: 404 no such trace (yet), 502 a garbled answer, 503 no answer. */
  waterfall(traceId: string): Promise<TraceWaterfall>;
  link(traceId: string): string | undefined;
}

export const TRACING_OFF_MESSAGE =
  "this shop shows no traces: no trace store (Jaeger) is configured (JAEGER_QUERY_URL)";

/** A trace is drawn in a browser: past this many spans the page lists how many it left out. */
const MAX_ROWS = 300;
/** The trace store is local to the release; a slow answer means it is in trouble. */
const TIMEOUT_MS = 5000;

const STATUS: Record<TraceQueryError["kind"], number> = {
  "invalid-id": 404,
  "not-found": 404,
  "bad-answer": 502,
  unavailable: 503,
};

/** Jaeger's query API at `queryUrl`; undefined when it is not configured (""). */
export function jaegerTraces(queryUrl: string, uiUrl: string, log: Logger): TraceSource | undefined {
  if (!queryUrl) return undefined;
  return {
    link: (traceId) => jaegerTraceLink(uiUrl, traceId),
    waterfall: async (traceId) => {
      try {
        return await fetchTraceWaterfall(queryUrl, traceId, { timeoutMs: TIMEOUT_MS, maxRows: MAX_ROWS });
      } catch (err) {
        if (!(err instanceof TraceQueryError)) throw err;
        if (err.kind !== "not-found") log.warn({ err: err.message, traceId, queryUrl }, "reading a trace failed");
        throw new HttpError(STATUS[err.kind], err.message);
      }
    },
  };
}
