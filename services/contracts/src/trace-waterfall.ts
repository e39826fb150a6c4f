import { z } from "zod";

/**
 * An order's trace as a waterfall: read from Jaeger's query API and laid out as rows (one per
 * span, indented by depth, offset from the trace's start). In contracts because the web UI's
 * backend answers it, its browser code draws it (type-only import) and `inspect` prints it.
 *
 * Jaeger API v3 (`GET /api/v3/traces/{id}`), not v1 (`/api/traces/{id}`): v3 is Jaeger's
 * documented public API and answers the OTLP JSON the processes export, with span status code
 * and message, events and resource attributes as they were sent; v1 is the Jaeger UI's own
 * API, which re-encodes them as Jaeger tags.
 */

/** A W3C / OTLP trace id: 32 lowercase hex characters, not all zero. */
export const TRACE_ID_PATTERN = /^(?!0{32})[0-9a-f]{32}$/;

export type TraceSpanKind = "internal" | "server" | "client" | "producer" | "consumer" | "unspecified";

/** One span as a row of the waterfall. */
export interface WaterfallRow {
  spanId: string;
  parentSpanId?: string;
  /** 0 for a root (or a span whose parent is missing), parent's depth + 1 otherwise. */
  depth: number;
  name: string;
  service: string;
  kind: TraceSpanKind;
  /** From the trace's first span to this span's start, in ms (after any clock-skew shift). */
  offsetMs: number;
  durationMs: number;
  error: boolean;
  /** Why it failed: the span's status message, else its exception event's message. */
  errorMessage?: string;
  /** Its parent is not in the trace (not exported yet, or lost): drawn as a root. */
  missingParent?: boolean;
  /**
   * Moved later by this many ms because it started before its parent: the clocks of the two
   * processes disagree (a child cannot start before its parent).
   */
  clockSkewMs?: number;
}

export interface TraceWaterfall {
  traceId: string;
  /** Epoch ms of the trace's first span. */
  startedAt: number;
  /** First span's start to last span's end, in ms. */
  durationMs: number;
  spanCount: number;
  errorCount: number;
  /** Services in the order they first appear: a stable index for colours. */
  services: string[];
  /** Depth-first, children in start order. */
  rows: WaterfallRow[];
  /** Rows left out past the row limit (the latest in depth-first order). */
  omitted: number;
}

// --- OTLP JSON, as Jaeger's v3 API answers it (lenient: unknown fields are kept out of the way)

const Nanos = z.union([z.string().regex(/^\d{1,20}$/, "must be nanoseconds since the epoch"), z.number().int().min(0)]);
const AnyValue = z.looseObject({ stringValue: z.string().optional() });
const Attributes = z.array(z.looseObject({ key: z.string(), value: AnyValue.optional() })).optional();
const OtlpSpan = z.looseObject({
  traceId: z.string(),
  spanId: z.string().min(1),
  parentSpanId: z.string().optional(),
  name: z.string(),
  kind: z.union([z.number(), z.string()]).optional(),
  startTimeUnixNano: Nanos,
  endTimeUnixNano: Nanos,
  attributes: Attributes,
  events: z.array(z.looseObject({ name: z.string().optional(), attributes: Attributes })).optional(),
  status: z
    .looseObject({ code: z.union([z.number(), z.string()]).optional(), message: z.string().optional() })
    .optional(),
});
export const OtlpTracesData = z.looseObject({
  resourceSpans: z
    .array(
      z.looseObject({
        resource: z.looseObject({ attributes: Attributes }).optional(),
        scopeSpans: z.array(z.looseObject({ spans: z.array(OtlpSpan).optional() })).optional(),
      }),
    )
    .optional(),
});
export type OtlpTracesData = z.infer<typeof OtlpTracesData>;
type OtlpAttributes = z.infer<typeof Attributes>;

const KINDS: TraceSpanKind[] = ["unspecified", "internal", "server", "client", "producer", "consumer"];

function kindName(kind: number | string | undefined): TraceSpanKind {
  if (typeof kind === "number") return KINDS[kind] ?? "unspecified";
  const name = (kind ?? "").replace(/^SPAN_KIND_/, "").toLowerCase();
  return (KINDS as string[]).includes(name) ? (name as TraceSpanKind) : "unspecified";
}

