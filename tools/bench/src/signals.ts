import { sumMetric, type Stack } from "@food-ordering/stack";

/**
 * Cheap live counters for the stepping decision, read while the load runs without touching
 * Restate: the provider's published count (GET /stats) and the endpoint's Prometheus counters of
 * status transitions, order durations and GC pauses. The final figures come from Restate's state instead.
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
  /** The endpoint's garbage collections so far, by kind (prom-client's nodejs_gc_duration_seconds). */
  gc: Record<GcKind, { count: number; seconds: number }>;
}

/** V8's main-thread GC pauses that matter for latency: scavenges (young generation) and mark-compacts (whole heap). */
export const GC_KINDS = { minor: "scavenge", major: "mark-compact" } as const;
export type GcKind = keyof typeof GC_KINDS;

/** The endpoint's GC pauses between two readings: what the tail latency waits behind in a single-threaded endpoint. */
export interface GcPauses {
  kind: (typeof GC_KINDS)[GcKind];
  count: number;
  perS: number;
  meanMs: number | null;
}
export interface GcBetween {
  pauses: GcPauses[];
  /** Share of the window the endpoint's event loop stood still for GC. */
  pausedShare: number;
}

export function gcBetween(a: Counters, b: Counters): GcBetween {
  const s = (b.at - a.at) / 1000;
  let paused = 0;
  const pauses = (Object.keys(GC_KINDS) as GcKind[]).map((k) => {
    const count = b.gc[k].count - a.gc[k].count;
    const seconds = b.gc[k].seconds - a.gc[k].seconds;
    paused += seconds;
    return { kind: GC_KINDS[k], count, perS: count / s, meanMs: count > 0 ? (seconds / count) * 1000 : null };
  });
  return { pauses, pausedShare: s > 0 ? paused / s : 0 };
}

export async function readCounters(stack: Stack): Promise<Counters> {
  const [stats, metrics] = await Promise.all([
    fetch(`${stack.info.providerUrl}/stats`).then((r) => r.json() as Promise<{ published: number }>),
    fetch(stack.info.metrics.endpoint!).then((r) => r.text()),
  ]);
  return countersFrom(metrics, stats.published, Date.now());
}

/** The counters in the endpoint's Prometheus text (pure, unit-tested). */
export function countersFrom(metrics: string, published: number, at: number): Counters {
  const t = (status: string) => sumMetric(metrics, "food_ordering_order_status_transitions_total", { status });
  return {
    at,
    published,
    created: t("CREATED"),
    delivered: t("DELIVERED"),
    rejected: t("REJECTED"),
    orderSecondsSum: sumMetric(metrics, "food_ordering_order_end_to_end_duration_seconds_sum"),
    orderCount: sumMetric(metrics, "food_ordering_order_end_to_end_duration_seconds_count"),
    gc: Object.fromEntries(
      (Object.keys(GC_KINDS) as GcKind[]).map((kind) => [
        kind,
        {
          count: sumMetric(metrics, "food_ordering_nodejs_gc_duration_seconds_count", { kind }),
          seconds: sumMetric(metrics, "food_ordering_nodejs_gc_duration_seconds_sum", { kind }),
        },
      ]),
    ) as Counters["gc"],
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
