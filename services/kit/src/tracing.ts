import type { Tracer, Span } from "@opentelemetry/api";
import { z } from "zod";
import type { Logger } from "pino";
import { env, type ConfigSpec } from "./config.ts";
import { formatTraceparent, parseTraceparent, traceHeaders, type TraceContext } from "./traceparent.ts";
import type { OutgoingMessage, Publisher } from "./kafka.ts";

/**
 * Distributed tracing for every process, switched by OTEL_EXPORTER_OTLP_ENDPOINT. Off (empty),
 * it costs nothing: OpenTelemetry is never imported (only its types, erased), no exporter runs,
 * and `span()` just calls its function. On, spans go in batches over OTLP/HTTP to
 * `<endpoint>/v1/traces`, and the active context follows async calls (AsyncLocalStorage), so a
 * Restate handler's `ctx.run` closure can hand its span on in an HTTP header.
 */
export const tracingSpec = {
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: z.union([env.url(), z.literal("")]),
    default: "",
    doc: "OTLP/HTTP base URL spans are exported to (e.g. http://127.0.0.1:4318); empty = tracing off.",
    helm: "tracing.enabled / tracing.otlpEndpoint",
  },
  OTEL_SERVICE_NAME: {
    schema: env.string().max(128).optional(),
    default: undefined,
    doc: "Service name of this process's spans (default: the component's name).",
    helm: "(the component's name)",
  },
} satisfies ConfigSpec;

export type SpanKindName = "internal" | "server" | "client" | "producer" | "consumer";
export type SpanAttributes = Record<string, string | number | boolean>;

export interface SpanOptions {
  kind?: SpanKindName;
  attributes?: SpanAttributes;
  /** A traceparent to continue (e.g. from a request header); default: the active span, else a new trace. */
  parent?: string;
}

export interface SpanHandle {
  /** This span's W3C traceparent, for a Kafka header or an HTTP request; undefined when tracing is off. */
  readonly traceparent: string | undefined;
  setAttributes(attributes: SpanAttributes): void;
  addEvent(name: string, attributes?: SpanAttributes): void;
  /** Marks the span failed with a reason (status ERROR and an exception event). */
  fail(reason: string): void;
  /** Links another trace's span (a valid traceparent; anything else is ignored), e.g. the one that caused this. */
  addLink(traceparent: string | undefined, attributes?: SpanAttributes): void;
  end(): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Runs `fn` in a new span (the active one inside it), ended when `fn` settles; a throw marks it failed. */
  span<T>(name: string, opts: SpanOptions, fn: (span: SpanHandle) => Promise<T>): Promise<T>;
  /** A span the caller ends, for work that outlives a call (the kitchen's preparation). */
  startSpan(name: string, opts?: SpanOptions): SpanHandle;
  /** The active span (inside span(), a traced Restate handler or its ctx.run); a no-op handle if none. */
  active(): SpanHandle;
  /** The OpenTelemetry tracer, for the Restate SDK's hook; undefined when off. */
  readonly tracer: Tracer | undefined;
  /** Exports what is buffered. */
  shutdown(): Promise<void>;
}

const NOOP_SPAN: SpanHandle = {
  traceparent: undefined,
  setAttributes: () => {},
  addEvent: () => {},
  fail: () => {},
  addLink: () => {},
  end: () => {},
};

/** Tracing off: every call is a pass-through. */
export const NO_TRACING: Tracing = {
  enabled: false,
  span: (_name, _opts, fn) => fn(NOOP_SPAN),
  startSpan: () => NOOP_SPAN,
  active: () => NOOP_SPAN,
  tracer: undefined,
  shutdown: async () => {},
};

/**
 * Tracing for a process from its config (built with tracingSpec). `component` names its spans'
 * service unless OTEL_SERVICE_NAME does.
 */
