import { describe, expect, it } from "vitest";
import type { OrderStatusView } from "@food-ordering/contracts";
import { quantile, quantileInterval, summarize } from "../../src/stats.ts";
import { costPerInvocation, engineAgainstBudget } from "../../src/cost.ts";
import {
  disturbed,
  halfRate,
  judgeLevel,
  nextRate,
  pickLatencyWindow,
  sustainedRate,
  type LevelSignals,
} from "../../src/steps.ts";
import { driveMs, driverStarts, stepTimes, summarizeSteps } from "../../src/latency.ts";
import { countersFrom, gcBetween } from "../../src/signals.ts";
import { sumMetric } from "@food-ordering/stack";
import { perUnit } from "../../src/invocations.ts";
import {
  budgetSentence,
  noopsWorth,
  idleShare,
  pageInvocationsPerStatusChange,
  replaceBetween,
  stealSummary,
  targets,
} from "../../src/report.ts";
import { cpuPerOrder } from "../../src/per-order.ts";
import type { ScaleResult, WatchingResult } from "../../src/scales.ts";
import { cpuBetween, describeCpu, type CpuSnapshot } from "../../src/cpu.ts";
import { concurrenciesToRepeat } from "../../src/engine.ts";

describe("percentiles", () => {
  it("uses the nearest rank: a value actually seen, never an interpolation", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(xs, 0.5)).toBe(50);
    expect(quantile(xs, 0.9)).toBe(90);
    expect(quantile(xs, 0.99)).toBe(99);
    expect(quantile(xs, 1)).toBe(100);
    expect(quantile(xs, 0)).toBe(1);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([1, 2], 0.5)).toBe(1);
  });

  it("has no value for no samples and refuses a quantile outside 0..1", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it("summarizes unsorted samples and ignores non-finite ones", () => {
    const s = summarize([5, 1, NaN, 3, 4, 2, Infinity]);
    expect(s).toEqual({ n: 5, p50: 3, p90: 5, p99: 5, p99Low: 4, p99High: null, max: 5 });
    expect(summarize([])).toEqual({ n: 0, p50: null, p90: null, p99: null, p99Low: null, p99High: null, max: null });
  });

  it("brackets a quantile with order statistics at the asked confidence", () => {
    const xs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    // The textbook interval of a median of 100: the 40th to the 61st sample.
    expect(quantileInterval(xs(100), 0.5)).toEqual({ low: 40, high: 61 });
    // A p99 of ~300 samples has no upper bound at 95%; of 630 and 840 it does, just under the top.
    expect(quantileInterval(xs(315), 0.99)).toEqual({ low: 308, high: null });
    expect(quantileInterval(xs(630), 0.99)).toEqual({ low: 618, high: 629 });
    expect(quantileInterval(xs(840), 0.99)).toEqual({ low: 826, high: 838 });
    expect(quantileInterval([], 0.99)).toEqual({ low: null, high: null });
    expect(() => quantileInterval(xs(10), 1)).toThrow(RangeError);
  });

  it("covers the true quantile about as often as it promises", () => {
    // Uniform samples in 0..1, whose true p90 is 0.9: a 90% interval of 200 samples must hold it in
    // about 90% of 2000 draws (at least; order statistics are conservative with discrete ranks).
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let covered = 0;
    for (let draw = 0; draw < 2000; draw++) {
      const sorted = Array.from({ length: 200 }, random).sort((a, b) => a - b);
      const { low, high } = quantileInterval(sorted, 0.9, 0.9);
      if (low! <= 0.9 && 0.9 <= high!) covered++;
    }
    expect(covered / 2000).toBeGreaterThan(0.88);
    expect(covered / 2000).toBeLessThan(0.96);
  });
});

