/** Summary statistics of latency samples (pure; unit-tested). */

export interface Summary {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** The p99's 95% confidence interval (see quantileInterval); null where the samples cannot bound it. */
  p99Low: number | null;
  p99High: number | null;
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

/** Cumulative binomial probabilities P(B <= k) for k = 0..n, B ~ Bin(n, p), summed from log-space terms. */
function binomialCdf(n: number, p: number): number[] {
  const logTerm: number[] = [n * Math.log1p(-p)];
  for (let k = 0; k < n; k++) logTerm.push(logTerm[k]! + Math.log((n - k) / (k + 1)) + Math.log(p / (1 - p)));
  let sum = 0;
  return logTerm.map((t) => (sum += Math.exp(t)));
}

/**
 * A distribution-free confidence interval for the q-quantile: the order statistics that bracket
 * it with at least the given confidence, from the binomial count of samples below the true
 * quantile. Null where the samples cannot bound it: a p99 of 300 samples has no upper bound at
 * 95% (about 3 samples lie above it, and with a chance over 2.5% none does), which is why the
 * bench measures its latency level long enough to have one.
 */
export function quantileInterval(
  sorted: readonly number[],
  q: number,
  confidence = 0.95,
): { low: number | null; high: number | null } {
  if (q <= 0 || q >= 1 || confidence <= 0 || confidence >= 1)
    throw new RangeError(`quantile and confidence must lie strictly within 0..1 (got ${q}, ${confidence})`);
  const n = sorted.length;
  if (n === 0) return { low: null, high: null };
  const tail = (1 - confidence) / 2;
  const cdf = binomialCdf(n, q);
  // Lower: the highest rank l with P(B < l) <= tail; upper: the lowest rank u with P(B <= u - 1) >= 1 - tail.
  let low = 0;
  while (low < n && cdf[low]! <= tail) low++;
  let high = 1;
  while (high <= n && cdf[high - 1]! < 1 - tail) high++;
  return { low: low >= 1 ? sorted[low - 1]! : null, high: high <= n ? sorted[high - 1]! : null };
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const ci = quantileInterval(sorted, 0.99);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    p99Low: ci.low,
    p99High: ci.high,
    max: sorted.at(-1) ?? null,
  };
}

export const round = (x: number | null, digits = 1): number | null =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;
