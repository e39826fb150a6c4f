import { sql } from "@food-ordering/inspect";
import { BENCH_SERVICES } from "./noop-service.ts";

/**
 * Restate invocations created in a time window, by service and handler, from sys_invocation
 * (completed invocations are kept for the journal retention, 1 h, so a window of this run is
 * complete when it is counted). The bench's no-op services are left out.
 */
export interface HandlerCount {
  handler: string;
  count: number;
}

export interface WindowCounts {
  total: number;
  byHandler: HandlerCount[];
  /** Journal entries of those invocations: what the engine stores and replays, a cost beyond the invocation count. */
  journalEntries: number;
}

/** Only the reads that came through Restate's ingress (a web UI's, a tool's), not those of handlers. */
export const INGRESS_READS = "invoked_by = 'ingress' AND target_handler_name = 'get'";

export async function invocationsIn(
  adminUrl: string,
  fromMs: number,
  toMs: number,
  /** An extra SQL condition on sys_invocation, e.g. INGRESS_READS. */
  where?: string,
): Promise<WindowCounts> {
  const rows = await sql<{ service: string; handler: string; n: number; j: number | null }>(
    adminUrl,
    `SELECT target_service_name AS service, target_handler_name AS handler, count(*) AS n, sum(journal_size) AS j FROM sys_invocation ` +
      `WHERE created_at >= to_timestamp_millis(${Math.floor(fromMs)}) AND created_at < to_timestamp_millis(${Math.floor(toMs)}) ` +
      `AND target_service_name NOT IN (${BENCH_SERVICES.map((n) => `'${n}'`).join(", ")}) ` +
      `${where ? `AND ${where} ` : ""}GROUP BY target_service_name, target_handler_name`,
  );
  const byHandler = rows
    .map((r) => ({ handler: `${r.service}/${r.handler}`, count: Number(r.n) }))
    .sort((a, b) => b.count - a.count || a.handler.localeCompare(b.handler));
  return {
    total: byHandler.reduce((s, h) => s + h.count, 0),
    byHandler,
    journalEntries: rows.reduce((s, r) => s + Number(r.j ?? 0), 0),
  };
}

/** Counts divided by a number of orders (or drivers × seconds), rounded for the report. */
export function perUnit(c: WindowCounts, units: number): { total: number; byHandler: HandlerCount[] } {
  const r = (x: number) => (units > 0 ? Math.round((x / units) * 100) / 100 : 0);
  return { total: r(c.total), byHandler: c.byHandler.map((h) => ({ handler: h.handler, count: r(h.count) })) };
}

/** Per-second rate of each handler over a window: the idle drivers' baseline. */
export function ratesOf(c: WindowCounts, seconds: number): Map<string, number> {
  return new Map(c.byHandler.map((h) => [h.handler, h.count / seconds]));
}

/**
 * The counts minus what the same handlers cost anyway at that many seconds of idling (floored at
 * zero): the invocations the orders themselves caused, without the drivers' standing long polls
 * and lease checks, which depend on how many drivers are on shift rather than on the load.
 */
export function minusBaseline(
  c: WindowCounts,
  baselinePerS: ReadonlyMap<string, number>,
  seconds: number,
): WindowCounts {
  const byHandler = c.byHandler
    .map((h) => ({ handler: h.handler, count: Math.max(0, h.count - (baselinePerS.get(h.handler) ?? 0) * seconds) }))
    .sort((a, b) => b.count - a.count || a.handler.localeCompare(b.handler));
  return { total: byHandler.reduce((s, h) => s + h.count, 0), byHandler, journalEntries: c.journalEntries };
}
