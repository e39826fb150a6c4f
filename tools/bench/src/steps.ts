/**
 * Rising offered load and the decision when the system is saturated (pure; unit-tested).
 * A level is saturated when the platform stops following the offered rate — fewer orders are
 * created or delivered than offered — or when orders take much longer than at the lightest level
 * (queues are growing even if the rate still keeps up for the moment).
 */

export interface LevelSignals {
  /** Orders per second the provider was asked for. */
  offered: number;
  /** Orders per second published to Kafka (what the provider achieved). */
  published: number;
  /** Orders per second that reached CREATED. */
  created: number;
  /** Orders per second that reached DELIVERED. */
  delivered: number;
  /** Mean CREATED -> DELIVERED of the orders delivered in the window (ms); null when none were. */
  meanOrderMs: number | null;
}

export interface SaturationRule {
  /** Least fraction of the offered rate that must be created and delivered. */
  minFollow: number;
  /** Mean order duration above this multiple of the lightest level's means saturation. */
  maxSlowdown: number;
}

export const DEFAULT_RULE: SaturationRule = { minFollow: 0.9, maxSlowdown: 2 };

export interface Verdict {
  saturated: boolean;
  reasons: string[];
}

export function judgeLevel(
  s: LevelSignals,
  baselineOrderMs: number | null,
  rule: SaturationRule = DEFAULT_RULE,
): Verdict {
  const reasons: string[] = [];
  const floor = rule.minFollow * s.offered;
  if (s.published < floor) reasons.push(`the provider published only ${s.published.toFixed(1)}/s of ${s.offered}/s`);
  if (s.created < floor) reasons.push(`only ${s.created.toFixed(1)}/s created of ${s.offered}/s offered`);
  if (s.delivered < floor) reasons.push(`only ${s.delivered.toFixed(1)}/s delivered of ${s.offered}/s offered`);
  if (baselineOrderMs !== null && s.meanOrderMs !== null && s.meanOrderMs > rule.maxSlowdown * baselineOrderMs) {
    reasons.push(
      `orders take ${(s.meanOrderMs / 1000).toFixed(1)} s on average, over ${rule.maxSlowdown}x the ${(baselineOrderMs / 1000).toFixed(1)} s at the lightest load`,
    );
  }
  return { saturated: reasons.length > 0, reasons };
}

/**
 * The next offered rate: the planned steps in order; the stepping ends at the first saturated
 * level (or when the plan runs out, which the report flags as "not saturated").
 */
export function nextRate(
  plan: readonly number[],
  done: ReadonlyArray<{ offered: number; verdict: Verdict }>,
): number | undefined {
  if (done.some((d) => d.verdict.saturated)) return undefined;
  const last = done.at(-1)?.offered ?? -Infinity;
  return plan.find((r) => r > last);
}

/**
 * The sustained throughput: the highest delivered rate of a level that was not saturated. The
 * saturated level's own delivered rate can be higher for a while (queues still filling), so it is
 * reported apart as the peak, not as what the platform sustains.
 */
export function sustainedRate(levels: ReadonlyArray<{ delivered: number; verdict: Verdict }>): number {
  return Math.max(0, ...levels.filter((l) => !l.verdict.saturated).map((l) => l.delivered));
}

/** The offered rate of the latency step: half of the sustained throughput, at least 1 order/s. */
export const halfRate = (sustained: number): number => Math.max(1, Math.round(sustained / 2));

/**
 * Host steal over a latency window above which the window is measured again. On a shared VM a
 * neighbour can take a quarter of the cores for a minute (seen: 27% over a 120 s window, the
 * platform's queues grew to 160 orders, p99 1.5 s): a figure of the host, not of the platform.
 * The rule looks only at steal, never at the latencies, so it cannot pick a flattering window.
 */
export const DISTURBED_STEAL = 0.1;

export const disturbed = (w: { cpu: { steal: number } }): boolean => w.cpu.steal > DISTURBED_STEAL;

/** The window to report: the first the host left alone, else the one it disturbed least. */
export function pickLatencyWindow<T extends { cpu: { steal: number } }>(windows: readonly T[]): T {
  if (windows.length === 0) throw new Error("no latency window was measured");
  return windows.find((w) => !disturbed(w)) ?? windows.reduce((a, b) => (b.cpu.steal < a.cpu.steal ? b : a));
}
