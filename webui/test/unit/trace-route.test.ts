import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Server } from "node:http";
import { pino } from "pino";
import { createHttpApp, createRegistry, errorHandler, HttpError, listen } from "@food-ordering/kit";
import type { OrderStatusView, TraceWaterfall } from "@food-ordering/contracts";
import { apiRouter } from "../../server/routes.ts";
import type { Backend } from "../../server/restate.ts";
import type { OrderStreams } from "../../server/sse.ts";
import { TRACING_OFF_MESSAGE, type TraceSource } from "../../server/traces.ts";

/**
 * The trace route's decisions, with Restate and Jaeger replaced by fakes (the route against the
 * real ones: webui/test/e2e/trace.test.ts): tracing off, an order without a trace id, and what a
 * trace source answers passed through with its link.
 */
const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const views: Record<string, OrderStatusView> = {
  traced: { id: "traced", status: "DELIVERED", eta: null, timeline: [{ status: "CREATED", at: 1 }], traceId: TRACE },
  untraced: { id: "untraced", status: "CREATED", eta: null, timeline: [{ status: "CREATED", at: 1 }] },
};
const backend = {
  orderStatus: async (id: string) => views[id] ?? { id, status: "NEW", eta: null, timeline: [] },
} as Pick<Backend, "orderStatus"> as Backend;
const waterfall: TraceWaterfall = {
  traceId: TRACE,
  startedAt: 1,
  durationMs: 5,
  spanCount: 1,
  errorCount: 0,
  services: ["webui"],
  rows: [
    {
      spanId: "a",
      depth: 0,
      name: "publish",
      service: "webui",
      kind: "producer",
      offsetMs: 0,
      durationMs: 5,
      error: false,
    },
  ],
  omitted: 0,
};
const traces = (link?: string): TraceSource => ({
  waterfall: async (traceId) => {
    if (traceId !== TRACE) throw new HttpError(404, "no such trace");
    return waterfall;
  },
  link: () => link,
});
/** The trace route never opens a live stream. */
const streams = new Proxy(
  {},
  {
    get: () => {
      throw new Error("the trace route must not touch live streams");
    },
  },
) as OrderStreams;

const servers: Server[] = [];
async function shop(source: TraceSource | undefined): Promise<string> {
  const log = pino({ level: "silent" });
  const app = createHttpApp({ registry: createRegistry("trace-route-test"), log });
  app.use(
    "/api",
    apiRouter({
      regions: ["amsterdam"],
      publisher: { publish: async () => {} },
      backend,
      streams,
      log,
      traces: source,
    }),
  );
  app.use(errorHandler(log));
  const server = await listen(app, 0, "127.0.0.1");
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

let withLink: string;
let withoutLink: string;
let off: string;
beforeAll(async () => {
  [withLink, withoutLink, off] = [
    await shop(traces("http://jaeger:16686/trace/x")),
    await shop(traces()),
    await shop(undefined),
  ];
});
afterAll(() => servers.forEach((s) => s.close()));

const trace = async (base: string, id: string) => {
  const res = await fetch(`${base}/api/orders/${id}/trace`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("GET /api/orders/:id/trace", () => {
  it("answers the waterfall with the order id, and the Jaeger link when there is one", async () => {
    expect(await trace(withLink, "traced")).toEqual({
      status: 200,
      body: { orderId: "traced", ...waterfall, link: "http://jaeger:16686/trace/x" },
    });
    const { body } = await trace(withoutLink, "traced");
    expect(body).toEqual({ orderId: "traced", ...waterfall });
  });

  it("answers 404 for an order placed while tracing was off, and for an unknown order", async () => {
    expect(await trace(withLink, "untraced")).toEqual({
      status: 404,
      body: { error: 'order "untraced" has no trace: it was placed while tracing was off' },
    });
    expect((await trace(withLink, "nobody")).status).toBe(404);
  });

  it("answers 503 naming the missing setting when no trace store is configured", async () => {
    expect(await trace(off, "traced")).toEqual({ status: 503, body: { error: TRACING_OFF_MESSAGE } });
  });
});
