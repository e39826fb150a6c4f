import fs from "node:fs";
import { TOPICS } from "@food-ordering/contracts";
import {
  createLogger,
  createRegistry,
  startMetricsServer,
  listen,
  onShutdown,
  guardProcess,
  createPublisher,
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
});
const pacer = new Pacer(config.RATE, async (n) => {
  const orders = Array.from({ length: n }, () =>
    randomOrder({
      regions: config.REGIONS,
      idPrefix: config.ORDER_ID_PREFIX,
      maxDeliveryDelayMs: config.MAX_DELIVERY_DELAY_MS,
      declinedFraction: config.DECLINED_FRACTION,
    }),
  );
  try {
    await publisher.publish(
      TOPICS.orders,
      orders.map((o) => ({ key: o.id, value: o })),
    );
    stats.published += n;
    if (config.PUBLISHED_LOG_FILE)
      fs.appendFileSync(config.PUBLISHED_LOG_FILE, orders.map((o) => `${o.id}\n`).join(""));
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
onShutdown(log, [() => pacer.stop(), () => server.close(), () => metricsServer?.close(), () => publisher.disconnect()]);
