import fs from "node:fs";
import {
  CatalogCache,
  DEFAULT_CATALOG,
  TOPICS,
  newSecret,
  secretHash,
  signingOrderEvents,
} from "@food-ordering/contracts";
import {
  createLogger,
  createRegistry,
  startMetricsServer,
  listen,
  onShutdown,
  guardProcess,
  createPublisher,
  publishTraced,
  startTracing,
  Counter,
  METRIC_PREFIX,
} from "@food-ordering/kit";
import { providerConfig } from "./config.ts";
import { randomOrder } from "./orders.ts";
import { Pacer } from "./pacer.ts";
import { createControlApp } from "./server.ts";

/** The order provider: a third-party food-ordering platform publishing orders to Kafka. */
const config = providerConfig.load();
const log = createLogger("provider", config);
guardProcess(log);
const tracing = await startTracing(config, "provider", log);
const registry = createRegistry("provider");
const published = new Counter({
  name: `${METRIC_PREFIX}provider_orders_published_total`,
  help: "Orders published by the provider, by region.",
  labelNames: ["region"],
  registers: [registry],
});
const failed = new Counter({
  name: `${METRIC_PREFIX}provider_orders_failed_total`,
  help: "Orders the provider could not publish (dropped, not retried).",
  registers: [registry],
});
const stats = { published: 0, failed: 0 };

const publisher = await createPublisher({
  brokers: config.KAFKA_BROKERS,
  clientId: `provider-${config.ORDER_ID_PREFIX}`,
  log,
  registry,
  encodeValue: signingOrderEvents(config.ORDER_SIGNING_KEY, (m) => log.warn(m)),
});
// The live catalog, re-read every few seconds: orders go to restaurants and prices as they are now.
const catalog = new CatalogCache(config.RESTATE_INGRESS_URL, 5000, DEFAULT_CATALOG, (err) =>
  log.warn({ err: err.message }, "reading the catalog failed; ordering from the last copy"),
);
const pacer = new Pacer(config.RATE, async (n) => {
  const regions = (await catalog.get()).regions.filter(
    (r) => config.REGIONS.includes(r.id) && r.restaurants.length > 0,
  );
  if (regions.length === 0) {
    log.warn({ regions: config.REGIONS }, "none of the regions has restaurants in the catalog: no orders published");
    return;
  }
  // Like the shop, the provider hands each customer a cancel capability; the event carries its hash.
  const capabilities = Array.from({ length: n }, () => newSecret());
  const orders = capabilities.map((capability) => ({
    ...randomOrder({
      regions,
      idPrefix: config.ORDER_ID_PREFIX,
      maxDeliveryDelayMs: config.MAX_DELIVERY_DELAY_MS,
      declinedFraction: config.DECLINED_FRACTION,
    }),
    cancelCapabilityHash: secretHash(capability),
  }));
  try {
    await publishTraced(
      tracing,
      publisher,
      TOPICS.orders,
      orders.map((o) => ({
        key: o.id,
        value: o,
        attributes: { "order.id": o.id, "order.region": o.region },
        contextInValue: true,
      })),
    );
    stats.published += n;
    if (config.PUBLISHED_LOG_FILE)
      fs.appendFileSync(config.PUBLISHED_LOG_FILE, orders.map((o, i) => `${o.id} ${capabilities[i]}\n`).join(""));
    for (const o of orders) published.inc({ region: o.region });
    log.debug({ n }, "orders published");
  } catch (err) {
    stats.failed += n;
    failed.inc(n);
    log.warn({ err: (err as Error).message, n }, "publishing orders failed");
  }
});
pacer.start();
const server = await listen(
  createControlApp({ pacer, stats: () => ({ ...stats, rate: pacer.currentRate }), registry, log }),
  config.PORT,
  config.BIND_HOST,
);
const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
log.info({ port: config.PORT, rate: config.RATE, regions: config.REGIONS }, "order provider running");
onShutdown(log, [
  () => pacer.stop(),
  () => server.close(),
  () => metricsServer?.close(),
  () => publisher.disconnect(),
  () => tracing.shutdown(),
]);
