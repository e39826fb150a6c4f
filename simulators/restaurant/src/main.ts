import {
  createLogger,
  createRegistry,
  startMetricsServer,
  listen,
  onShutdown,
  guardProcess,
  startTracing,
  Histogram,
  DURATION_BUCKETS,
  METRIC_PREFIX,
} from "@food-ordering/kit";
import { restaurantConfig } from "./config.ts";
import { Kitchen } from "./kitchen.ts";
import { createRestaurantApp } from "./server.ts";

/** The restaurants' point-of-sale simulator. */
const config = restaurantConfig.load();
const log = createLogger("restaurant", config);
guardProcess(log);
const tracing = await startTracing(config, "restaurant", log);
const registry = createRegistry("restaurant");
const prepTime = new Histogram({
  name: `${METRIC_PREFIX}restaurant_preparation_seconds`,
  help: "Real preparation time of an order, by restaurant.",
  labelNames: ["restaurant"],
  buckets: DURATION_BUCKETS,
  registers: [registry],
});
const kitchen = new Kitchen({
  ingressUrl: config.RESTATE_INGRESS_URL,
  prepTimeMs: (config.PREP_TIME_MIN * 60_000) / config.TIME_SCALE,
  posSigningKey: config.POS_SIGNING_KEY,
  log,
  tracing,
  onDone: (_orderId, restaurant, ms) => prepTime.observe({ restaurant }, ms / 1000),
});
const server = await listen(
  createRestaurantApp({ kitchen, token: config.POS_TOKEN, registry, log }),
  config.PORT,
  config.BIND_HOST,
);
const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
log.info(
  { port: config.PORT, prepTimeMs: (config.PREP_TIME_MIN * 60_000) / config.TIME_SCALE },
  "restaurant POS listening",
);
onShutdown(log, [() => metricsServer?.close(), () => server.close(), () => tracing.shutdown()]);
