import { createRequire } from "node:module";

/**
 * kafkajs 2.2.4 (the latest release) re-arms a timer in every broker connection's request queue
 * after each check, also when nothing is pending and nothing is throttled; the delay is then
 * negative, so Node runs it after 1 ms, forever (tulios/kafkajs#1556, #1704; the fixes were never
 * merged). Measured here: ~4.5% of a core per process with a producer, idle or not — a quarter
 * of a core on a laptop stack of six such processes.
 *
 * This replaces that one method with the upstream proposal: schedule a check only when requests
 * are pending (at the end of a throttle, or after the 10 ms retry interval) or a throttle is
 * running. A new request still goes out at once (push() checks the queue itself), and a
 * fulfilled one checks the queue again, so nothing waits on the removed timer.
 */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

interface RequestQueue {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

const require = createRequire(import.meta.url);
const RequestQueueClass = require("kafkajs/src/network/requestQueue/index.js") as { prototype: RequestQueue };

/** Patches every request queue, present and future (the method lives on the prototype); idempotent. */
export function applyKafkajsIdleFix(): void {
  const proto = RequestQueueClass.prototype;
  if (typeof proto.scheduleCheckPendingRequests !== "function" || typeof proto.checkPendingRequests !== "function") {
    throw new Error("kafkajs changed its RequestQueue: review services/kit/src/kafkajs-idle-fix.ts");
  }
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueue) {
    if (this.throttleCheckTimeoutId) return;
    let delay = this.throttledUntil - Date.now();
    if (this.pending.length > 0) delay = delay > 0 ? delay : CHECK_PENDING_REQUESTS_INTERVAL;
    else if (delay <= 0) return; // nothing pending, not throttled: nothing to check later
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
