/** Summary statistics of latency samples (pure; unit-tested). */

export interface Summary {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * The q-quantile (0..1) by the nearest-rank method: the smallest sample with at least q of the
 * samples at or below it. Nearest-rank never invents a value between two samples, so a p99 of
 * 100 samples is the 99th slowest one actually seen. Null for no samples.
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (q < 0 || q > 1 || Number.isNaN(q)) throw new RangeError(`quantile must be within 0..1 (got ${q})`);
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return { n: sorted.length, p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? null };
}

export const round = (x: number | null, digits = 1): number | null => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);