describe("rate stepping and saturation", () => {
  const level = (x: Partial<LevelSignals>): LevelSignals => ({
    offered: 10,
    published: 10,
    created: 10,
    delivered: 10,
    meanOrderMs: 5000,
    ...x,
  });

  it("a level that follows the offered rate at the usual speed is not saturated", () => {
    expect(judgeLevel(level({ delivered: 9.5 }), 5000)).toEqual({ saturated: false, reasons: [] });
  });

  it("is saturated when deliveries, creations or the provider fall behind the offered rate", () => {
    expect(judgeLevel(level({ delivered: 8 }), 5000).reasons).toEqual([expect.stringContaining("8.0/s delivered")]);
    expect(judgeLevel(level({ created: 7 }), 5000).saturated).toBe(true);
    expect(judgeLevel(level({ published: 7 }), 5000).reasons[0]).toContain("provider");
  });

  it("is saturated when orders take over twice as long as at the lightest level", () => {
    expect(judgeLevel(level({ meanOrderMs: 11_000 }), 5000).saturated).toBe(true);
    expect(judgeLevel(level({ meanOrderMs: 9_000 }), 5000).saturated).toBe(false);
    // No baseline yet (the first level) or no order delivered: the latency rule cannot apply.
    expect(judgeLevel(level({ meanOrderMs: 60_000 }), null).saturated).toBe(false);
    expect(judgeLevel(level({ meanOrderMs: null }), 5000).saturated).toBe(false);
  });

  it("steps through the plan and stops at the first saturated level", () => {
    const ok = { saturated: false, reasons: [] };
    const sat = { saturated: true, reasons: ["x"] };
    const plan = [2, 5, 10, 20];
    expect(nextRate(plan, [])).toBe(2);
    expect(nextRate(plan, [{ offered: 2, verdict: ok }])).toBe(5);
    expect(
      nextRate(plan, [
        { offered: 2, verdict: ok },
        { offered: 5, verdict: sat },
      ]),
    ).toBeUndefined();
    expect(
      nextRate(
        plan,
        plan.map((offered) => ({ offered, verdict: ok })),
      ),
    ).toBeUndefined();
  });

  it("the sustained rate is the best level that kept up; the latency step runs at half of it", () => {
    const levels = [
      { delivered: 4.9, verdict: { saturated: false, reasons: [] } },
      { delivered: 19.6, verdict: { saturated: false, reasons: [] } },
      { delivered: 24, verdict: { saturated: true, reasons: ["behind"] } },
    ];
    expect(sustainedRate(levels)).toBe(19.6);
    expect(sustainedRate([])).toBe(0);
    expect(halfRate(19.6)).toBe(10);
    expect(halfRate(0)).toBe(1);
  });
});

