import fs from "node:fs";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { DNS_LABEL, type Catalog } from "@food-ordering/contracts";
import { Stack, REPO_ROOT, STACK_DEFAULTS, regionsWithoutCatalog, type RegionSpec } from "./stack.ts";
import { loadCatalogFile } from "./catalog-file.ts";
import { stackSecretFile } from "./request-identity.ts";
import { ensureWebuiBuilt } from "./webui.ts";
import { ensureSystemPackages } from "./system.ts";
import { ensureJaeger } from "./jaeger.ts";

/** `npm start`: the whole platform on this machine, until Ctrl-C. */
const num = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a non-negative number`);
  return n;
};
const regionList = (v: string): RegionSpec[] =>
  v.split(",").map((part) => {
    const [name, drivers = "5"] = part.split(":");
    if (!name || !DNS_LABEL.test(name))
      throw new InvalidArgumentError(`region "${name}" must be a DNS-1123 label (lowercase letters, digits, '-')`);
    const n = Number(drivers);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`driver count for ${name} must be a positive integer`);
    return { name, drivers: n };
  });

const program = new Command("npm start --")
  .description("Start Kafka, Restate and every process of the platform locally.")
  .option(
    "--regions <list>",
    "regions and their driver counts, e.g. amsterdam:5,berlin:3 (each built in or in --catalog)",
    regionList,
    regionList("amsterdam:5,berlin:5"),
  )
  .option(
    "--catalog <file>",
    "a catalog file (YAML/JSON, `regions: [...]`): its regions are put into the live catalog after registration",
    (file: string) => {
      try {
        return loadCatalogFile(file);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message);
      }
    },
  )
  .option("--rate <orders/s>", "order provider rate", num("rate"), STACK_DEFAULTS.providerRate)
  .option("--time-scale <x>", "simulated seconds per real second", num("time scale"), STACK_DEFAULTS.timeScale)
  .option("--tick-ms <ms>", "driver movement tick", num("tick"), STACK_DEFAULTS.tickMs)
  .option(
    "--kafka <brokers>",
    "use an existing Kafka cluster (comma separated) instead of starting one",
    process.env.KAFKA_BROKERS,
  )
  .option("--data-dir <dir>", "where data and logs go", path.join(REPO_ROOT, ".data/local"))
  .option("--fresh", "delete the data directory first")
  .option(
    "--prometheus-port <port>",
    "port of the local Prometheus (env PROMETHEUS_PORT)",
    num("prometheus port"),
    Number(process.env.PROMETHEUS_PORT ?? 9090),
  )
  .option("--no-tracing", "run without distributed tracing (no Jaeger, no spans exported)")
  .parse();
const o = program.opts<{
  tracing: boolean;
  regions: RegionSpec[];
  catalog?: Catalog;
  rate: number;
  timeScale: number;
  tickMs: number;
  kafka?: string;
  dataDir: string;
  fresh?: boolean;
  prometheusPort: number;
}>();

/**
 * Tracing is on when Jaeger can run: it is built from its Go module once (minutes); without Go
 * the stack runs untraced and says why.
 */
function optionalTracing(say: (s: string) => void): boolean {
  if (!o.tracing) return false;
  try {
    ensureJaeger(say);
    return true;
  } catch (e) {
    say(`Tracing is off: Jaeger could not be built (${(e as Error).message}). Everything else starts.`);
    return false;
  }
}

/**
 * Prometheus only watches the platform: without it (not root, no package) the stack runs anyway
 * and says how to get the dashboards' backend.
 */
function optionalPrometheus(say: (s: string) => void): boolean {
  try {
    ensureSystemPackages(["prometheus"], say);
    return true;
  } catch (e) {
    say(
      `Prometheus will not run: ${(e as Error).message}. Everything else starts; install it and restart for metrics and alerts.`,
    );
    return false;
  }
}

const uncatalogued = regionsWithoutCatalog(
  o.regions.map((r) => r.name),
  o.catalog,
);
if (uncatalogued.length)
  program.error(`no catalog entry for region(s) ${uncatalogued.join(", ")}: add them with --catalog <file>`);
if (o.fresh) fs.rmSync(o.dataDir, { recursive: true, force: true });
const t0 = Date.now();
const say = (s: string) => console.log(s);
try {
  // Required: the JDK runs the broker, Maven resolves its jars (unless an existing Kafka is used).
  if (!o.kafka) ensureSystemPackages(["java", "mvn"], say);
  const prometheus = optionalPrometheus(say);
  const tracing = optionalTracing(say);
  await ensureWebuiBuilt(say);
  say("Starting the food-ordering platform...");
  const stack = await Stack.start({
    dataDir: o.dataDir,
    regions: o.regions,
    catalog: o.catalog,
    providerRate: o.rate,
    timeScale: o.timeScale,
    tickMs: o.tickMs,
    kafkaBrokers: o.kafka?.split(",").map((s) => s.trim()),
    prometheus,
    prometheusPort: o.prometheusPort,
    tracing,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "info" },
    log: say,
  });
  stack.supervise(say);
  const i = stack.info;
  const jaegerLine = i.jaegerUrl
    ? `${i.jaegerUrl}/api/v3/traces/<traceId>   (an order's traceId: npm run inspect -- order <id>)`
    : "not running (see above)";
  const operatorToken = `$(cat ${stackSecretFile(i.dataDir, "operator-token")})`;
  const operatorCurl = `curl -H "Authorization: Bearer ${operatorToken}" ${i.webuiUrl}/api/fleet/${o.regions[0]!.name}`;
  say(`
Ready in ${((Date.now() - t0) / 1000).toFixed(1)} s.

  Web UI (the shop)     ${i.webuiUrl}
  Restate UI            ${i.adminUrl}/ui/
  Restate ingress       ${i.ingressUrl}
  Restate admin         ${i.adminUrl}
  Kafka                 ${i.kafkaBrokers.join(",")}
  Prometheus            ${i.prometheusUrl ? `${i.prometheusUrl}   (alerts: ${i.prometheusUrl}/alerts)` : "not running (see above)"}
  Jaeger (traces API)   ${jaegerLine}
  Order provider        ${i.providerUrl}/rate   (PUT {"rate": 2} to change the load)
  Operator fleet view   ${operatorCurl}
  Logs                  ${i.logDir}/

Regions: ${o.regions.map((r) => `${r.name} (${r.drivers} drivers)`).join(", ")}; ${o.rate} orders/s; time scale ${o.timeScale}x.
Watch an order:  npm run inspect -- orders
A process that dies is reported here and restarted. Press Ctrl-C to stop.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say("\nStopping...");
    await stack.stop();
    say("Stopped. Data kept in " + o.dataDir + " (npm start -- --fresh to start empty).");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
} catch (e) {
  console.error(`\nnpm start failed: ${(e as Error).message}`);
  process.exit(1);
}
