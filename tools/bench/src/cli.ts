import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { Command, InvalidArgumentError } from "commander";
import { Stack, REPO_ROOT, SIMULATOR_NICE, ETA_CHANGE_THRESHOLD_S } from "@food-ordering/stack";
import { defaultPartitions } from "@food-ordering/stack";
import { analyzeLevel } from "./analysis.ts";
import { costPerInvocation } from "./cost.ts";
import { collectOrders, orderFacts, prepTimes, publishTimes } from "./collect.ts";
import { measureEngine } from "./engine.ts";
import { measureIdle } from "./idle.ts";
import { ratesOf } from "./invocations.ts";
import { drain, runLevel, stepUntilSaturated, type LevelRun } from "./load-levels.ts";
import { consoleSummary, noopMachineMs, targets, writeResults, type BenchResult, type Machine } from "./report.ts";
import { SIM, prepTimeMs, settings, stepKm } from "./settings.ts";
import { measureScale, type ScaleResult } from "./scales.ts";
import { cpuPerOrder } from "./per-order.ts";
import { DISTURBED_STEAL, disturbed, halfRate, pickLatencyWindow, sustainedRate } from "./steps.ts";

/**
 * `npm run bench [-- --quick]`: one local stack, one run — the engine's limit, orders/s at rising
 * load until saturation, latency at half of it, idle cost, peak memory — then
 * bench/results/latest.{json,md}. All load is on loopback and every phase is bounded in time.
 */
const rates = (v: string) => {
  const xs = v.split(",").map(Number);
  if (xs.some((x) => !Number.isFinite(x) || x <= 0))
    throw new InvalidArgumentError("a comma-separated list of positive rates");
  return xs.sort((a, b) => a - b);
};
const opts = new Command("npm run bench --")
  .option("--quick", "short run (< 3 min) for development")
  .option("--plan <rates>", "offered orders/s to step through, e.g. 5,10,20", rates)
  .option("--drivers <n>", "simulated drivers per region", (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("a positive integer");
    return n;
  })
  .option("--partitions <n>", "restate-server partitions (default: one per two cores)", (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 128) throw new InvalidArgumentError("an integer from 1 to 128");
    return n;
  })
  .option(
    "--simulator-nice <n>",
    `CPU niceness of the simulators (default ${SIMULATOR_NICE}; 0 = same priority as the platform)`,
    (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 19) throw new InvalidArgumentError("an integer from 0 to 19");
      return n;
    },
  )
  .option("--cpu-prof", "write a CPU profile of the service endpoint to .data/bench-profile/")
  .option("--keep", "keep the stack's data directory (logs, Restate and Kafka data) afterwards")
  .option(
    "--tracing",
    "run with distributed tracing on (every process and restate-server export spans to a local Jaeger)",
  )
  .option(
    "--render",
    "no run: write the reports again from bench/results/latest.json (after a change to their wording)",
  )
  .parse()
  .opts<{
    quick?: boolean;
    plan?: number[];
    drivers?: number;
    partitions?: number;
    simulatorNice?: number;
    cpuProf?: boolean;
    keep?: boolean;
    tracing?: boolean;
    render?: boolean;
  }>();

if (opts.render) {
  const r = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "bench/results/latest.json"), "utf8")) as BenchResult;
  // Targets are the code's, not the run's: a target added since is judged on the run's figures.
  r.targets = targets(r, noopMachineMs(r));
  const files = writeResults(REPO_ROOT, r, r.config.mode === "full");
  console.log(`wrote ${files.map((f) => path.relative(REPO_ROOT, f)).join(", ")}`);
  process.exit(0);
}

const s = settings(!!opts.quick);
if (opts.plan) s.plan = opts.plan;
if (opts.drivers) s.driversPerRegion = opts.drivers;

const started = Date.now();
const log = (line: string) =>
  console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

function machine(): Machine {
  let vitest = 0;
  try {
    vitest = execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => /vitest/.test(l)).length;
  } catch {
    // No ps: the count is only informative.
  }
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    loadavgBefore: os.loadavg().map((x) => Math.round(x * 100) / 100),
    vitestProcessesBefore: vitest,
    node: process.version,
  };
}