describe("step overheads", () => {
  it("counts the driver simulator's ticks like its drive loop", () => {
    const drive = { stepKm: 5, tickMs: 1000 };
    expect(driveMs({ x: 0, y: 0 }, { x: 0, y: 0 }, drive)).toBe(0);
    expect(driveMs({ x: 0, y: 0 }, { x: 3, y: 4 }, drive)).toBe(1000);
    expect(driveMs({ x: 0, y: 0 }, { x: 3, y: 4 }, { stepKm: 2, tickMs: 1000 })).toBe(2500);
    expect(driveMs({ x: 0, y: 0 }, { x: 10, y: 0 }, drive)).toBe(2000);
  });

  const order = (id: string, driverId: string, t0: number, customer: { x: number; y: number }): OrderStatusView => ({
    id,
    status: "DELIVERED",
    eta: null,
    driverId,
    restaurantLocation: { x: 0, y: 0 },
    customerLocation: customer,
    timeline: [
      { status: "CREATED", at: t0 + 20 },
      { status: "SCHEDULED", at: t0 + 50 },
      { status: "IN_PREPARATION", at: t0 + 60 },
      { status: "SCHEDULING_DELIVERY", at: t0 + 1100 },
      { status: "WAITING_FOR_DRIVER", at: t0 + 1130 },
      { status: "IN_DELIVERY", at: t0 + 3200 },
      { status: "DELIVERED", at: t0 + 4300 },
    ],
  });

  it("subtracts the simulated preparation and drives from each step", () => {
    const first = order("a", "d1", 0, { x: 10, y: 0 });
    const second = order("b", "d1", 10_000, { x: 5, y: 0 });
    expect(driverStarts([second, first]).get("b")).toEqual({ x: 10, y: 0 });
    expect(driverStarts([first, second]).has("a")).toBe(false);
    const facts = new Map([
      ["a", { publishedAt: 0, prepMs: 1000 }],
      ["b", { publishedAt: 10_000, prepMs: 1000 }],
    ]);
    const t = stepTimes([first, second], facts, { stepKm: 5, tickMs: 1000 });
    // Order b: driver starts at (10,0), 2 ticks to the restaurant, 1 tick to the customer.
    expect(t.get("b")).toEqual({
      publish_to_created: 20,
      payment: 30,
      schedule: 10,
      preparation_overhead: 40,
      matching: 30,
      to_restaurant_overhead: 70,
      to_customer_overhead: 100,
      end_to_end: 4300,
      end_to_end_overhead: 300,
    });
    // Order a: its driver's start is unknown, so neither that drive nor the total overhead is reported.
    expect(t.get("a")!.to_restaurant_overhead).toBeUndefined();
    expect(t.get("a")!.end_to_end_overhead).toBeUndefined();
    expect(t.get("a")!.to_customer_overhead).toBe(1100 - 2000);
    const s = summarizeSteps(t.values());
    expect(s.publish_to_created).toMatchObject({ n: 2, p99: 20 });
    expect(s.to_restaurant_overhead.n).toBe(1);
  });

  it("leaves out what it cannot know: no publish time, no preparation time", () => {
    const t = stepTimes([order("c", "d2", 0, { x: 1, y: 1 })], new Map(), { stepKm: 5, tickMs: 1000 });
    expect(t.get("c")!.publish_to_created).toBeUndefined();
    expect(t.get("c")!.preparation_overhead).toBeUndefined();
    expect(t.get("c")!.payment).toBe(30);
  });
});

