import fs from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { REGION_IDS } from "@food-ordering/contracts";
import { DEFAULT_DRAIN_MS, formatReport, runChaosOn, startChaosStack } from "./run.ts";

/** `npm run chaos -- --duration <s>`: exits non-zero when an order was left unfinished, lost, duplicated or double-charged. */
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number");
  return n;
};
const o = new Command("npm run chaos --")
  .option("--duration <s>", "seconds of load with faults", positive, 120)
  // Below what a 2-core laptop sustains (~18/s, npm run bench), so a recovery time measures the
  // recovery rather than the backlog; raise it to see how the platform catches up from overload.
  .option("--rate <orders/s>", "order provider rate", positive, 10)
  .option("--regions <list>", "regions", (v) => v.split(","), ["amsterdam", "berlin", "paris"])
  .option("--drivers <n>", "drivers per region", positive, 25)
  .option(
    "--drain <s>",
    "seconds to wait for the last orders to finish after the load",
    positive,
    DEFAULT_DRAIN_MS / 1000,
  )
  .option("--keep", "keep the run's data directory (logs, Restate and Kafka data) also when it passes")
  .parse()
  .opts<{ duration: number; rate: number; regions: string[]; drivers: number; drain: number; keep?: boolean }>();
const unknown = o.regions.filter((r) => !REGION_IDS.includes(r));
if (unknown.length) {
  console.error(`unknown regions: ${unknown.join(", ")}`);
  process.exit(2);
}
const options = {
  durationS: o.duration,
  rate: o.rate,
  regions: o.regions,
  driversPerRegion: o.drivers,
  drainTimeoutMs: o.drain * 1000,
  log: (s: string) => console.log(s),
};
const stack = await startChaosStack(options);
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= stack.stop());
// Ctrl-C stops the run's own stack (Kafka's JVM included) instead of leaving it behind.
process.once("SIGINT", () => {
  console.log("chaos: interrupted; stopping the stack");
  void stop().then(() => process.exit(130));
});
let report;
try {
  report = await runChaosOn(stack, options);
} finally {
  await stop();
}
console.log(formatReport(report));
const failed = !!(
  report.unfinished ||
  report.lost ||
  report.duplicates ||
  report.doubleCharges ||
  report.problems.length
);
// A failed run keeps its logs and state for inspection; a passed one frees the disk (~0.4 GB).
if (failed || o.keep) console.log(`data kept in ${stack.info.dataDir}`);
else fs.rmSync(stack.info.dataDir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
