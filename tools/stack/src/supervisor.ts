import type { ManagedProcess } from "./process.ts";

export interface SupervisorOptions {
  /** First wait before a restart; doubled after each failed or short-lived attempt. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A process that stays up this long is healthy again: the next crash restarts after the initial wait. */
  stableAfterMs?: number;
  say: (line: string) => void;
}

/**
 * Watches processes that npm start launched: one that dies (a crash, kill -9, the OOM killer) is
 * reported at once and started again with exponential backoff, until stop(). What stop() or
 * kill() ends on purpose is not a crash; the fault tests therefore run without a supervisor.
 */
export class Supervisor {
  private readonly opts: Required<SupervisorOptions>;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly pending = new Set<NodeJS.Timeout>();
  private stopped = false;
  /** Restarts so far, by process name (for the console and tests). */
  readonly restarts = new Map<string, number>();

  constructor(processes: Iterable<ManagedProcess>, opts: SupervisorOptions) {
    this.opts = { initialBackoffMs: 1000, maxBackoffMs: 30_000, stableAfterMs: 60_000, ...opts };
    for (const p of processes) this.watch(p);
  }

  private watch(p: ManagedProcess) {
    let backoff = this.opts.initialBackoffMs;
    let startedAt = Date.now();
    const restart = (how: string) => {
      if (this.stopped) return;
      if (Date.now() - startedAt >= this.opts.stableAfterMs) backoff = this.opts.initialBackoffMs;
      this.opts.say(
        `! ${p.spec.name} ${how}; restarting in ${Number((backoff / 1000).toFixed(2))} s (log: ${p.logFile})`,
      );
      const timer = setTimeout(async () => {
        this.pending.delete(timer);
        if (this.stopped) return;
        const t = Date.now();
        const previous = p.child;
        try {
          await p.start();
          startedAt = Date.now();
          this.restarts.set(p.spec.name, (this.restarts.get(p.spec.name) ?? 0) + 1);
          this.opts.say(`  ${p.spec.name} is back (ready in ${Date.now() - t} ms)`);
        } catch (e) {
          // A child that died before it was ready has already been reported by its exit; one
          // that runs but never got ready is ended here and tried again, as is a start refused
          // before any child was spawned.
          if (p.running) {
            await p.kill();
            restart(`did not get ready: ${(e as Error).message.split("\n")[0]}`);
          } else if (p.child === previous) {
            // Refused before a child was spawned (e.g. its port not yet released): no exit will report it.
            restart(`could not start: ${(e as Error).message.split("\n")[0]}`);
          }
        }
      }, backoff);
      this.pending.add(timer);
      backoff = Math.min(backoff * 2, this.opts.maxBackoffMs);
    };
    this.unsubscribe.push(p.onUnexpectedExit(restart));
  }

  /** No more restarts; call before stopping the processes. */
  stop(): void {
    this.stopped = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const u of this.unsubscribe) u();
  }
}
