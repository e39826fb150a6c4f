import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { ensureGoProgram, type GoProgram } from "./go-build.ts";
import { ManagedProcess, httpOk } from "./process.ts";

/**
 * The local trace backend: Jaeger v2 all-in-one (an OpenTelemetry collector build) with memory
 * storage. restate-server and every Node process send it spans over OTLP; its query API answers
 * `/api/v3/traces/{id}` (and the v1 `/api/traces/{id}`). Built from its Go module once (cached):
 * the binary has no UI (its assets are built by npm and not in the module), the API only.
 */
export const JAEGER: GoProgram = {
  // Tag v1.76.0 is Jaeger 2.13 (the module path has no /v2).
  module: "github.com/jaegertracing/jaeger",
  version: "v1.76.0",
  pkg: "github.com/jaegertracing/jaeger/cmd/jaeger",
  ldflags: "-s",
  static: true,
};

/** The Jaeger binary, built from its module on first use (a few minutes; needs Go). */
export const ensureJaeger = (say?: (s: string) => void): string => ensureGoProgram("jaeger", JAEGER, say);

export interface JaegerPorts {
  /** OTLP gRPC receiver (restate-server's `tracing-endpoint`). */
  otlpGrpc: number;
  /** OTLP HTTP receiver (the Node processes' OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpHttp: number;
  /** Query API (HTTP). */
  query: number;
  queryGrpc: number;
  health: number;
}

/** The collector-style configuration: OTLP in, memory storage, the query extension on `query`. */
export function jaegerConfig(ports: JaegerPorts, maxTraces = 100_000): object {
  const at = (port: number) => `127.0.0.1:${port}`;
  return {
    service: {
      extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
      pipelines: {
        traces: { receivers: ["otlp"], processors: ["batch"], exporters: ["jaeger_storage_exporter"] },
      },
      // The collector's own metrics server would take port 8888 on every stack: none.
      telemetry: { metrics: { level: "none" }, logs: { level: "warn" } },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: at(ports.health) } },
      jaeger_query: {
        storage: { traces: "memstore" },
        http: { endpoint: at(ports.query) },
        grpc: { endpoint: at(ports.queryGrpc) },
      },
      jaeger_storage: { backends: { memstore: { memory: { max_traces: maxTraces } } } },
    },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: at(ports.otlpGrpc) }, http: { endpoint: at(ports.otlpHttp) } } },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: "memstore" } },
  };
}

export function createJaeger(opts: {
  binary: string;
  dataDir: string;
  logDir: string;
  ports: JaegerPorts;
}): ManagedProcess {
  const configFile = path.join(opts.dataDir, "jaeger.yaml");
  fs.mkdirSync(opts.dataDir, { recursive: true });
  fs.writeFileSync(configFile, YAML.stringify(jaegerConfig(opts.ports)));
  return new ManagedProcess({
    name: "jaeger",
    command: opts.binary,
    args: ["--config", configFile],
    logDir: opts.logDir,
    ports: Object.values(opts.ports),
    readyTimeoutMs: 30_000,
    ready: () => httpOk(`http://127.0.0.1:${opts.ports.query}/api/services`),
  });
}
