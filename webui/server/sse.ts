import type { Response } from "express";
import type { Logger } from "pino";
import { setTimeout as delay } from "node:timers/promises";
import { isTerminal, type OrderStatusView } from "@food-ordering/contracts";
import { HttpError } from "@food-ordering/kit";

/**
 * Live order updates as server-sent events. Each open stream polls the order's status in
 * Restate and pushes the view only when it changed, so a quiet order costs one small read per
 * interval and no bytes on the wire (apart from a heartbeat that keeps proxies from timing out).
 *
 * Events: `order` (data: the OrderStatusView), `waiting` (the order is not known yet: the
 * event is still on its way through Kafka), `problem` (Restate did not answer; polling goes on),
 * `end` (data: { reason }; the stream is over, the client should not reconnect).
 */
export interface StreamOptions {
  pollMs: number;
  /** A stream is closed after this long; EventSource reconnects by itself, spreading long sessions over fresh requests. */
  maxLifetimeMs: number;
  /** How long an unknown order is waited for before the stream ends with "not found". */
  notFoundGraceMs: number;
  heartbeatMs: number;
  /** Streams open at once; more are refused with 503 so that the server keeps serving. */
  maxStreams: number;
  /** Streams one client (by address) may hold open; more are refused with 429, so one client cannot take them all. */
  maxStreamsPerClient: number;
  /** Seconds a refused client is asked to wait (Retry-After). */
  retryAfterSeconds: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  pollMs: 500,
  maxLifetimeMs: 15 * 60_000,
  notFoundGraceMs: 60_000,
  heartbeatMs: 15_000,
  maxStreams: 1000,
  maxStreamsPerClient: 10,
  retryAfterSeconds: 5,
};

export interface OrderStreams {
  /** Opens a stream for `client` (its address), or throws 429/503 with Retry-After. */
  open(res: Response, id: string, client: string): void;
  readonly active: number;
}

export function orderStreams(
  read: (id: string) => Promise<OrderStatusView>,
  log: Logger,
  opts: StreamOptions,
): OrderStreams {
  let active = 0;
  const perClient = new Map<string, number>();
  const retry = { "retry-after": String(opts.retryAfterSeconds) };
  return {
    get active() {
      return active;
    },
    open(res, id, client) {
      const mine = perClient.get(client) ?? 0;
      if (mine >= opts.maxStreamsPerClient)
        throw new HttpError(429, `too many live updates open from this client (${mine})`, undefined, retry);
      if (active >= opts.maxStreams)
        throw new HttpError(503, "too many live updates open; try again shortly", undefined, retry);
      active += 1;
      perClient.set(client, mine + 1);
      const closed = new AbortController();
      res.on("close", () => closed.abort());
      res.status(200);
      res.set({
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        // nginx-style proxies buffer responses unless told otherwise, which would hold every event back.
        "x-accel-buffering": "no",
      });
      res.flushHeaders();
      void pump(id, res, closed.signal)
        .catch((err: unknown) => log.warn({ err, orderId: id }, "order stream failed"))
        .finally(() => {
          active -= 1;
          const left = (perClient.get(client) ?? 1) - 1;
          if (left > 0) perClient.set(client, left);
          else perClient.delete(client);
          if (!res.writableEnded) res.end();
        });
    },
  };

  async function pump(id: string, res: Response, closed: AbortSignal): Promise<void> {
    const started = Date.now();
    let lastWrite = started;
    let last = "";
    const send = (event: string, data: unknown) => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      lastWrite = Date.now();
    };
    res.write("retry: 2000\n\n");
    while (!closed.aborted) {
      if (Date.now() - started > opts.maxLifetimeMs) return;
      try {
        const view = await read(id);
        if (view.status === "NEW") {
          if (Date.now() - started > opts.notFoundGraceMs) {
            send("end", { reason: "not found" });
            return;
          }
          if (last !== "waiting") send("waiting", { message: "the order is on its way to the kitchen's queue" });
          last = "waiting";
        } else {
          const json = JSON.stringify(view);
          if (json !== last) send("order", view);
          last = json;
          if (isTerminal(view.status)) {
            send("end", { reason: view.status });
            return;
          }
        }
      } catch (err) {
        const message = err instanceof HttpError ? err.message : "live updates are interrupted; retrying";
        send("problem", { error: message });
        last = "";
      }
      if (Date.now() - lastWrite >= opts.heartbeatMs) {
        res.write(": keep-alive\n\n");
        lastWrite = Date.now();
      }
      await delay(opts.pollMs, undefined, { signal: closed }).catch(() => undefined);
    }
  }
}
