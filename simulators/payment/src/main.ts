import {
  createLogger,
  createRegistry,
  startMetricsServer,
  listen,
  onShutdown,
  guardProcess,
  startTracing,
} from "@food-ordering/kit";
import { paymentConfig } from "./config.ts";
import { Ledger } from "./ledger.ts";
import { createPaymentApp } from "./server.ts";

/** The payment provider stub: a third-party payment API that deduplicates on idempotency keys. */
const config = paymentConfig.load();
const log = createLogger("payment", config);
guardProcess(log);
const registry = createRegistry("payment");
const tracing = await startTracing(config, "payment", log);
const ledger = new Ledger({ file: config.LEDGER_FILE, declineRate: config.DECLINE_RATE });
const server = await listen(createPaymentApp(ledger, registry, log, tracing), config.PORT, config.BIND_HOST);
const metricsServer = await startMetricsServer(registry, config.METRICS_PORT, config.BIND_HOST);
log.info({ port: config.PORT, ledger: config.LEDGER_FILE ?? "(memory)" }, "payment provider listening");
onShutdown(log, [() => metricsServer?.close(), () => server.close(), () => tracing.shutdown()]);
