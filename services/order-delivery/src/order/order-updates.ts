import type { Publisher } from "@food-ordering/kit";
import { TOPICS, type OrderUpdate } from "@food-ordering/contracts";
import { metrics } from "../metrics.ts";

/**
 * Publishes each change of an order's status view to the `order-updates` topic, for the web
 * UI's live tracking: a watching page then costs no Restate invocation per change.
 *
 * It never throws, and order-status does not wait for it (an order must not stall because Kafka
 * does). A publish that fails or outlasts `timeoutMs` is dropped and counted, and for `pauseMs`
 * after a failure publishes are skipped at once, so sends do not pile up in the producer while
 * Kafka is away; the web UI notices a silent topic and reads Restate itself meanwhile (see
 * webui/server/live-updates.ts).
 */
export interface OrderUpdates {
  publish(update: OrderUpdate): Promise<PublishOutcome>;
}
export type PublishOutcome = "published" | "failed" | "paused";

export interface OrderUpdatesOptions {
  timeoutMs: number;
  pauseMs: number;
  now?: () => number;
  onFailure?: (err: unknown) => void;
}

export const DEFAULT_ORDER_UPDATES_OPTIONS: OrderUpdatesOptions = { timeoutMs: 2000, pauseMs: 5000 };

export function orderUpdates(publisher: Pick<Publisher, "publish">, opts: OrderUpdatesOptions): OrderUpdates {
  const now = opts.now ?? Date.now;
  let pausedUntil = 0;
  return {
    async publish(update) {
      if (now() < pausedUntil) {
        metrics.orderUpdatesDropped.inc({ reason: "paused" });
        return "paused";
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no acknowledgement within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      });
      // The send may still complete after a timeout: harmless, readers keep the highest version.
      const sent = publisher.publish(TOPICS.orderUpdates, [{ key: update.id, value: update }]);
      sent.catch(() => undefined);
      try {
        await Promise.race([sent, timedOut]);
        return "published";
      } catch (err) {
        pausedUntil = now() + opts.pauseMs;
        metrics.orderUpdatesDropped.inc({ reason: "failed" });
        opts.onFailure?.(err);
        return "failed";
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
