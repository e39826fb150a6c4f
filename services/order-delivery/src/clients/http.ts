import { TerminalError } from "@restatedev/restate-sdk";
import { traceHeaders, type Tracing } from "@food-ordering/kit";

/**
 * POSTs JSON to an external system from inside `ctx.run`. Network errors, timeouts and 5xx/429
 * answers throw a plain Error, which Restate retries with backoff; other 4xx answers are
 * permanent and throw a TerminalError so a bad request is not retried forever. With tracing on, the
 * request carries the active span (the `ctx.run` span) as `traceparent`, so the called system
 * continues the order's trace.
 */
export async function postJson<T>(
  url: string,
  body: unknown,
  opts: { timeoutMs: number; token?: string; tracing?: Tracing },
): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...traceHeaders(opts.tracing?.active().traceparent),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const text = await res.text();
  if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
  const message = `POST ${url} answered ${res.status}: ${text.slice(0, 300)}`;
  if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Error(message);
  throw new TerminalError(message, { errorCode: res.status });
}
