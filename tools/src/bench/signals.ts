import type { Stack } from "../stack/stack.ts";

/**
 * Cheap live counters for the stepping decision, read while the load runs without touching
 * Restate: the provider's published count (GET /stats) and the endpoint's Prometheus counters of
 * status transitions and order durations. The final figures come from Restate's state instead.
 */
export interface Counters {
  at: number;
  published: number;
  created: number;
  delivered: number;
  rejected: number;
  /** Sum and count of the CREATED -> DELIVERED histogram (seconds). */
  orderSecondsSum: number;
  orderCount: number;
}

/** Sum of every sample of a Prometheus metric whose labels contain all of `match`. */
export function sumMetric(text: string, name: string, match: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || (line[name.length] !== "{" && line[name.length] !== " ")) continue;
    if (!Object.entries(match).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export async function readCounters(stack: Stack): Promise<Counters> {
  const [stats, metrics] = await Promise.all([
    fetch(`${stack.info.providerUrl}/stats`).then((r) => r.json() as Promise<{ published: number }>),
    fetch(stack.info.metrics.endpoint!).then((r) => r.text()),
  ]);
  const t = (status: string) => sumMetric(metrics, "food_ordering_order_status_transitions_total", { status });
  return {
    at: Date.now(),
    published: stats.published,
    created: t("CREATED"),
    delivered: t("DELIVERED"),
    rejected: t("REJECTED"),
    orderSecondsSum: sumMetric(metrics, "food_ordering_order_end_to_end_duration_seconds_sum"),
    orderCount: sumMetric(metrics, "food_ordering_order_end_to_end_duration_seconds_count"),
  };
}

/** Rates (per second) between two readings, and the mean order duration of the orders delivered between them. */
export function ratesBetween(a: Counters, b: Counters) {
  const s = (b.at - a.at) / 1000;
  const n = b.orderCount - a.orderCount;
  return {
    published: (b.published - a.published) / s,
    created: (b.created - a.created) / s,
    delivered: (b.delivered - a.delivered) / s,
    meanOrderMs: n > 0 ? ((b.orderSecondsSum - a.orderSecondsSum) / n) * 1000 : null,
  };
}

/** Orders published but not yet finished (delivered or rejected). */
export const inFlight = (c: Counters) => c.published - c.delivered - c.rejected;