const m = machine();
log(
  `${s.mode} run on ${m.cores} cores, ${m.memoryGiB} GiB; load average ${m.loadavgBefore.join(" / ")}${m.vitestProcessesBefore ? `; ${m.vitestProcessesBefore} vitest processes running (figures will be lower)` : ""}`,
);
const dataDir = path.join(REPO_ROOT, ".data", `bench-${process.pid}`);
fs.rmSync(dataDir, { recursive: true, force: true });
const profileDir = path.join(REPO_ROOT, ".data", "bench-profile");
log(
  `starting the stack: ${s.regions.length} regions × ${s.driversPerRegion} drivers, time scale ${SIM.timeScale}× (data in ${dataDir})`,
);
// Resolved once: the stack runs with these and the report states them.
const partitions = opts.partitions ?? defaultPartitions();
const simulatorNice = opts.simulatorNice ?? SIMULATOR_NICE;
/** The bench's stack at a time scale; the same settings otherwise. */
const startStack = (
  dir: string,
  timeScale: number,
  tickMs: number,
  webui: false | "later" = false,
  leaseMs = SIM.driverLeaseMs,
) =>
  Stack.start({
    dataDir: dir,
    freePorts: true,
    webui,
    regions: s.regions.map((name) => ({ name, drivers: s.driversPerRegion })),
    timeScale,
    tickMs,
    providerRate: 0,
    restatePartitions: partitions,
    simulatorNice,
    tracing: !!opts.tracing,
    env: {
      LOG_LEVEL: "info",
      DRIVER_LEASE_MS: String(leaseMs),
      WAIT_FOR_WORK_MS: String(SIM.waitForWorkMs),
      SPEED_KMH: String(SIM.speedKmh),
      PREP_TIME_MIN: String(SIM.prepTimeMin),
    },
    componentEnv: {
      // Every order paid and wanted at once: each published order should reach DELIVERED.
      provider: { MAX_DELIVERY_DELAY_MS: "0", DECLINED_FRACTION: "0", LOG_LEVEL: "warn" },
      // The restaurant's "order ready" lines (info) carry each order's simulated preparation time.
      // On a lease of a simulated minute, a fix must not wait out a real quarter second's linger.
      ...Object.fromEntries(
        s.regions.map((r) => [
          `drivers-${r}`,
          { LOG_LEVEL: "warn", ...(leaseMs < SIM.driverLeaseMs ? { KAFKA_LINGER_MS: "20" } : {}) },
        ]),
      ),
      // The bench is one client standing for every tracking page (the 60× stack's page per order).
      webui: { MAX_LIVE_STREAMS_PER_CLIENT: "10000", MAX_LIVE_STREAMS: "10000", LOG_LEVEL: "warn" },
      ...(opts.cpuProf ? { endpoint: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } } : {}),
    },
    log,
  });
let stack = await startStack(dataDir, SIM.timeScale, SIM.tickMs);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  log("stopping the stack");
  await stack.stop();
  if (!opts.keep) fs.rmSync(dataDir, { recursive: true, force: true });
};
process.once("SIGINT", () => void stop().then(() => process.exit(130)));