describe("report helpers", () => {
  it("sums a Prometheus counter over the series that match the labels", () => {
    const text = [
      "# HELP food_ordering_order_status_transitions_total x",
      'food_ordering_order_status_transitions_total{status="CREATED",region="a"} 3',
      'food_ordering_order_status_transitions_total{status="CREATED",region="b"} 4',
      'food_ordering_order_status_transitions_total{status="DELIVERED",region="a"} 2',
      'food_ordering_order_status_transitions_total_other{status="CREATED"} 100',
      "food_ordering_plain 7",
    ].join("\n");
    expect(sumMetric(text, "food_ordering_order_status_transitions_total", { status: "CREATED" })).toBe(7);
    expect(sumMetric(text, "food_ordering_order_status_transitions_total")).toBe(9);
    expect(sumMetric(text, "food_ordering_plain")).toBe(7);
  });

  it("reads the endpoint's GC pauses between two scrapes, by kind", () => {
    const scrape = (minor: [number, number], major: [number, number]) =>
      [
        'food_ordering_nodejs_gc_duration_seconds_bucket{le="0.001",component="endpoint",kind="minor"} 1',
        `food_ordering_nodejs_gc_duration_seconds_sum{component="endpoint",kind="minor"} ${minor[1]}`,
        `food_ordering_nodejs_gc_duration_seconds_count{component="endpoint",kind="minor"} ${minor[0]}`,
        `food_ordering_nodejs_gc_duration_seconds_sum{component="endpoint",kind="major"} ${major[1]}`,
        `food_ordering_nodejs_gc_duration_seconds_count{component="endpoint",kind="major"} ${major[0]}`,
        'food_ordering_nodejs_gc_duration_seconds_sum{component="endpoint",kind="incremental"} 9',
      ].join("\n");
    const a = countersFrom(scrape([100, 1.0], [2, 0.05]), 0, 10_000);
    const b = countersFrom(scrape([120, 1.2], [3, 0.08]), 0, 20_000);
    const gc = gcBetween(a, b);
    expect(gc.pauses).toEqual([
      { kind: "scavenge", count: 20, perS: 2, meanMs: expect.closeTo(10, 6) },
      { kind: "mark-compact", count: 1, perS: 0.1, meanMs: expect.closeTo(30, 6) },
    ]);
    // 0.2 s of scavenges + 0.03 s of mark-compact in 10 s; incremental marking steps are not pauses of their own.
    expect(gc.pausedShare).toBeCloseTo(0.023, 6);
    expect(gcBetween(a, a).pauses.map((p) => p.meanMs)).toEqual([null, null]);
  });

  it("divides invocation counts per order", () => {
    expect(
      perUnit(
        {
          total: 60,
          byHandler: [
            { handler: "a/b", count: 40 },
            { handler: "c/d", count: 20 },
          ],
          journalEntries: 300,
        },
        3,
      ),
    ).toEqual({
      total: 20,
      byHandler: [
        { handler: "a/b", count: 13.33 },
        { handler: "c/d", count: 6.67 },
      ],
    });
    expect(perUnit({ total: 5, byHandler: [], journalEntries: 0 }, 0).total).toBe(0);
  });

  it("checks the issue's targets: 40 orders/s at 600x; at 60x 15 invocations, 0.1 CPU-s per order, real trips", () => {
    const at60 = (over: Partial<ScaleResult>): ScaleResult => ({
      time_scale: 60,
      tick_ms: 17,
      lease_ms: 1000,
      offered_per_s: 4,
      window_s: 120,
      delivered: 480,
      delivered_per_s: 4,
      fixes_per_delivered_order: 700,
      reports_per_delivered_order: 0.2,
      invocations_per_order: 14,
      invocations_per_order_gross: 15,
      invocations_per_order_by_handler: [],
      cpu_s_per_order: { machineS: 0.08, byProcess: [] },
      idle: {
        drivers: 240,
        windowS: 240,
        invocations: { total: 0, byHandler: [], journalEntries: 0 },
        perDriverPerS: 0,
        cpu: null!,
      },
      idle_invocations_per_driver_per_s: 0.008,
      watching: watched(1.02, 8),
      ...over,
    });
    const base = { orders_per_s: 41, publish_to_created_p99_ms: 90, idle_invocations_per_driver_per_s: 0.008 };
    // 0.08 s at 1 ms per no-op: 80 no-ops' worth.
    expect(targets({ ...base, scales: [at60({})] }, 1).map((x) => x.met)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    const missed = targets(
      {
        orders_per_s: 30,
        publish_to_created_p99_ms: 120,
        idle_invocations_per_driver_per_s: 0.011,
        scales: [
          at60({
            invocations_per_order: 21,
            cpu_s_per_order: { machineS: 0.2, byProcess: [] },
            // A page that read the order every 500 ms: 60 invocations for 8 status changes.
            watching: watched(60, 8),
          }),
        ],
      },
      0.5,
    );
    expect(missed.map((x) => x.met)).toEqual([false, false, false, false, false, false, false, false]);
    expect(missed[7]).toMatchObject({ value: "400", target: "≤ 300 (proposed in place of the seconds)" });
    // The proposed figure is the seconds over the day's no-op: 0.2 s is within it on a slow day.
    const slowDay = { ...base, scales: [at60({ cpu_s_per_order: { machineS: 0.2, byProcess: [] } })] };
    expect(
      targets(slowDay, 1)
        .map((x) => x.met)
        .slice(6),
    ).toEqual([false, true]);
    // No engine window: the proposed target is not met (n/a), never assumed.
    expect(targets(slowDay, null)[7]).toMatchObject({ value: "–", met: false });
    // 16 invocations: over 15 at 60x, within 20 for the 10-minute trip, but only with its fix count.
    expect(targets({ ...base, scales: [at60({ invocations_per_order: 16 })] }, 1).map((x) => x.met)).toEqual([
      true,
      true,
      true,
      false,
      true,
      true,
      true,
      true,
    ]);
    // No page measured: the page's target is not met (n/a), never assumed.
    expect(targets({ ...base, scales: [at60({ watching: null })] }, 1)[5]).toMatchObject({ value: "–", met: false });
    expect(
      targets({ ...base, scales: [at60({ invocations_per_order: 16, fixes_per_delivered_order: 40 })] }, 1)[4]!.met,
    ).toBe(false);
    expect(
      targets({ ...base, scales: [] }, 1)
        .slice(3)
        .every((x) => !x.met),
    ).toBe(true);
  });

  it("weighs a page's reads against its status changes", () => {
    expect(pageInvocationsPerStatusChange(watched(1.02, 8))).toBe(0.13);
    expect(pageInvocationsPerStatusChange(watched(null, 8))).toBeNull();
    expect(pageInvocationsPerStatusChange(null)).toBeNull();
  });

  it("counts CPU-seconds per delivered order, the machine's without steal", () => {
    const cpu = {
      machineBusy: 0.6,
      steal: 0.1,
      byProcess: [
        { process: "restate", cores: 0.5 },
        { process: "endpoint", cores: 0.25 },
      ],
      restateThreads: [],
    };
    expect(cpuPerOrder(cpu, 100, 2, 1000)).toEqual({
      machineS: 0.1,
      byProcess: [
        { process: "restate", seconds: 0.05 },
        { process: "endpoint", seconds: 0.025 },
      ],
    });
    expect(cpuPerOrder(cpu, 100, 2, 0)).toBeNull();
  });

  it("replaces the generated table between the markers only", () => {
    const doc = "intro\n<!-- s -->\nold\n<!-- e -->\noutro";
    expect(replaceBetween(doc, "<!-- s -->", "<!-- e -->", "new\n")).toBe("intro\n<!-- s -->\nnew\n<!-- e -->\noutro");
    expect(replaceBetween("no markers", "<!-- s -->", "<!-- e -->", "x")).toBe("no markers");
  });
});

describe("idle baseline", () => {
  it("subtracts what the handlers cost at idle over the same time, never below zero", async () => {
    const { minusBaseline, ratesOf } = await import("../../src/invocations.ts");
    const idle = ratesOf(
      {
        total: 60,
        byHandler: [
          { handler: "twin/waitForWork", count: 40 },
          { handler: "twin/checkLease", count: 20 },
        ],
        journalEntries: 0,
      },
      20,
    );
    const net = minusBaseline(
      {
        total: 100,
        byHandler: [
          { handler: "twin/waitForWork", count: 30 },
          { handler: "order/run", count: 60 },
          { handler: "twin/checkLease", count: 10 },
        ],
        journalEntries: 500,
      },
      idle,
      10,
    );
    expect(net.byHandler).toEqual([
      { handler: "order/run", count: 60 },
      { handler: "twin/waitForWork", count: 10 },
      { handler: "twin/checkLease", count: 0 },
    ]);
    expect(net.total).toBe(70);
  });
});

describe("cpuBetween", () => {
  const snap = (
    at: number,
    p: Record<string, number>,
    t: Record<string, number>,
    busy: number,
    total: number,
    steal = 0,
  ): CpuSnapshot => ({
    at,
    byProcess: new Map(Object.entries(p)),
    restateThreads: new Map(Object.entries(t)),
    busy,
    total,
    steal,
  });

  it("turns two readings into cores per process and thread group, busiest first, idle ones left out", () => {
    const a = snap(
      0,
      { restate: 10, endpoint: 5, payment: 1, gone: 3 },
      { "rt:pp": 6, "rs:worker": 4 },
      1000,
      4000,
      100,
    );
    const b = snap(
      10_000,
      { restate: 17, endpoint: 10, payment: 1.04, fresh: 2 },
      { "rt:pp": 11, "rs:worker": 6 },
      2500,
      6000,
      300,
    );
    const u = cpuBetween(a, b);
    expect(u.byProcess).toEqual([
      { process: "restate", cores: 0.7 },
      { process: "endpoint", cores: 0.5 },
    ]);
    expect(u.restateThreads).toEqual([
      { process: "rt:pp", cores: 0.5 },
      { process: "rs:worker", cores: 0.2 },
    ]);
    expect(u.machineBusy).toBe(0.75);
    expect(u.steal).toBe(0.1);
    expect(describeCpu(u)).toBe("machine 75% busy (restate 0.7, endpoint 0.5, 10% of it stolen by the host)");
  });
});

describe("host steal", () => {
  it("is summarised over every measured window, engine to idle", () => {
    const w = (steal: number) => ({ cpu: { steal } });
    const r = {
      engine: { levels: [w(0.03), w(0.18)], stateful: w(0.04) },
      levels: [w(0.05)],
      latency_windows: [{ steal: 0.27 }, { steal: 0.1 }],
      idle: w(0.02),
    } as unknown as Parameters<typeof stealSummary>[0];
    // The disturbed latency window (27%) counts, though a later one was reported.
    expect(stealSummary(r)).toBe("the host took 2–27% of the cores (steal) in the measured windows");
    const calm = {
      engine: { levels: [w(0)], stateful: w(0) },
      levels: [w(0.001)],
      latency_windows: [{ steal: 0 }],
      idle: w(0),
    } as unknown as Parameters<typeof stealSummary>[0];
    expect(stealSummary(calm)).toBe("the host took 0% of the cores (steal) in the measured windows");
  });
});

describe("engine limit", () => {
  it("measures the sweep's best concurrencies again, best first", () => {
    const sweep = [
      { concurrency: 8, invocationsPerS: 465 },
      { concurrency: 32, invocationsPerS: 867 },
      { concurrency: 128, invocationsPerS: 866 },
      { concurrency: 512, invocationsPerS: 820 },
    ];
    expect(concurrenciesToRepeat(sweep, 2)).toEqual([32, 128]);
    expect(concurrenciesToRepeat(sweep, 0)).toEqual([]);
    expect(sweep.map((l) => l.concurrency)).toEqual([8, 32, 128, 512]);
  });
});

describe("cost per invocation", () => {
  const cpu = (busy: number, steal: number, procs: Record<string, number>, pp: number) => ({
    machineBusy: busy,
    steal,
    byProcess: Object.entries(procs).map(([process, cores]) => ({ process, cores })),
    restateThreads: [{ process: "rt:pp", cores: pp }],
  });

  it("divides each part's cores by the invocations of its run, and compares the two runs", () => {
    const workload = {
      cpu: cpu(0.9, 0.05, { restate: 0.7, endpoint: 0.6, kafka: 0.2, "drivers-paris": 0.1 }, 0.6),
      invocationsPerS: 400,
      journalEntriesPerInvocation: 7,
    };
    const noop = {
      cpu: cpu(0.9, 0.05, { restate: 0.8, "bench-noop": 0.6, "bench (load generator, collectors)": 0.2 }, 0.6),
      invocationsPerS: 1000,
      journalEntriesPerInvocation: 2,
    };
    const stateful = {
      cpu: cpu(0.9, 0.05, { restate: 0.8, "bench-noop": 0.6, "bench (load generator, collectors)": 0.2 }, 0.6),
      invocationsPerS: 625,
      journalEntriesPerInvocation: 4,
    };
    const rows = costPerInvocation(workload, noop, stateful, 2);
    const by = Object.fromEntries(rows.map((r) => [r.part, r]));
    expect(by["restate-server"]).toEqual({
      part: "restate-server",
      workloadMs: 1.75,
      noopMs: 0.8,
      ratio: 2.19,
      statefulMs: 1.28,
      statefulRatio: 1.6,
    });
    expect(by["… its partition processor (rt:pp)"]!.ratio).toBe(2.5);
    expect(by["service endpoint (SDK and handlers)"]).toMatchObject({ workloadMs: 1.5, noopMs: 0.6, ratio: 2.5 });
    expect(by["everything else (Kafka, simulators / load generator)"]).toMatchObject({
      workloadMs: 0.75,
      noopMs: 0.2,
      ratio: 3.75,
    });
    // (0.9 - 0.05) × 2 cores = 1.7 cores: 4.25 ms per invocation at 400/s, 1.7 ms at 1000/s.
    expect(by["the whole machine"]).toMatchObject({ workloadMs: 4.25, noopMs: 1.7, ratio: 2.5 });
    expect(by["journal entries per invocation"]).toMatchObject({
      workloadMs: 7,
      noopMs: 2,
      ratio: 3.5,
      statefulMs: 4,
      statefulRatio: 2,
    });
  });

  it("counts as a run's endpoint only the process that serves its invocations; the other one idling beside it is everything else", () => {
    // The platform's endpoint answers idle drivers' long polls during the engine windows; the no-op endpoint idles through the order run.
    const workload = {
      cpu: cpu(0.9, 0, { restate: 0.8, endpoint: 0.5, "bench-noop": 0.1, kafka: 0.1 }, 0.6),
      invocationsPerS: 500,
      journalEntriesPerInvocation: 7,
    };
    const noop = {
      cpu: cpu(
        0.9,
        0,
        { restate: 0.8, "bench-noop": 0.6, endpoint: 0.1, "bench (load generator, collectors)": 0.2 },
        0.6,
      ),
      invocationsPerS: 1000,
      journalEntriesPerInvocation: 2,
    };
    const by = Object.fromEntries(costPerInvocation(workload, noop, noop, 2).map((r) => [r.part, r]));
    expect(by["service endpoint (SDK and handlers)"]).toMatchObject({ workloadMs: 1, noopMs: 0.6 });
    expect(by["everything else (Kafka, simulators / load generator)"]).toMatchObject({ workloadMs: 0.4, noopMs: 0.3 });
  });

  it("weighs what Restate and the endpoint alone spend against what the orders/s target leaves an invocation", () => {
    const run = (restate: number, endpoint: number) => ({
      cpu: cpu(0.9, 0.05, { restate, endpoint, kafka: 0.2 }, 0.5),
      invocationsPerS: 500,
      journalEntriesPerInvocation: 7,
    });
    const noop = (perS: number) => ({
      cpu: cpu(0.9, 0.05, { restate: 0.8, "bench-noop": 0.6 }, 0.6),
      invocationsPerS: perS,
      journalEntriesPerInvocation: 2,
    });
    // 40 orders/s × 25 invocations = 1000 invocations/s on 2 cores: 2 ms of machine each.
    const budget = { cores: 2, ordersPerS: 40, invocationsPerOrder: 25 };
    // 0.5 + 0.4 cores at 500/s = 1.8 ms: under it, 0.2 ms left for the rest, however fast a no-op ran.
    for (const n of [noop(1000), noop(3000)]) {
      expect(engineAgainstBudget(costPerInvocation(run(0.5, 0.4), n, n, 2), budget)).toEqual({
        engineMs: 1.8,
        budgetMs: 2,
        leftMs: 0.2,
      });
    }
    // 0.6 + 0.5 cores at 500/s = 2.2 ms: over it whatever the rest costs.
    expect(engineAgainstBudget(costPerInvocation(run(0.6, 0.5), noop(1000), noop(1000), 2), budget)).toEqual({
      engineMs: 2.2,
      budgetMs: 2,
      leftMs: -0.2,
    });
    const at = { machineMs: 2.6, cores: 2, invocationsPerOrder: 25 };
    const over = budgetSentence({ engineMs: 2.2, budgetMs: 2, leftMs: -0.2 }, at);
    expect(over).toContain(
      "At 25.00 invocations per order, 40 orders/s on 2 cores leave an invocation 2 ms of the machine",
    );
    expect(over).toContain("it spent 2.6 ms, over that");
    expect(over).toContain("over it, so no cheaper broker or simulated world could meet the target");
    const under = budgetSentence({ engineMs: 1.8, budgetMs: 2, leftMs: 0.2 }, { ...at, machineMs: 1.9 });
    expect(under).toContain("it spent 1.9 ms, within that");
    expect(under).toContain("0.2 ms were left for Kafka and the simulated world");
    const idle = { cpu: cpu(0.1, 0, { restate: 0.1 }, 0.05), invocationsPerS: 0, journalEntriesPerInvocation: null };
    expect(engineAgainstBudget(costPerInvocation(idle, idle, idle, 2), budget)).toBeNull();
    expect(
      engineAgainstBudget(costPerInvocation(run(0.5, 0.4), noop(1000), noop(1000), 2), {
        ...budget,
        invocationsPerOrder: null,
      }),
    ).toBeNull();
    expect(budgetSentence(null, at)).toBe("");
  });

  it("gives the share of an order's CPU the stack spends idle", () => {
    const idle = {
      drivers: 240,
      windowS: 240,
      invocations: { total: 0, byHandler: [], journalEntries: 0 },
      perDriverPerS: 0,
    };
    const cpu = { machineBusy: 0.05, steal: 0.02, byProcess: [], restateThreads: [] };
    // 3% of 2 cores without steal = 0.06 cores, over 4 orders/s.
    expect(idleShare({ idle: { ...idle, cpu }, delivered_per_s: 4 }, 2)).toBeCloseTo(0.015);
    expect(idleShare({ idle: { ...idle, cpu }, delivered_per_s: 0 }, 2)).toBeNull();
  });

  it("states CPU per order as the no-ops the same machine runs on it", () => {
    // Two days of one machine: the fast one ran everything in 0.6 of the slow one's time.
    expect(noopsWorth(0.27, 1.0)).toBeCloseTo(270);
    expect(noopsWorth(0.162, 0.6)).toBeCloseTo(270);
    expect(noopsWorth(null, 0.6)).toBeNull();
    expect(noopsWorth(0.2, null)).toBeNull();
    expect(noopsWorth(0.2, 0)).toBeNull();
  });

  it("has no figure where a run created no invocation", () => {
    const idle = { cpu: cpu(0.1, 0, { restate: 0.1 }, 0.05), invocationsPerS: 0, journalEntriesPerInvocation: null };
    const rows = costPerInvocation(idle, idle, idle, 2);
    expect(rows.every((r) => r.workloadMs === null && r.ratio === null && r.statefulRatio === null)).toBe(true);
  });
});

describe("latency window and the host's steal", () => {
  const w = (name: string, steal: number, p99: number) => ({ name, cpu: { steal }, p99 });

  it("reports the first window the host left alone, whatever its latencies", () => {
    expect(disturbed(w("a", 0.27, 1530))).toBe(true);
    expect(disturbed(w("a", 0.1, 80))).toBe(false);
    // The second is undisturbed and slower than the third: still the one reported.
    expect(pickLatencyWindow([w("a", 0.27, 1530), w("b", 0.04, 95), w("c", 0.02, 50)]).name).toBe("b");
    expect(pickLatencyWindow([w("a", 0.05, 120)]).name).toBe("a");
  });

  it("falls back to the least disturbed window, and needs one", () => {
    expect(pickLatencyWindow([w("a", 0.3, 900), w("b", 0.12, 2000), w("c", 0.2, 100)]).name).toBe("b");
    expect(() => pickLatencyWindow([])).toThrow(/no latency window/);
  });
});

/** A tracking-page window's result: `reads` Restate invocations per page for `changes` status changes. */
function watched(reads: number | null, changes: number): WatchingResult {
  return {
    window_s: 30,
    delivered: 60,
    pages: { pages: 62, ended: 62, failed: 0, orderEvents: 62 * 9, driverEvents: 62 * 20 },
    pages_in_window: 60,
    invocations_per_page: reads,
    invocations_per_page_by_handler: reads === null ? [] : [{ handler: "order-status/get", count: reads }],
    status_changes_per_order: changes,
    order_events_per_page: 9,
    driver_events_per_page: 20,
    cpu_s_per_order: { machineS: 0.25, byProcess: [] },
    webui_cpu_s_per_order: 0.02,
    extra_machine_cpu_s_per_order: 0.03,
  };
}