export async function startTracing(
  config: { OTEL_EXPORTER_OTLP_ENDPOINT: string; OTEL_SERVICE_NAME?: string },
  component: string,
  log?: Logger,
): Promise<Tracing> {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "");
  if (!endpoint) return NO_TRACING;
  const serviceName = config.OTEL_SERVICE_NAME ?? component;
  const [api, { TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }, ah] =
    await Promise.all([
      import("@opentelemetry/api"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/context-async-hooks"),
    ]);
  const { context, trace, SpanKind, SpanStatusCode, TraceFlags, ROOT_CONTEXT } = api;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [
      // Exported every half second, so a trace is readable moments after the order is done.
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }),
        scheduledDelayMillis: 500,
      }),
    ],
  });
  // Global, so the Restate SDK's hook and `trace.getActiveSpan()` see the same context and tracer.
  context.setGlobalContextManager(new ah.AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const tracer = provider.getTracer(serviceName);
  const kinds = {
    internal: SpanKind.INTERNAL,
    server: SpanKind.SERVER,
    client: SpanKind.CLIENT,
    producer: SpanKind.PRODUCER,
    consumer: SpanKind.CONSUMER,
  };
  const traceparentOf = (span: Span | undefined) => {
    const c = span?.spanContext();
    if (!c || !trace.isSpanContextValid(c)) return undefined;
    return formatTraceparent({ traceId: c.traceId, spanId: c.spanId, sampled: (c.traceFlags & 1) === 1 });
  };
  const remote = (c: TraceContext) => ({
    traceId: c.traceId,
    spanId: c.spanId,
    traceFlags: c.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  const parentContext = (parent: string | undefined) => {
    const c = parseTraceparent(parent);
    return c ? trace.setSpanContext(ROOT_CONTEXT, remote(c)) : context.active();
  };
  const handle = (span: Span): SpanHandle => ({
    traceparent: traceparentOf(span),
    setAttributes: (a) => void span.setAttributes(a),
    addEvent: (name, a) => void span.addEvent(name, a),
    fail: (reason) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
      span.recordException({ name: "Error", message: reason });
    },
    addLink: (traceparent, attributes) => {
      const c = parseTraceparent(traceparent);
      if (c) span.addLink({ context: remote(c), ...(attributes ? { attributes } : {}) });
    },
    end: () => span.end(),
  });
  const start = (name: string, opts: SpanOptions = {}) => {
    const parent = parentContext(opts.parent);
    const span = tracer.startSpan(name, { kind: kinds[opts.kind ?? "internal"], attributes: opts.attributes }, parent);
    return { span, ctx: trace.setSpan(parent, span) };
  };
  log?.info({ endpoint, serviceName }, "tracing on: spans exported over OTLP/HTTP");
  return (current = {
    enabled: true,
    tracer,
    startSpan: (name, opts) => handle(start(name, opts).span),
    async span(name, opts, fn) {
      const { span, ctx } = start(name, opts);
      const h = handle(span);
      try {
        return await context.with(ctx, () => fn(h));
      } catch (e) {
        h.fail((e as Error).message ?? String(e));
        throw e;
      } finally {
        span.end();
      }
    },
    active: () => {
      const span = trace.getActiveSpan();
      return span ? handle(span) : NOOP_SPAN;
    },
    shutdown: () => provider.shutdown(),
  });
}

let current: Tracing = NO_TRACING;
/**
 * The process's active span, for code far from where tracing was started (a Restate handler
 * noting why it rejected an order); a no-op until startTracing turned tracing on.
 */
export const activeSpan = (): SpanHandle => current.active();

/** A record to publish in its own producer span: its attributes, and a trace to continue (else a new one). */
export type TracedMessage = OutgoingMessage & {
  attributes?: SpanAttributes;
  parent?: string;
  /**
   * The span's context also as the value's `traceparent` member (the value must be an object):
   * for a consumer that sees the value but not the headers, as restate-server 1.7's subscriptions.
   */
  contextInValue?: boolean;
};

const withContext = (value: unknown, traceparent: string | undefined): unknown =>
  traceparent && value !== null && typeof value === "object" && !Array.isArray(value)
    ? { ...value, traceparent }
    : value;

/**
 * Publishes messages, each in its own producer span (messaging semantic conventions) whose
 * traceparent rides on the record (header, and value with `contextInValue`) for its consumer to
 * continue. One produce call for all of them, as without tracing; off, it is a plain publish.
 */
export async function publishTraced(
  tracing: Tracing,
  publisher: Pick<Publisher, "publish">,
  topic: string,
  messages: TracedMessage[],
  opts: { urgent?: boolean } = {},
): Promise<void> {
  const records = messages.map(({ key, value, headers }) => ({ key, value, ...(headers ? { headers } : {}) }));
  if (!tracing.enabled) return publisher.publish(topic, records, opts);
  const spans = messages.map((m) =>
    tracing.startSpan(`send ${topic}`, {
      kind: "producer",
      parent: m.parent,
      attributes: {
        "messaging.system": "kafka",
        "messaging.operation.type": "send",
        "messaging.operation.name": "send",
        "messaging.destination.name": topic,
        "messaging.kafka.message.key": m.key,
        ...m.attributes,
      },
    }),
  );
  const traced = records.map((r, i) => {
    const traceparent = spans[i]!.traceparent;
    const value = messages[i]!.contextInValue ? withContext(r.value, traceparent) : r.value;
    return { ...r, value, headers: { ...r.headers, ...traceHeaders(traceparent) } };
  });
  try {
    await publisher.publish(topic, traced, opts);
  } catch (e) {
    for (const s of spans) s.fail(`publish failed: ${(e as Error).message}`);
    throw e;
  } finally {
    for (const s of spans) s.end();
  }
}
