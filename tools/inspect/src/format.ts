/** Pure text helpers of the inspection CLI: durations, timestamps and aligned tables. */

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "1h30m", "2d" -> milliseconds; a clear error for anything else. */
export function parseDuration(text: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== text.trim()) {
    throw new Error(`"${text}" is not a duration: use e.g. 90s, 30m, 1h30m, 2d`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS_MS[p[2]!]!, 0);
}

/** A compact age: 850ms, 12.3s, 4m05s, 3h12m, 2d04h. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** Epoch ms or an ISO string -> ISO 8601 UTC, the form Restate's own timestamps use. */
export function formatTime(t: number | string | undefined | null): string {
  if (t === undefined || t === null || t === "") return "-";
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}

/** Left-aligned columns separated by two spaces; the header row first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
