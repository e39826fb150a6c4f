import http2 from "node:http2";
import {
  createLogger,
  createPublisher,
  startMetricsServer,
  startTracing,
  onShutdown,
  guardProcess,
} from "@food-ordering/kit";
import { endpointConfig } from "./config.ts";

/** The service endpoint: every durable service of the platform, served to Restate over HTTP/2. */
const config = endpointConfig.load();
// The SDK reads its log level once, when it is loaded: set it first, then load the services.
process.env.RESTATE_LOGGING = config.RESTATE_LOGGING;
const restate = await import("@restatedev/restate-sdk");
const { registry } = await import("./metrics.ts");
const { durableServices } = await import("./app.ts");
const { orderUpdates, DEFAULT_ORDER_UPDATES_OPTIONS } = await import("./order/order-updates.ts");
const { tracingHooks } = await import("./tracing-hooks.ts");
const { startLeaseWatcher } = await import("./delivery/lease-watcher.ts");
const log = createLogger("endpoint", config);
guardProcess(log);
const tracing = await startTracing(config, "endpoint", log);

// Order view changes for the web UI's live tracking. The producer connects on the first publish,
// so the endpoint serves (and orders proceed) while Kafka is away; a short linger merges the
// publishes of concurrent handlers into one request.
const publisher = await createPublisher({
  brokers: config.KAFKA_BROKERS,
  clientId: "endpoint",
  log,
  registry,
  lingerMs: 2,
});
const services = durableServices(config, {
  tracing,
  orderUpdates: orderUpdates(publisher, {
    ...DEFAULT_ORDER_UPDATES_OPTIONS,
    onFailure: (err) =>
      log.warn({ err: (err as Error).message }, "publishing an order update failed; pausing publishes"),
  }),
});

// A delivering driver's lease: its twin hears only when the driver's GPS fixes stop.
const leaseWatcher = startLeaseWatcher({
  brokers: config.KAFKA_BROKERS,
  leaseMs: config.DRIVER_LEASE_MS,
  publisher,
  log,
  registry,
});

// Only requests restate-server signed get through (401 otherwise) when keys are configured.
const identityKeys = config.RESTATE_IDENTITY_KEYS.length ? config.RESTATE_IDENTITY_KEYS : undefined;
if (!config.POS_SIGNING_KEY) log.warn("POS_SIGNING_KEY is empty: preparation-done callbacks are not checked");
if (!config.ORDER_SIGNING_KEY)
  log.warn("ORDER_SIGNING_KEY is empty: order events are not checked for a producer's signature");
if (!config.DRIVER_ENROLLMENT_KEY) log.warn("DRIVER_ENROLLMENT_KEY is empty: anyone may go on shift as any driver");
if (!identityKeys) log.warn("RESTATE_IDENTITY_KEYS is empty: the endpoint accepts unsigned requests");
const handler = restate.createEndpointHandler({
  identityKeys,
  services,
  defaultServiceOptions: {
    journalRetention: config.JOURNAL_RETENTION,
    // Waiting invocations give their slot back soon (see INACTIVITY_TIMEOUT in config.ts).
    inactivityTimeout: config.INACTIVITY_TIMEOUT,
    hooks: await tracingHooks(tracing),
  },
});
const server = http2.createServer(handler);
server.listen(config.PORT, config.BIND_HOST, () =>
  log.info({ port: config.PORT, services: services.map((s) => s.name) }, "service endpoint listening"),
);
const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);

// Restate keeps HTTP/2 sessions open; exit promptly instead of waiting for them to drain.
onShutdown(
  log,
  [
    () => metricsServer?.close(),
    () => server.close(),
    () => leaseWatcher.stop(),
    () => publisher.disconnect(),
    () => tracing.shutdown(),
  ],
  2000,
);
