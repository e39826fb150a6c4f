import type { Stack } from "@food-ordering/stack";
import { cpuBetween, describeCpu, readCpu, type CpuUsage } from "./cpu.ts";
import { invocationsIn, type WindowCounts } from "./invocations.ts";

/**
 * Idle cost: with no orders, what the on-shift drivers cost Restate — their long polls for work
 * (waitForWork + registerWaiter) and lease checks. Measured after the load has drained, so the
 * drivers' poll and lease cycles are spread out as in a real shift.
 */
export interface IdleResult {
  drivers: number;
  windowS: number;
  invocations: WindowCounts;
  perDriverPerS: number;
  /** Where the cores went with only the drivers' standing cost. */
  cpu: CpuUsage;
}

export async function measureIdle(
  stack: Stack,
  drivers: number,
  windowMs: number,
  log: (s: string) => void,
): Promise<IdleResult> {
  log(`idle: ${drivers} drivers on shift, no orders, for ${windowMs / 1000} s`);
  const from = Date.now();
  const cpu0 = readCpu(stack);
  const end = from + windowMs;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(10_000, end - Date.now())));
    log(`idle: ${Math.round((end - Date.now()) / 1000)} s to go`);
  }
  const to = Date.now();
  const cpu = cpuBetween(cpu0, readCpu(stack));
  const invocations = await invocationsIn(stack.info.adminUrl, from, to);
  const windowS = (to - from) / 1000;
  const perDriverPerS = invocations.total / drivers / windowS;
  log(
    `idle: ${invocations.total} invocations in ${windowS.toFixed(0)} s -> ${perDriverPerS.toFixed(3)} per driver per second; ${describeCpu(cpu)}`,
  );
  return { drivers, windowS, invocations, perDriverPerS, cpu };
}
