import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type ManagedProcess,
  closeProducer,
  exportSpans,
  freePort,
  makeOrder,
  otlpTraces,
  publishTracedOrder,
  startTestJaeger,
  type TestJaeger,
  type TestSpan,
  webuiProcess,
} from "@food-ordering/testkit";
import type { ApiError, OrderTraceResponse } from "../../server/api-types.ts";

/**
 * GET /api/orders/:id/trace on a web UI process of its own, wired to a Jaeger of its own (the
 * real binary, fed OTLP spans written here under the order's trace id) and to the shared
 * stack's Restate, where order-status recorded that trace id; the waterfall comes from Jaeger's
 * query API. Jaeger is stopped at the end: 503, the process serves on.
 */
const stack = inject("stack");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "webui-trace-"));
const UI_URL = "http://jaeger.example:16686";
let jaeger: TestJaeger;
let webui: ManagedProcess;
let base: string;
let metricsUrl: string;

let traceId: string;
const order = makeOrder({ region: "amsterdam" });

/** One order's trace as the processes would export it, one span failing, one whose parent is lost. */
const SPANS: TestSpan[] = [
  { spanId: "a000000000000001", name: "orders publish", service: "webui", startMs: 0, durationMs: 6, kind: 4 },
  {
    spanId: "b000000000000001",
    parentSpanId: "a000000000000001",
    name: "invoke order-status/receive",
    service: "restate",
    startMs: 8,
    durationMs: 30,
    kind: 5,
  },
  {
    spanId: "c000000000000001",
    parentSpanId: "b000000000000001",
    name: "order-workflow/run",
    service: "endpoint",
    startMs: 20,
    durationMs: 400,
    kind: 2,
  },
  {
    spanId: "c000000000000002",
    parentSpanId: "c000000000000001",
    name: "pay",
    service: "endpoint",
    startMs: 25,
    durationMs: 40,
    kind: 3,
    error: "payment provider answered 503",
  },
  {
    spanId: "d000000000000001",
    parentSpanId: "ffffffffffffffff",
    name: "preparationDone",
    service: "restaurant",
    startMs: 300,
    durationMs: 5,
    kind: 3,
  },
];

const get = (p: string) => fetch(`${base}${p}`);
const traceOf = (id: string) => get(`/api/orders/${id}/trace`);

beforeAll(async () => {
  jaeger = await startTestJaeger(path.join(dir, "jaeger"));
  const [port, metricsPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  webui = webuiProcess({
    name: "webui-trace",
    port,
    metricsPort,
    logDir: dir,
    env: {
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      RESTATE_INGRESS_URL: stack.ingressUrl,
      REGIONS: "amsterdam",
      JAEGER_QUERY_URL: jaeger.queryUrl,
      JAEGER_UI_URL: UI_URL,
      OTEL_EXPORTER_OTLP_ENDPOINT: "",
    },
  });
  await webui.start();
  traceId = await publishTracedOrder(stack, order);
}, 240_000);

afterAll(async () => {
  await webui?.stop();
  await jaeger?.stop();
  await closeProducer();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/orders/:id/trace against a real Jaeger", () => {
  it("answers 404 while Jaeger has no span of the order's trace yet", async () => {
    const res = await traceOf(order.id);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ApiError).error).toBe(
      `no trace ${traceId} in the trace store (yet): spans are exported in batches and appear within seconds`,
    );
  });

  it("lays the order's spans out as a waterfall, with a link to Jaeger's trace page", async () => {
    await exportSpans(jaeger.otlpUrl, otlpTraces(traceId, SPANS));
    await expect.poll(async () => (await traceOf(order.id)).status, { timeout: 30_000 }).toBe(200);
    const res = await traceOf(order.id);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const w = (await res.json()) as OrderTraceResponse;
    expect(w).toMatchObject({
      orderId: order.id,
      traceId,
      link: `${UI_URL}/trace/${traceId}`,
      spanCount: 5,
      errorCount: 1,
      durationMs: 420,
      omitted: 0,
      services: ["webui", "restate", "endpoint", "restaurant"],
    });
    expect(w.rows.map((r) => [r.depth, r.name, r.service, r.offsetMs, r.durationMs])).toEqual([
      [0, "orders publish", "webui", 0, 6],
      [1, "invoke order-status/receive", "restate", 8, 30],
      [2, "order-workflow/run", "endpoint", 20, 400],
      [3, "pay", "endpoint", 25, 40],
      [0, "preparationDone", "restaurant", 300, 5],
    ]);
    expect(w.rows[3]).toMatchObject({ error: true, errorMessage: "payment provider answered 503", kind: "client" });
    expect(w.rows[4]).toMatchObject({ missingParent: true });
  });

  it("answers 404 for an unknown order and 400 for a malformed id", async () => {
    const unknown = await traceOf("no-such-order-xyz");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ApiError).error).toMatch(/no order "no-such-order-xyz"/);
    expect((await traceOf("bad%20id")).status).toBe(400);
  });

  it("counts the route by its template, not by order id", async () => {
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toMatch(/food_ordering_http_requests_total\{[^}]*route="\/api\/orders\/:id\/trace"[^}]*status="200"/);
    expect(text).not.toContain(order.id);
  });

  it("answers 503 with a clear message when Jaeger is down, and keeps serving", async () => {
    await jaeger.process.kill(); // as a crash would: no goodbye to open connections
    const res = await traceOf(order.id);
    expect(res.status).toBe(503);
    expect(((await res.json()) as ApiError).error).toBe("the trace store (Jaeger) is not answering (ECONNREFUSED)");
    expect((await get(`/api/orders/${order.id}`)).status).toBe(200);
  });
});
