import { CATALOG } from "@food-ordering/contracts";
import {
  createLogger,
  createPublisher,
  createRegistry,
  guardProcess,
  listen,
  onShutdown,
  startMetricsServer,
  Gauge,
  METRIC_PREFIX,
} from "@food-ordering/kit";
import { webuiConfig } from "./config.ts";
import { createWebuiApp } from "./app.ts";
import { restateBackend } from "./restate.ts";
import { DEFAULT_STREAM_OPTIONS, orderStreams } from "./sse.ts";

/** The web UI process: the built shop and its API on PORT, metrics on METRICS_PORT. */
const config = webuiConfig.load();
const log = createLogger("webui", config);
guardProcess(log);

const unknownRegions = config.REGIONS.filter((r) => !CATALOG.some((c) => c.id === r));
if (unknownRegions.length)
  log.warn(
    { unknownRegions },
    "regions without a catalog entry: their fleet is shown, but they have no restaurants to order from",
  );

const registry = createRegistry("webui");
const publisher = await createPublisher({ brokers: config.KAFKA_BROKERS, clientId: "webui", log, registry });
const backend = restateBackend(config.RESTATE_INGRESS_URL);
const streams = orderStreams((id) => backend.orderStatus(id), log, {
  ...DEFAULT_STREAM_OPTIONS,
  pollMs: config.ORDER_POLL_INTERVAL,
  maxStreams: config.MAX_LIVE_STREAMS,
  maxStreamsPerClient: config.MAX_LIVE_STREAMS_PER_CLIENT,
});
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
  backend,
  streams,
  log,
  registry,
  staticDir: config.STATIC_DIR,
  trustProxy: config.TRUST_PROXY,
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
]);
