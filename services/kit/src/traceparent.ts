/**
 * W3C trace context (`traceparent: 00-<trace id>-<parent span id>-<flags>`) read and written by
 * hand: pure, so Kafka headers, HTTP headers and Restate's request headers carry an order's trace
 * without loading OpenTelemetry in a process that does not trace.
 */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  sampled: boolean;
}

export const TRACEPARENT_HEADER = "traceparent";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZEROS = /^0+$/;

/** The context a traceparent value carries; undefined for anything malformed (never throws). */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== "string" || value.length > 512) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string?];
  // Version ff is invalid; version 00 has exactly four fields (later versions may append some).
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(c: TraceContext): string {
  return `00-${c.traceId}-${c.spanId}-${c.sampled ? "01" : "00"}`;
}

/** The trace id of a traceparent value, or undefined. */
export const traceIdOf = (value: unknown): string | undefined => parseTraceparent(value)?.traceId;

/**
 * Headers of any shape this code base meets (a Map, fetch's Headers, Node's IncomingHttpHeaders,
 * kafkajs' record headers with Buffer values): the name is looked up case-insensitively.
 */
export type HeaderSource =
  ReadonlyMap<string, unknown> | { get(name: string): unknown } | Record<string, unknown> | undefined | null;

function headerValue(headers: HeaderSource, name: string): unknown {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    const h = headers as { get(name: string): unknown };
    return h.get(name) ?? h.get(name.toLowerCase());
  }
  const rec = headers as Record<string, unknown>;
  const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : rec[key];
}

/** A valid traceparent from `headers` (first value of a list, Buffers decoded), or undefined. */
export function traceparentFrom(headers: HeaderSource): string | undefined {
  let v = headerValue(headers, TRACEPARENT_HEADER);
  if (Array.isArray(v)) v = v[0];
  if (v instanceof Uint8Array) v = Buffer.from(v).toString("utf8");
  return parseTraceparent(v) ? (v as string).trim() : undefined;
}

/** `{ traceparent }` to spread into a request's or record's headers; nothing when there is no context. */
export const traceHeaders = (traceparent: string | undefined): Record<string, string> =>
  traceparent ? { [TRACEPARENT_HEADER]: traceparent } : {};
