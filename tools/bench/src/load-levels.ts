import type { Stack } from "@food-ordering/stack";
import { cpuBetween, describeCpu, readCpu, type CpuUsage } from "./cpu.ts";
import { readMemory, resetPeaks, type ProcessMemory } from "./memory.ts";
import { gcBetween, inFlight, ratesBetween, readCounters, type GcBetween } from "./signals.ts";
import { judgeLevel, nextRate, type Verdict } from "./steps.ts";

/**
 * Order load through the provider simulator (PUT /rate): rising levels until saturation, each a
 * warm-up (orders in flight reach steady state) and a measured window. The window's bounds are
 * kept so the final figures can be cut from Restate's state and sys_invocation afterwards.
 */
export interface LevelRun {
  offered: number;
  from: number;
  to: number;
  live: { published: number; created: number; delivered: number; meanOrderMs: number | null };
  verdict: Verdict;
  /** Peak RSS of each process during the window (VmHWM reset at its start). */
  memory: ProcessMemory[];
  /** Where the cores went during the window. */
  cpu: CpuUsage;
  /** The endpoint's GC pauses during the window. */
  endpointGc: GcBetween;
}

export interface LevelTiming {
  warmupMs: number;
  windowMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function setRate(stack: Stack, rate: number): Promise<void> {
  const res = await fetch(`${stack.info.providerUrl}/rate`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rate }),
  });
  if (!res.ok) throw new Error(`setting the provider's rate to ${rate} failed (${res.status}): ${await res.text()}`);
}

/** Sleeps `ms`, printing the live rates every 5 s so a long window shows progress. */
async function watch(
  stack: Stack,
  ms: number,
  label: string,
  log: (s: string) => void,
): Promise<ReturnType<typeof ratesBetween> | undefined> {
  const end = Date.now() + ms;
  let prev = await readCounters(stack);
  let last: ReturnType<typeof ratesBetween> | undefined;
  while (Date.now() < end) {
    await sleep(Math.min(5000, end - Date.now()));
    const now = await readCounters(stack);
    last = ratesBetween(prev, now);
    log(
      `${label}: published ${last.published.toFixed(1)}/s, created ${last.created.toFixed(1)}/s, delivered ${last.delivered.toFixed(1)}/s, in flight ${inFlight(now)}`,
    );
    prev = now;
  }
  return last;
}

/**
 * Warm-up until the orders in flight reach steady state: at least `warmupMs`, longer (up to 3x)
 * while the delivered rate differs from the published one by over 10% — the level's first orders
 * still on their way, or the previous level's backlog still draining — since a window measured
 * then would misjudge both the throughput and the invocations per order.
 */
async function warmUp(stack: Stack, offered: number, warmupMs: number, log: (s: string) => void) {
  const end = Date.now() + 3 * warmupMs;
  let r = await watch(stack, warmupMs, `load ${offered}/s warm-up`, log);
  const steady = (x: NonNullable<typeof r>) =>
    Math.abs(x.delivered - x.published) <= 0.1 * Math.max(x.published, offered);
  while (r && !steady(r) && Date.now() < end) r = await watch(stack, 5000, `load ${offered}/s warm-up`, log);
}

export async function runLevel(
  stack: Stack,
  offered: number,
  t: LevelTiming,
  baselineOrderMs: number | null,
  log: (s: string) => void,
  /** Run just before the window opens (e.g. reading topic offsets). */
  atWindowStart?: () => Promise<void>,
): Promise<LevelRun> {
  await setRate(stack, offered);
  log(`load ${offered}/s: warming up ${t.warmupMs / 1000} s`);
  await warmUp(stack, offered, t.warmupMs, log);
  await atWindowStart?.();
  resetPeaks(stack);
  const c0 = await readCounters(stack);
  const cpu0 = readCpu(stack);
  await watch(stack, t.windowMs, `load ${offered}/s`, log);
  const c1 = await readCounters(stack);
  const cpu = cpuBetween(cpu0, readCpu(stack));
  const memory = readMemory(stack);
  const live = ratesBetween(c0, c1);
  const verdict = judgeLevel({ offered, ...live }, baselineOrderMs);
  const endpointGc = gcBetween(c0, c1);
  log(
    `load ${offered}/s: delivered ${live.delivered.toFixed(1)}/s, mean order ${live.meanOrderMs === null ? "-" : (live.meanOrderMs / 1000).toFixed(2)} s, ${describeCpu(cpu)}, endpoint in GC ${(endpointGc.pausedShare * 100).toFixed(1)}%${verdict.saturated ? ` -> SATURATED: ${verdict.reasons.join("; ")}` : ""}`,
  );
  return { offered, from: c0.at, to: c1.at, live, verdict, memory, cpu, endpointGc };
}

/** Rising levels from the plan until the first saturated one. */
export async function stepUntilSaturated(
  stack: Stack,
  plan: number[],
  t: LevelTiming,
  log: (s: string) => void,
): Promise<LevelRun[]> {
  const runs: LevelRun[] = [];
  for (let rate = nextRate(plan, runs); rate !== undefined; rate = nextRate(plan, runs)) {
    runs.push(await runLevel(stack, rate, t, runs[0]?.live.meanOrderMs ?? null, log));
  }
  return runs;
}

/** Stops the load and waits until every published order has finished (or the time is up). */
export async function drain(stack: Stack, timeoutMs: number, log: (s: string) => void): Promise<void> {
  await setRate(stack, 0);
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = await readCounters(stack);
    if (inFlight(c) <= 0) return;
    if (Date.now() > end) {
      log(`drain: ${inFlight(c)} orders still in flight after ${timeoutMs / 1000} s; going on`);
      return;
    }
    log(`drain: ${inFlight(c)} orders in flight`);
    await sleep(2000);
  }
}
