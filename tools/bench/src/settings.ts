import { FAST_TIME_SCALE } from "@food-ordering/stack";
import { REGION_IDS } from "@food-ordering/contracts";
import type { LevelTiming } from "./load-levels.ts";

/**
 * The two shapes of a bench run. `quick` fits in under 3 minutes for development; `full` steps
 * further and measures longer windows. Both use the same stack settings, so their figures are
 * comparable: every region of the catalog, production defaults for the long poll, the lease
 * and the ETA throttle, orders that are all paid and asked for as soon as possible.
 */
export interface Settings {
  mode: "full" | "quick";
  regions: string[];
  driversPerRegion: number;
  /** Offered orders/s, rising; stepping stops at the first saturated level. */
  plan: number[];
  level: LevelTiming;
  latency: LevelTiming;
  /** Latency windows at most, measured again while the host steals over DISTURBED_STEAL of the cores. */
  latencyAttempts: number;
  engine: { concurrencies: number[]; durationMs: number; repeatBest: number };
  idleWindowMs: number;
  drainTimeoutMs: number;
  /**
   * The second time scale: 60× with a fix per simulated second (tick 1000/60 ms), so a trip takes
   * as many fixes as a real one, at a steady load well under saturation, on a stack of its own.
   */
  real: {
    timeScale: number;
    tickMs: number;
    /**
     * The driver lease on the simulated clock (a minute simulated): a trip then carries the
     * liveness a real one does (the lease watcher's and the twin's checks), not only its fixes.
     */
    leaseMs: number;
    rate: number;
    level: LevelTiming;
    idleWindowMs: number;
  };
}

/** Simulation knobs shared by both modes (and the definitions of the simulated times). */
export const SIM = {
  timeScale: FAST_TIME_SCALE,
  /** One location report per driver per real second while driving. */
  tickMs: 1000,
  /** The driver simulator's default SPEED_KMH. */
  speedKmh: 30,
  /** The restaurant simulator's default PREP_TIME_MIN. */
  prepTimeMin: 10,
  /** The drivers' default long poll: an idle driver's two invocations per poll. */
  waitForWorkMs: 240_000,
  driverLeaseMs: 60_000,
};

/** 60×, one fix per simulated second, the lease's minute simulated. */
const REAL = { timeScale: 60, tickMs: Math.round(1000 / 60), leaseMs: Math.round(SIM.driverLeaseMs / 60) };

/** Map km a simulated driver moves per tick (the driver simulator's formula). */
export const stepKm = (): number => (SIM.speedKmh * SIM.timeScale * SIM.tickMs) / 3_600_000;
/** The restaurant's mean preparation time in real ms (±30% jitter per order). */
export const prepTimeMs = (): number => (SIM.prepTimeMin * 60_000) / SIM.timeScale;

export function settings(quick: boolean): Settings {
  return quick
    ? {
        mode: "quick",
        regions: [...REGION_IDS],
        driversPerRegion: 50,
        plan: [4, 10],
        level: { warmupMs: 8000, windowMs: 12_000 },
        latency: { warmupMs: 8000, windowMs: 12_000 },
        latencyAttempts: 1,
        engine: { concurrencies: [16, 128], durationMs: 5000, repeatBest: 0 },
        // An eighth of a long-poll period: the drivers' polls are spread over it after the load.
        idleWindowMs: 30_000,
        drainTimeoutMs: 30_000,
        real: { ...REAL, rate: 2, level: { warmupMs: 40_000, windowMs: 30_000 }, idleWindowMs: 60_000 },
      }
    : {
        mode: "full",
        regions: [...REGION_IDS],
        driversPerRegion: 60,
        plan: [4, 8, 12, 15, 18, 21, 25, 30, 40, 50, 60, 80, 100],
        level: { warmupMs: 15_000, windowMs: 30_000 },
        // Long enough for the p99 to have a 95% confidence interval with an upper bound (~800
        // orders at 7/s; 300 orders leave about 3 above the p99, too few to bound it). It opens a
        // lease after the drain, past the saturated level's aftermath: its lease checks (each runs
        // a lease after its assignment) and the machine 5–24 points busier at the same rate for
        // the first 30 s (docs/benchmark.md, "Half saturation, not the way back from overload").
        latency: { warmupMs: SIM.driverLeaseMs + 15_000, windowMs: 120_000 },
        latencyAttempts: 3,
        engine: { concurrencies: [8, 32, 128, 512], durationMs: 10_000, repeatBest: 2 },
        // One long-poll period: every idle driver polls once in it.
        idleWindowMs: 240_000,
        drainTimeoutMs: 90_000,
        real: { ...REAL, rate: 4, level: { warmupMs: 60_000, windowMs: 120_000 }, idleWindowMs: 240_000 },
      };
}
