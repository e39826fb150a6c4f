import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startChaosStack, runChaosOn, formatReport } from "../../src/run.ts";
import os from "node:os";
import { SIMULATOR_NICE, type Stack, DELIVERED_TIMELINE } from "@food-ordering/testkit";
import { closeProducer, ledger, makeOrder, publishOrder, statusesOf, waitForOrder } from "@food-ordering/testkit";

/**
 * Fault tests need a stack of their own (they kill its processes): three regions, short driver
 * leases. First a single order survives its service endpoint being SIGKILLed; then a short chaos
 * run (20 s of load at 8 orders/s) kills restate-server, the endpoint, Kafka and a driver simulator.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startChaosStack({ regions: ["amsterdam", "berlin", "paris"], driversPerRegion: 30 });
}, 300_000);
afterAll(async () => {
  await closeProducer();
  await stack?.stop();
  // As the shared stack does: the run's data (~0.3 GB) goes unless KEEP_TEST_DATA asks to keep it.
  if (stack && !process.env.KEEP_TEST_DATA) fs.rmSync(stack.info.dataDir, { recursive: true, force: true });
});

describe("faults", () => {
  it("completes an order whose service endpoint was killed mid-order, with one charge", async () => {
    const order = makeOrder({ deliveryDelay: 3000 });
    await publishOrder(stack.info, order);
    await waitForOrder(stack.info, order.id, (v) => v.status === "SCHEDULED", 30_000);
    const endpoint = stack.process("endpoint");
    await endpoint.kill();
    expect(endpoint.running).toBe(false);
    await new Promise((r) => setTimeout(r, 1500));
    await endpoint.start();
    const { final } = await waitForOrder(stack.info, order.id, undefined, 90_000);
    expect(final.status).toBe("DELIVERED");
    expect(statusesOf(final)).toEqual(DELIVERED_TIMELINE);
    expect((await ledger(stack.info, order.id)).filter((e) => e.kind === "charge")).toMatchObject([
      { status: "succeeded" },
    ]);
  });

  it("loses, duplicates and double-charges nothing while every component is killed under load", async () => {
    const report = await runChaosOn(stack, {
      durationS: 20,
      // The in-suite run stays well under what 2 cores sustain (~17 orders/s, docs/benchmark.md) so
      // its backlog drains in bounded time; `npm run chaos` runs longer, at 10 orders/s by default.
      rate: 8,
      regions: ["amsterdam", "berlin", "paris"],
      driversPerRegion: 30,
      drainTimeoutMs: 420_000,
      log: (s) => console.log(s),
    });
    console.log(formatReport(report));
    expect(report.orders).toBeGreaterThan(100);
    expect(report.faults.map((f) => f.fault)).toHaveLength(4);
    // Within capacity, orders flow again after every kill (a null would mean a probe stuck behind a backlog).
    expect(report.faults.filter((f) => f.recoveryMs === null)).toEqual([]);
    // Restate's Kafka consumers rejoin their group within their 10 s session timeout (contracts'
    // CONSUMER_OPTIONS), not librdkafka's 45 s, which held ingestion for ~45 s after the kill.
    expect(report.faults.find((f) => f.fault === "restate-server")!.recoveryMs).toBeLessThan(30_000);
    expect(report.problems).toEqual([]);
    expect({
      unfinished: report.unfinished,
      lost: report.lost,
      duplicates: report.duplicates,
      doubleCharges: report.doubleCharges,
    }).toEqual({ unfinished: 0, lost: 0, duplicates: 0, doubleCharges: 0 });
    expect(report.delivered).toBeGreaterThan(0);
    expect(report.delivered + report.rejected + report.cancelled).toBe(report.orders);
  }, 900_000);

  it("runs the simulated outside world at a lower CPU priority than the platform, also after its kills", () => {
    const niceness = Object.fromEntries([...stack.processes].map(([name, p]) => [name, os.getPriority(p.child!.pid!)]));
    const simulated = (name: string) =>
      ["payment", "restaurant", "provider"].includes(name) || name.startsWith("drivers-");
    expect(Object.keys(niceness).filter(simulated)).toHaveLength(6);
    for (const [name, nice] of Object.entries(niceness))
      expect({ name, nice }).toEqual({ name, nice: simulated(name) ? SIMULATOR_NICE : 0 });
  });

  it("under supervision, as npm start runs it, restarts restate-server and the endpoint after kill -9, and orders finish", async () => {
    const lines: string[] = [];
    const supervisor = stack.supervise((l) => lines.push(l), { initialBackoffMs: 500 });
    for (const name of ["restate", "endpoint"]) {
      const p = stack.process(name);
      const pid = p.child!.pid!;
      const order = makeOrder({ deliveryDelay: 2000 });
      await publishOrder(stack.info, order);
      await waitForOrder(stack.info, order.id, (v) => v.status === "SCHEDULED", 60_000);
      // From outside, as the OOM killer or a stray kill -9 would: not through stop() or kill().
      process.kill(pid, "SIGKILL");
      await expect
        .poll(() => lines.some((l) => l.startsWith(`! ${name} killed by SIGKILL`)), { timeout: 5000 })
        .toBe(true);
      await expect.poll(() => lines.some((l) => l.startsWith(`  ${name} is back`)), { timeout: 60_000 }).toBe(true);
      expect(p.running && p.child!.pid !== pid).toBe(true);
      const { final } = await waitForOrder(stack.info, order.id, undefined, 120_000);
      expect(statusesOf(final)).toEqual(DELIVERED_TIMELINE);
      expect((await ledger(stack.info, order.id)).filter((e) => e.kind === "charge")).toHaveLength(1);
    }
    expect(Object.fromEntries(supervisor.restarts)).toEqual({ restate: 1, endpoint: 1 });
  }, 300_000);
});