const attribute = (attrs: OtlpAttributes, key: string) => attrs?.find((a) => a.key === key)?.value?.stringValue;

interface FlatSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  kind: TraceSpanKind;
  start: bigint;
  end: bigint;
  error: boolean;
  errorMessage?: string;
}

function flatten(data: OtlpTracesData): FlatSpan[] {
  const byId = new Map<string, FlatSpan>();
  for (const rs of data.resourceSpans ?? []) {
    const service = attribute(rs.resource?.attributes, "service.name") ?? "unknown service";
    for (const span of (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? [])) {
      if (byId.has(span.spanId)) continue; // a span exported twice
      const start = BigInt(span.startTimeUnixNano);
      const code = span.status?.code;
      const error = code === 2 || code === "STATUS_CODE_ERROR";
      const exception = span.events?.find((e) => e.name === "exception");
      byId.set(span.spanId, {
        spanId: span.spanId,
        parentSpanId: span.parentSpanId || undefined,
        name: span.name,
        service,
        kind: kindName(span.kind),
        start,
        end: BigInt(span.endTimeUnixNano) < start ? start : BigInt(span.endTimeUnixNano),
        error,
        errorMessage: error
          ? span.status?.message || attribute(exception?.attributes, "exception.message") || undefined
          : undefined,
      });
    }
  }
  return [...byId.values()];
}

const toMs = (ns: bigint) => Number(ns / 1000n) / 1000;
const byStart = (a: FlatSpan, b: FlatSpan) =>
  a.start < b.start ? -1 : a.start > b.start ? 1 : a.name.localeCompare(b.name);

/**
 * Spans -> waterfall rows: depth-first from the roots, children in start order. A span whose
 * parent is not in the trace becomes a root marked `missingParent`; a child that starts before
 * its parent is shifted (with its subtree) to the parent's start and marked `clockSkewMs`.
 * Pure: the same spans always give the same rows.
 */
export function layoutWaterfall(traceId: string, data: OtlpTracesData, maxRows = 500): TraceWaterfall {
  const spans = flatten(data).sort(byStart);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, FlatSpan[]>();
  for (const s of spans) {
    if (!s.parentSpanId || !ids.has(s.parentSpanId)) continue;
    const siblings = children.get(s.parentSpanId);
    if (siblings) siblings.push(s);
    else children.set(s.parentSpanId, [s]);
  }

  // Iterative depth-first walk (a long chain must not exhaust the stack); `shift` is the
  // clock-skew correction inherited from the ancestors, in ns.
  type Placed = { span: FlatSpan; depth: number; start: bigint; skew: bigint; missingParent: boolean };
  const placed: Placed[] = [];
  const visited = new Set<string>();
  const walk = (root: FlatSpan, missingParent: boolean) => {
    const stack: Array<{ span: FlatSpan; depth: number; shift: bigint; parentStart?: bigint; missingParent: boolean }> =
      [{ span: root, depth: 0, shift: 0n, missingParent }];
    while (stack.length) {
      const { span, depth, shift, parentStart, missingParent: orphan } = stack.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      const shifted = span.start + shift;
      const skew = parentStart !== undefined && shifted < parentStart ? parentStart - shifted : 0n;
      const start = shifted + skew;
      placed.push({ span, depth, start, skew, missingParent: orphan });
      const kids = children.get(span.spanId) ?? [];
      for (const kid of [...kids].reverse())
        stack.push({ span: kid, depth: depth + 1, shift: shift + skew, parentStart: start, missingParent: false });
    }
  };
  for (const s of spans) if (!s.parentSpanId || !ids.has(s.parentSpanId)) walk(s, !!s.parentSpanId);
  // Spans left are in a parent cycle (malformed data): each unvisited one starts a walk as a root.
  for (const s of spans) if (!visited.has(s.spanId)) walk(s, true);

  if (!placed.length)
    return { traceId, startedAt: 0, durationMs: 0, spanCount: 0, errorCount: 0, services: [], rows: [], omitted: 0 };
  const t0 = placed.reduce((min, p) => (p.start < min ? p.start : min), placed[0]!.start);
  const tEnd = placed.reduce((max, p) => {
    const end = p.start + (p.span.end - p.span.start);
    return end > max ? end : max;
  }, t0);
  const rows: WaterfallRow[] = placed.slice(0, maxRows).map(({ span, depth, start, skew, missingParent }) => ({
    spanId: span.spanId,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    depth,
    name: span.name,
    service: span.service,
    kind: span.kind,
    offsetMs: toMs(start - t0),
    durationMs: toMs(span.end - span.start),
    error: span.error,
    ...(span.errorMessage ? { errorMessage: span.errorMessage } : {}),
    ...(missingParent ? { missingParent } : {}),
    ...(skew > 0n ? { clockSkewMs: toMs(skew) } : {}),
  }));
  return {
    traceId,
    startedAt: Number(t0 / 1_000_000n),
    durationMs: toMs(tEnd - t0),
    spanCount: placed.length,
    errorCount: placed.filter((p) => p.span.error).length,
    services: [...new Set(placed.map((p) => p.span.service))],
    rows,
    omitted: Math.max(0, placed.length - maxRows),
  };
}

