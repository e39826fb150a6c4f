import {
  fetchTraceWaterfall,
  jaegerTraceLink,
  TraceQueryError,
  type TraceWaterfall,
  type WaterfallRow,
} from "@food-ordering/contracts";
import { formatDuration, table } from "./format.ts";

/**
 * `inspect order <id>`'s trace: read from Jaeger's query API and printed as a text waterfall,
 * one line per span (indented by depth), its service, start and duration, and a bar on a time
 * axis scaled to the terminal's width; failed spans carry their message, spans drawn out of
 * place say why. Without a trace it says why there is none.
 */

/** The local stack's Jaeger (`npm start`); in Kubernetes, a port-forward to the release's Jaeger. */
export const DEFAULT_JAEGER_URL = "http://127.0.0.1:16686";

/** The order's trace, or why there is none (for the text and the --json output alike). */
export type OrderTrace =
  { traceId: string; waterfall: TraceWaterfall; link?: string } | { traceId?: string; problem: string };

export async function readOrderTrace(traceId: string | undefined, jaegerUrl: string): Promise<OrderTrace> {
  if (!traceId)
    return { problem: "none recorded: the order's event carried no trace context (published with tracing off)" };
  try {
    const waterfall = await fetchTraceWaterfall(jaegerUrl, traceId);
    return { traceId, waterfall, link: jaegerTraceLink(jaegerUrl, traceId) };
  } catch (e) {
    if (!(e instanceof TraceQueryError)) throw e;
    const hint =
      e.kind === "unavailable"
        ? ` at ${jaegerUrl}. Local stack: is \`npm start\` running with tracing? Kubernetes: ` +
          "kubectl port-forward svc/<release>-food-ordering-jaeger 16686. Or pass --jaeger-url / JAEGER_QUERY_URL."
        : "";
    return { traceId, problem: `${e.message}${hint}` };
  }
}

export function renderOrderTrace(t: OrderTrace, width: number): string {
  if ("problem" in t) return `Trace${t.traceId ? ` ${t.traceId}` : ""}: ${t.problem}`;
  return renderWaterfall(t.waterfall, width, t.link);
}

const NAME_MAX = 48;
const MIN_BAR = 10;

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Columns [from, to) of a span on a `cols`-wide axis of `totalMs`; at least one column. */
export function barSpan(offsetMs: number, durationMs: number, totalMs: number, cols: number): [number, number] {
  if (totalMs <= 0) return [0, 1];
  const from = Math.min(cols - 1, Math.floor((offsetMs / totalMs) * cols));
  const to = Math.min(cols, Math.ceil(((offsetMs + durationMs) / totalMs) * cols));
  return [from, Math.max(from + 1, to)];
}

function notes(r: WaterfallRow): string {
  return [
    r.error ? `✗ ${r.errorMessage ?? "failed"}` : "",
    r.missingParent ? "(parent span not in the trace)" : "",
    r.clockSkewMs ? `(moved +${formatDuration(r.clockSkewMs)}: clock skew)` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** The waterfall as text for a terminal `width` columns wide; `link` = where Jaeger shows it. */
export function renderWaterfall(w: TraceWaterfall, width: number, link?: string): string {
  const failed = w.errorCount ? `, ${w.errorCount} failed` : "";
  const head =
    `Trace ${w.traceId}: ${w.spanCount} spans from ${w.services.length} services ` +
    `over ${formatDuration(w.durationMs)}${failed}`;
  const cells = w.rows.map((r) => [
    clip(`${"  ".repeat(r.depth)}${r.error ? "✗ " : ""}${r.name}`, NAME_MAX),
    r.service,
    `+${formatDuration(r.offsetMs)}`,
    formatDuration(r.durationMs),
  ]);
  // The bar gets what the text columns leave of the width (two spaces between columns); notes run past it.
  const textWidth = ["SPAN", "SERVICE", "START", "DURATION"].reduce(
    (sum, h, i) => sum + Math.max(h.length, ...cells.map((c) => c[i]!.length)) + 2,
    0,
  );
  const cols = Math.max(MIN_BAR, width - textWidth - 2); // 2: the bar's frame
  const axis = `0${" ".repeat(Math.max(1, cols - 1 - formatDuration(w.durationMs).length))}${formatDuration(w.durationMs)}`;
  const rows = w.rows.map((r, i) => {
    const [from, to] = barSpan(r.offsetMs, r.durationMs, w.durationMs, cols);
    const bar = `${" ".repeat(from)}${"█".repeat(to - from)}`.padEnd(cols);
    const note = notes(r);
    return [...cells[i]!, `|${bar}|${note ? ` ${note}` : ""}`];
  });
  const out = [head, table(["SPAN", "SERVICE", "START", "DURATION", ` ${axis}`], rows)];
  if (w.omitted) out.push(`… and ${w.omitted} more spans${link ? ", all of them in Jaeger" : ""}.`);
  if (link) out.push(`Open in Jaeger: ${link}`);
  return out.join("\n");
}
