import http from "node:http";
import { Registry, collectDefaultMetrics, Counter, Histogram, Gauge } from "prom-client";

export { Counter, Histogram, Gauge, Registry };

export const METRIC_PREFIX = "food_ordering_";

/** A registry per process, with Node's default metrics under the platform prefix. */
export function createRegistry(component: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  // Event-loop lag sampled every 50 ms (default 10 ms): a blocked loop still shows, and an idle
  // process stops waking up 100 times a second (~1% of a core each, times ten processes).
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX, eventLoopMonitoringPrecision: 50 });
  return registry;
}

/** Serves /metrics on its own port so scraping never competes with the process's API port. */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
): Promise<http.Server | undefined> {
  if (port === 0) return undefined;
  const server = http.createServer(async (req, res) => {
    if (req.url === "/metrics") {
      res.setHeader("content-type", registry.contentType);
      res.end(await registry.metrics());
    } else if (req.url === "/healthz") {
      res.end("ok");
    } else {
      res.statusCode = 404;
      res.end("not found");
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Latency buckets (seconds) from 5 ms to 5 min, for steps that range from a call to a delivery. */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
