import { CatalogCache, DEFAULT_CATALOG, signingOrderEvents } from "@food-ordering/contracts";
import {
  createLogger,
  createPublisher,
  createRegistry,
  guardProcess,
  listen,
  onShutdown,
  startMetricsServer,
  startTracing,
  Counter,
  Gauge,
  METRIC_PREFIX,
} from "@food-ordering/kit";
import { webuiConfig } from "./config.ts";
import { createWebuiApp } from "./app.ts";
import { restateBackend } from "./restate.ts";
import { DEFAULT_STREAM_OPTIONS, orderStreams } from "./sse.ts";
import { jaegerTraces } from "./traces.ts";
import { LiveState } from "./live-state.ts";
import { startLiveUpdates } from "./live-updates.ts";

/** The web UI process: the built shop and its API on PORT, metrics on METRICS_PORT. */
const config = webuiConfig.load();
const log = createLogger("webui", config);
guardProcess(log);

// The live catalog (durable in Restate), re-read every few seconds: a new region or restaurant
// shows without a restart; the built-in data set serves until the first read.
const catalog = new CatalogCache(config.RESTATE_INGRESS_URL, 3000, DEFAULT_CATALOG, (err) =>
  log.warn({ err: err.message }, "reading the catalog failed; serving the last copy"),
);
void catalog.get().then(({ regions }) => {
  const unknownRegions = config.REGIONS.filter((r) => !regions.some((c) => c.id === r));
  if (unknownRegions.length)
    log.warn(
      { unknownRegions },
      "regions without a catalog entry: their fleet is shown, but they have no restaurants to order from",
    );
});

const tracing = await startTracing(config, "webui", log);
const registry = createRegistry("webui");
const publisher = await createPublisher({
  brokers: config.KAFKA_BROKERS,
  clientId: "webui",
  log,
  registry,
  encodeValue: signingOrderEvents(config.ORDER_SIGNING_KEY, (m) => log.warn(m)),
});
const backend = restateBackend(config.RESTATE_INGRESS_URL);
// Order changes and driver positions pushed from Kafka: a watching page reads Restate once.
const liveState = new LiveState({ drivers: config.MAX_TRACKED_DRIVERS, recentOrders: 1000 });
const liveUpdates = startLiveUpdates({
  brokers: config.KAFKA_BROKERS,
  clientId: "webui",
  log,
  registry,
  state: liveState,
});
const orderReads = new Counter({
  name: `${METRIC_PREFIX}webui_order_reads_total`,
  help: "Order status reads from Restate by live streams, by reason (open, resync, fallback, retry, confirm).",
  labelNames: ["reason"],
  registers: [registry],
});
const streams = orderStreams(
  (id) => backend.orderStatus(id),
  {
    state: liveState,
    get health() {
      return liveUpdates.health;
    },
  },
  log,
  {
    ...DEFAULT_STREAM_OPTIONS,
    pollMs: config.ORDER_POLL_INTERVAL,
    maxStreams: config.MAX_LIVE_STREAMS,
    maxStreamsPerClient: config.MAX_LIVE_STREAMS_PER_CLIENT,
  },
  (reason) => orderReads.inc({ reason }),
);
new Gauge({
  name: `${METRIC_PREFIX}webui_live_streams`,
  help: "Live order-update streams open now.",
  registers: [registry],
  collect() {
    this.set(streams.active);
  },
});

const app = createWebuiApp({
  regions: config.REGIONS,
  publisher,
  tracing,
  backend,
  streams,
  driverPosition: (driverId) => liveState.position(driverId),
  log,
  registry,
  staticDir: config.STATIC_DIR,
  trustProxy: config.TRUST_PROXY,
  operatorToken: config.OPERATOR_TOKEN,
  traces: jaegerTraces(config.JAEGER_QUERY_URL, config.JAEGER_UI_URL, log),
  catalog,
});
const server = await listen(app, config.PORT, config.BIND_HOST);
const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
log.info(
  { port: config.PORT, regions: config.REGIONS, staticDir: config.STATIC_DIR },
  `web UI listening on http://127.0.0.1:${config.PORT}/`,
);

onShutdown(log, [
  // Open event streams would hold close() forever: end them with the server.
  () => server.closeAllConnections(),
  () => new Promise((r) => server.close(r)),
  () => metricsServer && new Promise((r) => metricsServer.close(r)),
  () => publisher.disconnect(),
  () => liveUpdates.stop(),
  () => tracing.shutdown(),
]);
