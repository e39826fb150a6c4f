import type { Response } from "express";
import type { Logger } from "pino";
import { isTerminal, type OrderStatusView } from "@food-ordering/contracts";
import { HttpError } from "@food-ordering/kit";
import { DRIVER_SHOWN, withLatestPosition, type DriverFix, type LiveState } from "./live-state.ts";
import type { LiveHealth } from "./live-updates.ts";

/**
 * Live order updates as server-sent events, pushed: a stream reads its order from Restate once
 * when it opens, then sends what the `order-updates` topic brings (live-updates.ts), so a
 * watching page costs one invocation however often the order changes. The driver's position
 * comes from `driver-updates` (no invocation at all). While the topics are unavailable the
 * stream says so and reads Restate every `pollMs` instead; when they are back it reads once more
 * (records of the outage were missed) and pushes again.
 *
 * Events: `order` (data: the OrderStatusView, sent whenever it changed), `driver` (data:
 * { driverId, location, at }: the order's driver moved), `waiting` (the order is not known yet:
 * the event is still on its way through Kafka), `problem` (Restate did not answer, or live
 * updates are delayed; the stream goes on), `end` (data: { reason }; the stream is over, the
 * client should not reconnect).
 */
export interface StreamOptions {
  /** While live updates are unavailable, how often a stream reads its order from Restate. */
  pollMs: number;
  /** A stream is closed after this long; EventSource reconnects by itself, spreading long sessions over fresh requests. */
  maxLifetimeMs: number;
  /** How long an unknown order is waited for before the stream ends with "not found". */
  notFoundGraceMs: number;
  heartbeatMs: number;
  /** Least time between two driver positions sent to one page. */
  driverEveryMs: number;
  /** Streams open at once; more are refused with 503 so that the server keeps serving. */
  maxStreams: number;
  /** Streams one client (by address) may hold open; more are refused with 429, so one client cannot take them all. */
  maxStreamsPerClient: number;
  /** Seconds a refused client is asked to wait (Retry-After). */
  retryAfterSeconds: number;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  pollMs: 5000,
  maxLifetimeMs: 15 * 60_000,
  notFoundGraceMs: 60_000,
  heartbeatMs: 15_000,
  driverEveryMs: 250,
  maxStreams: 1000,
  maxStreamsPerClient: 10,
  retryAfterSeconds: 5,
};

/** Why a stream read its order from Restate: opening, catching up after an outage, or standing in for the topic. */
export type ReadReason = "open" | "resync" | "fallback" | "retry" | "confirm";

/** Where pushed updates come from: the state the consumer fills, and whether it is receiving. */
export interface LiveSource {
  state: LiveState;
  readonly health: LiveHealth;
}

export interface OrderStreams {
  /** Opens a stream for `client` (its address), or throws 429/503 with Retry-After. */
  open(res: Response, id: string, client: string): void;
  readonly active: number;
}

export const DELAYED_MESSAGE = "live updates are delayed; checking for changes every few seconds";

export function orderStreams(
  read: (id: string) => Promise<OrderStatusView>,
  live: LiveSource,
  log: Logger,
  opts: StreamOptions,
  onRead: (reason: ReadReason, id: string) => void = () => undefined,
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
    let sent = ""; // the last view sent, as JSON
    let said: "" | "waiting" | "problem" = "";
    let lastDriverSent = 0;
    const send = (event: string, data: unknown) => {
      if (closed.aborted || res.writableEnded) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      lastWrite = Date.now();
    };

    // Woken by the state when the order changed or the topics' health did; a wake while awake is kept.
    let woken = false;
    let wake: (() => void) | undefined;
    const sleep = (ms: number) =>
      woken
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(() => wake?.(), ms);
            wake = () => {
              clearTimeout(timer);
              wake = undefined;
              resolve();
            };
          });
    // Every newer view, in order: each change is sent, not only the latest.
    const queue: OrderStatusView[] = [];
    const unwatch = live.state.watch(id, {
      changed(view) {
        // Bounded: changes pile up only while a read is under way.
        if (view && queue.push(view) > 20) queue.shift();
        woken = true;
        wake?.();
      },
      driverMoved(fix: DriverFix) {
        const view = live.state.view(id);
        if (!view || !DRIVER_SHOWN.has(view.status) || Date.now() - lastDriverSent < opts.driverEveryMs) return;
        lastDriverSent = Date.now();
        send("driver", { driverId: fix.driverId, location: fix.location, at: fix.at });
      },
    });
    closed.addEventListener("abort", () => wake?.());

    try {
      res.write("retry: 2000\n\n");
      let health: LiveHealth | undefined;
      let reason: ReadReason | undefined = "open";
      while (!closed.aborted) {
        const age = Date.now() - started;
        if (age > opts.maxLifetimeMs) return;
        const now = live.health;
        if (now === "live" && health !== undefined && health !== "live") reason ??= "resync";
        if (now !== "live") reason ??= "fallback";
        health = now;
        if (!reason && !live.state.view(id) && age > opts.notFoundGraceMs) reason = "confirm";
        if (reason) {
          try {
            onRead(reason, id);
            const answer = await read(id);
            reason = undefined;
            if (answer.status !== "NEW") live.state.offer(answer);
            else if (Date.now() - started > opts.notFoundGraceMs && !live.state.view(id)) {
              send("end", { reason: "not found" });
              return;
            }
          } catch (err) {
            const message = err instanceof HttpError ? err.message : "live updates are interrupted; retrying";
            send("problem", { error: message });
            said = "problem";
            reason = "retry";
          }
        }
        const view = live.state.view(id);
        if (!reason) {
          if (!view) {
            if (said !== "waiting" && !(health === "down" && said === "problem")) {
              send("waiting", { message: "the order is on its way to the kitchen's queue" });
              said = "waiting";
            }
          } else {
            // After a problem the view is sent again even if unchanged: it tells the page all is well.
            if (said === "problem" && health !== "down") sent = "";
            for (const next of [...queue.splice(0), view]) {
              const json = JSON.stringify(next);
              if (json === sent) continue;
              send("order", withLatestPosition(next, next.driverId ? live.state.position(next.driverId) : undefined));
              sent = json;
              said = "";
            }
            if (isTerminal(view.status)) {
              send("end", { reason: view.status });
              return;
            }
          }
          if (health === "down" && said !== "problem") {
            send("problem", { error: DELAYED_MESSAGE });
            said = "problem";
          }
        }
        if (Date.now() - lastWrite >= opts.heartbeatMs) {
          res.write(": keep-alive\n\n");
          lastWrite = Date.now();
        }
        // Pushed: sleep until the order changes (or a heartbeat is due, or an unknown order's grace ends).
        const graceLeft = view ? Infinity : Math.max(0, opts.notFoundGraceMs - (Date.now() - started)) + 1;
        await sleep(reason || health !== "live" ? opts.pollMs : Math.min(opts.heartbeatMs, graceLeft));
        woken = false;
      }
    } finally {
      unwatch();
    }
  }
}