// --- Jaeger's query API

/** not-found: Jaeger has no such trace (yet); unavailable: no answer; bad-answer: not an OTLP trace. */
export type TraceQueryFailure = "invalid-id" | "not-found" | "unavailable" | "bad-answer";

/** A failed trace read. The message names no address (the web UI shows it to browsers). */
export class TraceQueryError extends Error {
  readonly kind: TraceQueryFailure;
  constructor(kind: TraceQueryFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TraceQueryError";
    this.kind = kind;
  }
}

export interface TraceQueryOptions {
  /** Whole request, answer included (default 5 s). */
  timeoutMs?: number;
  maxRows?: number;
}

/** A trace page of the Jaeger UI at `uiUrl`; undefined when there is no UI to link to. */
export function jaegerTraceLink(uiUrl: string, traceId: string): string | undefined {
  return uiUrl ? `${uiUrl.replace(/\/+$/, "")}/trace/${traceId}` : undefined;
}

/** One trace from Jaeger's query API (`queryUrl`, e.g. http://127.0.0.1:16686), as a waterfall. */
export async function fetchTraceWaterfall(
  queryUrl: string,
  traceId: string,
  opts: TraceQueryOptions = {},
): Promise<TraceWaterfall> {
  if (!TRACE_ID_PATTERN.test(traceId))
    throw new TraceQueryError("invalid-id", `"${traceId}" is not a trace id (32 lowercase hex characters)`);
  const timeoutMs = opts.timeoutMs ?? 5000;
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${queryUrl.replace(/\/+$/, "")}/api/v3/traces/${traceId}`, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why =
      err.name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : (err.cause?.code ?? err.message);
    throw new TraceQueryError("unavailable", `the trace store (Jaeger) is not answering (${why})`, { cause: e });
  }
  if (res.status === 404) throw new TraceQueryError("not-found", notFound(traceId));
  if (!res.ok)
    throw new TraceQueryError("unavailable", `the trace store (Jaeger) answered ${res.status}: ${jaegerMessage(text)}`);
  let parsed: z.ZodSafeParseResult<{ result: OtlpTracesData }>;
  try {
    parsed = z.object({ result: OtlpTracesData }).safeParse(JSON.parse(text));
  } catch {
    throw new TraceQueryError(
      "bad-answer",
      `the trace store (Jaeger) answered something that is not JSON: ${text.slice(0, 120)}`,
    );
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TraceQueryError(
      "bad-answer",
      `the trace store (Jaeger) answered something that is not an OTLP trace: ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  const waterfall = layoutWaterfall(traceId, parsed.data.result, opts.maxRows);
  if (!waterfall.spanCount) throw new TraceQueryError("not-found", notFound(traceId));
  return waterfall;
}

const notFound = (traceId: string) =>
  `no trace ${traceId} in the trace store (yet): spans are exported in batches and appear within seconds`;

/** Jaeger's error answer is `{ error: { httpCode, message } }`. */
function jaegerMessage(text: string): string {
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
