import http2 from "node:http2";
import { createLogger, startMetricsServer, onShutdown, guardProcess } from "@food-ordering/kit";
import { endpointConfig } from "./config.ts";

/** The service endpoint: every durable service of the platform, served to Restate over HTTP/2. */
const config = endpointConfig.load();
// The SDK reads its log level once, when it is loaded: set it first, then load the services.
process.env.RESTATE_LOGGING = config.RESTATE_LOGGING;
const restate = await import("@restatedev/restate-sdk");
const { registry } = await import("./metrics.ts");
const { paymentClient } = await import("./clients/payment.ts");
const { restaurantClient } = await import("./clients/restaurant.ts");
const { createOrderWorkflow } = await import("./order-workflow.ts");
const { orderStatusObject } = await import("./order-status.ts");
const { deliveryManagerObject } = await import("./delivery-manager.ts");
const { matcherObject } = await import("./driver-delivery-matcher.ts");
const { createDriverDigitalTwin } = await import("./driver-digital-twin.ts");
const log = createLogger("endpoint", config);
guardProcess(log);

const services = [
  createOrderWorkflow({
    payment: paymentClient(config.PAYMENT_URL, config.HTTP_TIMEOUT_MS),
    restaurant: restaurantClient(config.RESTAURANT_URL, config.HTTP_TIMEOUT_MS, config.RESTAURANT_TOKEN),
    workflowRetention: config.ORDER_RETENTION,
    journalRetention: config.JOURNAL_RETENTION,
  }),
  orderStatusObject,
  deliveryManagerObject,
  matcherObject,
  createDriverDigitalTwin({ leaseMs: config.DRIVER_LEASE_MS, etaUpdateIntervalMs: config.ETA_UPDATE_INTERVAL_MS }),
];

const handler = restate.createEndpointHandler({ services, defaultServiceOptions: { journalRetention: config.JOURNAL_RETENTION } });
const server = http2.createServer(handler);
server.listen(config.PORT, config.BIND_HOST, () => log.info({ port: config.PORT, services: services.map((s) => s.name) }, "service endpoint listening"));
const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);

// Restate keeps HTTP/2 sessions open; exit promptly instead of waiting for them to drain.
onShutdown(log, [() => metricsServer?.close(), () => server.close()], 2000);
