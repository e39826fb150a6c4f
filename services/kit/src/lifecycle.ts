import type { Logger } from "pino";

/**
 * Runs the cleanups on SIGTERM/SIGINT, then exits. A hard deadline keeps a stuck cleanup (for
 * example Restate's long-lived HTTP/2 connections) from holding the process past its grace period.
 */
export function onShutdown(log: Logger, cleanups: Array<() => Promise<unknown> | unknown>, deadlineMs = 5000): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      log.warn("cleanup deadline passed, exiting");
      process.exit(0);
    }, deadlineMs);
    timer.unref();
    for (const c of cleanups) {
      try {
        await c();
      } catch (err) {
        log.warn({ err }, "cleanup failed");
      }
    }
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** Logs and keeps running on stray rejections: one bad event must never take a process down. */
export function guardProcess(log: Logger): void {
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retries `fn` with capped exponential backoff until it succeeds or the deadline passes. */
export async function retry<T>(
  what: string,
  fn: () => Promise<T>,
  opts: { deadlineMs: number; initialMs?: number; maxMs?: number; log?: Logger },
): Promise<T> {
  const end = Date.now() + opts.deadlineMs;
  let wait = opts.initialMs ?? 100;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() + wait > end)
        throw new Error(`${what}: gave up after ${opts.deadlineMs} ms: ${(err as Error).message}`);
      opts.log?.debug({ err: (err as Error).message, retryInMs: wait }, `${what}: retrying`);
      await sleep(wait);
      wait = Math.min(wait * 2, opts.maxMs ?? 2000);
    }
  }
}