let exitCode = 0;
try {
  log("1/5 engine limit");
  const engine = await measureEngine(stack, { ...s.engine, log });

  log(`2/5 throughput: offered ${s.plan.join(", ")} orders/s until saturation`);
  const runs = await stepUntilSaturated(stack, s.plan, s.level, log);
  await drain(stack, s.drainTimeoutMs, log);

  const liveSustained = sustainedRate(runs.map((r) => ({ delivered: r.live.delivered, verdict: r.verdict })));
  const half = halfRate(liveSustained);
  log(`3/5 latency at ${half} orders/s (half of ${liveSustained.toFixed(1)})`);
  const latencyRuns: LevelRun[] = [];
  for (let attempt = 1; ; attempt++) {
    const run = await runLevel(stack, half, s.latency, null, log);
    await drain(stack, s.drainTimeoutMs, log);
    latencyRuns.push(run);
    if (!disturbed(run) || attempt >= s.latencyAttempts) break;
    log(
      `latency window disturbed: the host took ${Math.round(run.cpu.steal * 100)}% of the cores (over ${DISTURBED_STEAL * 100}%); measuring again (${attempt + 1}/${s.latencyAttempts})`,
    );
  }
  const latencyRun = pickLatencyWindow(latencyRuns);

  const drivers = s.regions.length * s.driversPerRegion;
  log("4/5 idle cost");
  const idle = await measureIdle(stack, drivers, s.idleWindowMs, log);

  log("5/5 collecting orders, publish times and preparation times");
  const [orders, published] = await Promise.all([collectOrders(stack), publishTimes(stack.info.kafkaBrokers)]);
  const facts = orderFacts(published, prepTimes(stack.info.logDir));
  const drive = { stepKm: stepKm(), tickMs: SIM.tickMs };
  const idlePerS = ratesOf(idle.invocations, idle.windowS);
  const levels = [];
  for (const r of runs) levels.push(await analyzeLevel(stack, r, orders, facts, drive, idlePerS));
  const latencyLevels = [];
  for (const r of latencyRuns)
    latencyLevels.push(await analyzeLevel(stack, r, orders, facts, drive, idlePerS, { saturated: false, reasons: [] }));
  const latencyLevel = latencyLevels[latencyRuns.indexOf(latencyRun)]!;
  log(`${orders.length} orders in Restate, ${published.size} publish times, ${facts.size} facts`);

  const sustained = sustainedRate(
    levels.map((l) => ({ delivered: l.delivered_per_s, verdict: { saturated: l.saturated, reasons: [] } })),
  );
  // Invocations per order from the busiest level that still kept up: the most orders, in steady state.
  const costLevel =
    [...levels].reverse().find((l) => !l.saturated && l.delivered > 0) ?? levels.find((l) => l.delivered > 0);
  const satLevel = levels.find((l) => l.saturated) ?? levels.at(-1);
  const idleRate = Math.round(idle.perDriverPerS * 10_000) / 10_000;
  const scales: ScaleResult[] = costLevel
    ? [
        {
          time_scale: SIM.timeScale,
          tick_ms: SIM.tickMs,
          lease_ms: SIM.driverLeaseMs,
          offered_per_s: costLevel.offered_per_s,
          window_s: costLevel.window_s,
          delivered: costLevel.delivered,
          delivered_per_s: costLevel.delivered_per_s,
          fixes_per_delivered_order: null,
          reports_per_delivered_order: null,
          invocations_per_order: costLevel.invocations_per_order,
          invocations_per_order_gross: costLevel.invocations_per_order_gross,
          invocations_per_order_by_handler: costLevel.invocations_per_order_by_handler,
          cpu_s_per_order: cpuPerOrder(costLevel.cpu, costLevel.window_s, m.cores, costLevel.delivered),
          idle,
          idle_invocations_per_driver_per_s: idleRate,
          // The tracking pages are measured at 60×, with trips (and driver positions) of real length.
          watching: null,
        },
      ]
    : [];

  // The second time scale on a stack of its own: 60×, trips with a real fix count.
  const r = s.real;
  log(`6/6 time scale ${r.timeScale}×, a fix every ${r.tickMs} ms (one per simulated second), ${r.rate} orders/s`);
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
  stack = await startStack(dataDir, r.timeScale, r.tickMs, "later", r.leaseMs);
  scales.push(
    await measureScale(stack, {
      ...r,
      drainTimeoutMs: s.drainTimeoutMs,
      drivers: s.regions.length * s.driversPerRegion,
      cores: m.cores,
      log,
      watchPages: true,
    }),
  );
  const partial = {
    engine_noop_invocations_per_s: Math.round(engine.best.invocationsPerS),
    orders_per_s: sustained,
    invocations_per_order: costLevel?.invocations_per_order ?? null,
    publish_to_created_p99_ms: latencyLevel.latency_ms.publish_to_created.p99,
    idle_invocations_per_driver_per_s: idleRate,
    scales,
  };
  const result: BenchResult = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    machine: m,
    config: {
      mode: s.mode,
      regions: s.regions,
      driversPerRegion: s.driversPerRegion,
      timeScale: SIM.timeScale,
      tickMs: SIM.tickMs,
      stepKm: stepKm(),
      prepTimeMs: prepTimeMs(),
      etaChangeThresholdMs: Math.round((ETA_CHANGE_THRESHOLD_S * 1000) / SIM.timeScale),
      waitForWorkMs: SIM.waitForWorkMs,
      driverLeaseMs: SIM.driverLeaseMs,
      levelWarmupS: s.level.warmupMs / 1000,
      levelWindowS: s.level.windowMs / 1000,
      restatePartitions: partitions,
      simulatorNice,
      latencyAttempts: s.latencyAttempts,
      tracing: !!opts.tracing,
    },
    ...partial,
    orders_per_s_peak: Math.max(0, ...levels.map((l) => l.delivered_per_s)),
    saturation_reached: levels.some((l) => l.saturated),
    invocations_per_order_measured_at_per_s: costLevel?.offered_per_s ?? null,
    invocations_per_order_by_handler: costLevel?.invocations_per_order_by_handler ?? [],
    cost_per_invocation: costLevel
      ? costPerInvocation(
          {
            cpu: costLevel.cpu,
            invocationsPerS: costLevel.invocations_per_s,
            journalEntriesPerInvocation: costLevel.journal_entries_per_invocation,
          },
          {
            cpu: engine.best.cpu,
            invocationsPerS: engine.best.invocationsPerS,
            journalEntriesPerInvocation: engine.journalEntriesPerInvocation,
          },
          {
            cpu: engine.stateful.cpu,
            invocationsPerS: engine.stateful.invocationsPerS,
            journalEntriesPerInvocation: engine.stateful.journalEntriesPerInvocation,
          },
          m.cores,
        )
      : [],
    latency_offered_per_s: half,
    latency_ms: latencyLevel.latency_ms,
    idle,
    peak_rss_mib_at_saturation: satLevel?.peak_rss_mib ?? [],
    engine,
    levels,
    latency_level: latencyLevel,
    latency_windows: latencyLevels.map((l, i) => ({
      steal: l.cpu.steal,
      publish_to_created_p99_ms: l.latency_ms.publish_to_created.p99,
      orders: l.latency_ms.publish_to_created.n,
      used: latencyRuns[i] === latencyRun,
    })),
    scales,
    targets: targets(partial, noopMachineMs({ engine, machine: m })),
    durationS: (Date.now() - started) / 1000,
  };
  const files = writeResults(REPO_ROOT, result, s.mode === "full");
  console.log(`\n${consoleSummary(result)}\n\nwrote ${files.map((f) => path.relative(REPO_ROOT, f)).join(", ")}`);
} catch (e) {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  exitCode = 1;
} finally {
  await stop();
}
if (opts.cpuProf) log(`endpoint CPU profile in ${profileDir}`);
process.exit(exitCode);
