import * as clients from "@restatedev/restate-sdk-clients";
import { driverCredential } from "@food-ordering/contracts";
import {
  createLogger,
  createRegistry,
  startMetricsServer,
  onShutdown,
  guardProcess,
  createPublisher,
  startTracing,
  Gauge,
  Counter,
  METRIC_PREFIX,
} from "@food-ordering/kit";
import { driversConfig } from "./config.ts";
import { SimulatedDriver, type SimState } from "./driver.ts";
import { awaitCatalogRegion } from "./catalog-region.ts";

/** The driver simulator: DRIVER_COUNT driver apps of one region. */
const config = driversConfig.load();
const log = createLogger("drivers", config).child({ region: config.REGION });
guardProcess(log);
const registry = createRegistry("drivers");
// Serving (and so Ready) before the region is known: a chart's catalog reaches Restate only in
// the registrar's post-install hook, which `helm install --wait` runs after the pods are Ready.
const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
const tracing = await startTracing(config, "drivers", log);
const region = await awaitCatalogRegion(config.RESTATE_INGRESS_URL, config.REGION, log);

const byState = new Map<SimState, number>();
new Gauge({
  name: `${METRIC_PREFIX}sim_drivers`,
  help: "Simulated driver apps by what they are doing, by region.",
  labelNames: ["region", "state"],
  registers: [registry],
  collect() {
    for (const [state, n] of byState) this.set({ region: config.REGION, state }, n);
  },
});
const delivered = new Counter({
  name: `${METRIC_PREFIX}sim_deliveries_completed_total`,
  help: "Deliveries completed by simulated drivers, by region.",
  labelNames: ["region"],
  registers: [registry],
});

const publisher = await createPublisher({
  brokers: config.KAFKA_BROKERS,
  clientId: `drivers-${config.REGION}-${config.DRIVER_ID_PREFIX}`,
  log,
  registry,
  lingerMs: config.KAFKA_LINGER_MS,
});
const ingress = clients.connect({ url: config.RESTATE_INGRESS_URL });
const speedKmh = config.SPEED_KMH * config.TIME_SCALE;
const drivers = Array.from({ length: config.DRIVER_COUNT }, (_, n) => {
  const id = `${config.REGION}-${config.DRIVER_ID_PREFIX}-${n + 1}`;
  return new SimulatedDriver({
    id,
    // What the fleet would hand each driver's app at onboarding; this process plays them all.
    credential: driverCredential(config.DRIVER_ENROLLMENT_KEY ?? "", id),
    region: config.REGION,
    start: { x: Math.random() * region.sizeKm, y: Math.random() * region.sizeKm },
    stepKm: (speedKmh * config.TICK_MS) / 3_600_000,
    speedKmh,
    tickMs: config.TICK_MS,
    waitForWorkMs: config.WAIT_FOR_WORK_MS,
    reportRules: { etaChangeThresholdMs: config.ETA_CHANGE_THRESHOLD_MS },
    ingress,
    publisher,
    tracing,
    log,
    onState: (from, to) => {
      byState.set(from, (byState.get(from) ?? 1) - 1);
      byState.set(to, (byState.get(to) ?? 0) + 1);
    },
    onDelivered: () => delivered.inc({ region: config.REGION }),
  });
});
byState.set("STARTING", drivers.length);
for (const d of drivers) {
  d.run().catch((err) => log.error({ err, driverId: d.opts.id }, "driver stopped unexpectedly"));
}
log.info({ drivers: drivers.length, speedKmh, tickMs: config.TICK_MS }, "driver simulator running");
onShutdown(
  log,
  [
    () => drivers.forEach((d) => d.stop()),
    () => metricsServer?.close(),
    () => publisher.disconnect(),
    () => tracing.shutdown(),
  ],
  3000,
);
