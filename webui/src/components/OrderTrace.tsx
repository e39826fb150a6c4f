import { useCallback, useEffect, useRef, useState } from "react";
import type { OrderTraceResponse, WaterfallRow } from "../../server/api-types.ts";
import { api, ApiRequestError } from "../lib/api.ts";
import { BAR_SCALE, barGeometry, formatSpanDuration, serviceClass, traceSummary } from "../lib/trace.ts";

type Load =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "loaded"; trace: OrderTraceResponse }
  | { state: "failed"; message: string };

/**
 * A just-finished order's last spans reach Jaeger in the exporters' next batch (restate-server's
 * a few seconds late): while the trace is not there, or a span's parent is still missing, the page
 * asks again a few times, showing what it has meanwhile.
 */
const NOT_YET_RETRIES = 5;
const NOT_YET_DELAY_MS = 2000;
const incomplete = (trace: OrderTraceResponse) => trace.rows.some((r) => r.missingParent);

/**
 * The order's trace (from Jaeger, through the shop's API) as a waterfall: one row per span,
 * indented by depth, its service's colour, start, duration and a bar on the trace's time axis;
 * failed spans with their reason. Loaded once the order is over (`final`), or on demand.
 */
export function OrderTrace({ id, final }: { id: string; final: boolean }) {
  const [load, setLoad] = useState<Load>({ state: "idle" });
  const generation = useRef(0);

  const fetchTrace = useCallback(async () => {
    const mine = ++generation.current;
    setLoad({ state: "loading" });
    for (let attempt = 0; ; attempt++) {
      try {
        const trace = await api.trace(id);
        if (generation.current !== mine) return;
        setLoad({ state: "loaded", trace });
        if (!incomplete(trace) || attempt >= NOT_YET_RETRIES) return;
        await new Promise((r) => setTimeout(r, NOT_YET_DELAY_MS));
        continue;
      } catch (e) {
        const notYet = e instanceof ApiRequestError && e.status === 404 && /\(yet\)/.test(e.message);
        if (notYet && attempt < NOT_YET_RETRIES && generation.current === mine) {
          await new Promise((r) => setTimeout(r, NOT_YET_DELAY_MS));
          continue;
        }
        if (generation.current === mine) setLoad({ state: "failed", message: (e as Error).message });
        return;
      }
    }
  }, [id]);

  useEffect(() => {
    if (final) void fetchTrace();
    return () => {
      generation.current++; // a newer load, or none: answers still on the way are dropped
    };
  }, [final, fetchTrace]);

  return (
    <section
      className="trace"
      aria-labelledby="trace-title"
      data-testid="trace"
      data-state={load.state}
      data-complete={load.state === "loaded" && !incomplete(load.trace)}
    >
      <div className="trace-head">
        <h2 id="trace-title">Trace</h2>
        <button type="button" onClick={() => void fetchTrace()} disabled={load.state === "loading"}>
          {load.state === "idle" ? "Load trace" : "Reload trace"}
        </button>
        {load.state === "loaded" && load.trace.link && (
          <a href={load.trace.link} target="_blank" rel="noopener noreferrer" data-testid="trace-link">
            Open in Jaeger
          </a>
        )}
      </div>
      {load.state === "idle" && (
        <p className="muted">The order's path through the system, span by span; shown once the order is over.</p>
      )}
      {load.state === "loading" && (
        <p className="muted" role="status">
          Loading the trace…
        </p>
      )}
      {load.state === "failed" && (
        <p className="notice" role="status" data-testid="trace-problem">
          No trace to show: {load.message}
        </p>
      )}
      {load.state === "loaded" && <Waterfall trace={load.trace} />}
    </section>
  );
}

function Waterfall({ trace }: { trace: OrderTraceResponse }) {
  const total = formatSpanDuration(trace.durationMs);
  return (
    <>
      <p data-testid="trace-summary">
        {traceSummary(trace)} <span className="muted">(trace {trace.traceId})</span>
      </p>
      <ul className="trace-legend" aria-label="Services">
        {trace.services.map((s) => (
          <li key={s}>
            <span className={`trace-swatch ${serviceClass(trace, s)}`} aria-hidden="true" />
            {s}
          </li>
        ))}
      </ul>
      <div className="table-wrap">
        <table className="trace-table" data-testid="trace-table">
          <caption className="visually-hidden">
            Spans of the order's trace in start order, indented under the span that caused them
          </caption>
          <thead>
            <tr>
              <th scope="col">Span</th>
              <th scope="col">Service</th>
              <th scope="col">Start</th>
              <th scope="col">Duration</th>
              <th scope="col">
                <div className="trace-axis">
                  <span>0</span>
                  <span className="visually-hidden"> to </span>
                  <span>{total}</span>
                </div>
              </th>
            </tr>
          </thead>
          <tbody>
            {trace.rows.map((row) => (
              <SpanRow key={row.spanId} row={row} trace={trace} />
            ))}
          </tbody>
        </table>
      </div>
      {trace.omitted > 0 && (
        <p className="muted">
          {trace.omitted} more spans are not shown{trace.link ? "; Jaeger shows them all" : ""}.
        </p>
      )}
    </>
  );
}

function SpanRow({ row, trace }: { row: WaterfallRow; trace: OrderTraceResponse }) {
  const { x, width } = barGeometry(row, trace.durationMs);
  const colour = serviceClass(trace, row.service);
  return (
    <tr
      className={row.error ? "trace-row trace-failed" : "trace-row"}
      data-service={row.service}
      data-depth={row.depth}
    >
      <th scope="row" className={`trace-name trace-depth-${Math.min(row.depth, 8)}`}>
        {row.error && (
          <span className="trace-error-mark" aria-hidden="true">
            ✗{" "}
          </span>
        )}
        {row.name}
        {row.error && (
          <span className="trace-error-message" data-testid="trace-error">
            {" "}
            failed: {row.errorMessage ?? "no reason recorded"}
          </span>
        )}
        {row.missingParent && <span className="trace-note"> (its parent span is missing)</span>}
        {row.clockSkewMs !== undefined && (
          <span className="trace-note"> (moved {formatSpanDuration(row.clockSkewMs)} later: clock skew)</span>
        )}
      </th>
      <td className="trace-service">
        <span className={`trace-swatch ${colour}`} aria-hidden="true" />
        {row.service}
      </td>
      <td className="trace-num">+{formatSpanDuration(row.offsetMs)}</td>
      <td className="trace-num">{formatSpanDuration(row.durationMs)}</td>
      <td className="trace-bar-cell">
        <svg viewBox={`0 0 ${BAR_SCALE} 10`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
          <rect className={colour} x={x} y={1} width={width} height={8} rx={1} />
        </svg>
      </td>
    </tr>
  );
}
