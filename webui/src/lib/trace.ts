import type { TraceWaterfall, WaterfallRow } from "../../server/api-types.ts";

/** The trace section's pure parts: bar geometry, service colours, durations. */

/** Width of the bars' SVG coordinate space (the bar scales to the cell). */
export const BAR_SCALE = 1000;
/** Distinct service colours in the stylesheet (.svc-0 … .svc-7); more services reuse them. */
export const SERVICE_COLOURS = 8;

/** A span's bar on the trace's time axis, in 0…BAR_SCALE: always wide enough to see. */
export function barGeometry(row: Pick<WaterfallRow, "offsetMs" | "durationMs">, totalMs: number) {
  if (totalMs <= 0) return { x: 0, width: BAR_SCALE };
  const minWidth = BAR_SCALE / 200;
  const x = Math.min(BAR_SCALE - minWidth, (row.offsetMs / totalMs) * BAR_SCALE);
  return { x, width: Math.max(minWidth, Math.min(BAR_SCALE - x, (row.durationMs / totalMs) * BAR_SCALE)) };
}

/** The colour class of a service: its place among the trace's services, so colours stay put on reload. */
export function serviceClass(trace: Pick<TraceWaterfall, "services">, service: string): string {
  return `svc-${Math.max(0, trace.services.indexOf(service)) % SERVICE_COLOURS}`;
}

/** A span duration for people: "0 ms", "0.4 ms", "35 ms", "1.25 s", "2 min 05 s". */
export function formatSpanDuration(ms: number): string {
  if (ms < 0.05) return "0 ms";
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
}

/** The one-line summary above the waterfall. */
export function traceSummary(t: Pick<TraceWaterfall, "spanCount" | "services" | "durationMs" | "errorCount">): string {
  const spans = `${t.spanCount} span${t.spanCount === 1 ? "" : "s"}`;
  const services = `${t.services.length} service${t.services.length === 1 ? "" : "s"}`;
  const failed = t.errorCount ? `, ${t.errorCount} failed` : "";
  return `${spans} from ${services} over ${formatSpanDuration(t.durationMs)}${failed}`;
}
