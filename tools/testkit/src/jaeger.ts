import { TOPICS, type OrderEvent } from "@food-ordering/contracts";
import { createJaeger, ensureJaeger, freePort, type ManagedProcess, type StackInfo } from "@food-ordering/stack";
import { getStatus, publishRaw } from "./platform.ts";

/**
 * A Jaeger of a test's own (the stack's Jaeger v2 binary and configuration, on free loopback
 * ports) and OTLP spans written by hand to feed it: a test decides every span's parent, times
 * and status, and reads them back through the real query API.
 */

export interface TestJaeger {
  /** Query API base (GET /api/v3/traces/{id}). */
  queryUrl: string;
  /** OTLP/HTTP base (POST /v1/traces). */
  otlpUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Whether anything answers HTTP at `url` (any status). */
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

/** Starts a Jaeger for this test (building the binary first on a fresh machine: minutes). */
export async function startTestJaeger(dir: string): Promise<TestJaeger> {
  const binary = ensureJaeger((s) => console.log(`[jaeger] ${s}`));
  const ports = {
    otlpGrpc: await freePort(),
    otlpHttp: await freePort(),
    query: await freePort(),
    queryGrpc: await freePort(),
    health: await freePort(),
  };
  const jaeger = createJaeger({ binary, dataDir: dir, logDir: dir, ports });
  await jaeger.start();
  const otlpUrl = `http://127.0.0.1:${ports.otlpHttp}`;
  // Ready means the query API answers; the OTLP receiver starts a moment later (GET answers 405).
  for (let i = 0; !(await answers(`${otlpUrl}/v1/traces`)); i++) {
    if (i > 100) throw new Error(`Jaeger's OTLP receiver at ${otlpUrl} is not listening; see ${jaeger.logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { queryUrl: `http://127.0.0.1:${ports.query}`, otlpUrl, process: jaeger, stop: () => jaeger.stop() };
}

/** A span to write: times in ms from the trace's `epochMs`, an error given as its message. */
export interface TestSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  startMs: number;
  durationMs: number;
  /** OTLP SpanKind number (1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  kind?: number;
  /** Span status ERROR with this message. */
  error?: string;
  /** Status ERROR without a message, the reason only in an exception event (as the SDKs record a throw). */
  exception?: string;
}

const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** OTLP/JSON (ExportTraceServiceRequest) for these spans, one resource per service. */
export function otlpTraces(traceId: string, spans: TestSpan[], epochMs = Date.now()): { resourceSpans: object[] } {
  const services = [...new Set(spans.map((s) => s.service))];
  return {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [str("service.name", service)] },
      scopeSpans: [
        {
          scope: { name: "food-ordering-tests" },
          spans: spans
            .filter((s) => s.service === service)
            .map((s) => ({
              traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: nanos(epochMs + s.startMs),
              endTimeUnixNano: nanos(epochMs + s.startMs + s.durationMs),
              ...(s.exception
                ? {
                    events: [
                      {
                        name: "exception",
                        timeUnixNano: nanos(epochMs + s.startMs),
                        attributes: [str("exception.message", s.exception)],
                      },
                    ],
                  }
                : {}),
              status: s.error !== undefined || s.exception ? { code: 2, message: s.error ?? "" } : {},
            })),
        },
      ],
    })),
  };
}

/** Exports spans to a Jaeger over OTLP/HTTP, as every process's exporter does. */
export async function exportSpans(otlpUrl: string, body: { resourceSpans: object[] }): Promise<void> {
  const res = await fetch(`${otlpUrl}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`exporting spans: ${res.status} ${await res.text()}`);
}

/** A random trace id or span id, as hex. */
export const randomHexId = (bytes: 16 | 8) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Publishes an order whose event carries a traceparent, in its value and its headers, as a
 * tracing producer sends it, and answers the trace id order-status recorded in the order's view
 * (the stack must trace).
 */
export async function publishTracedOrder(stack: StackInfo, order: OrderEvent): Promise<string> {
  const traceparent = `00-${randomHexId(16)}-${randomHexId(8)}-01`;
  const value = JSON.stringify({ ...order, traceparent });
  await publishRaw(stack, TOPICS.orders, [{ key: order.id, value, headers: { traceparent } }]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await getStatus(stack, order.id).catch(() => undefined);
    if (view?.traceId) return view.traceId;
    if (Date.now() > deadline)
      throw new Error(
        `order ${order.id} (${view?.status ?? "unreadable"}): no trace id recorded; does the stack trace?`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
