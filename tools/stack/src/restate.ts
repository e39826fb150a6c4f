import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { ManagedProcess, httpOk } from "./process.ts";

export interface RestateOptions {
  dataDir: string;
  logDir: string;
  ingressPort: number;
  adminPort: number;
  nodePort: number;
  /** RocksDB memory budget; the default 2 GiB is more than a laptop stack needs. */
  rocksdbMemory?: string;
  partitions?: number;
  /** Where the node keeps its log (see below); default "local". */
  loglet?: "local" | "replicated";
  /** PEM file of the Ed25519 key Restate signs its requests to endpoints with (request identity). */
  requestIdentityKeyFile?: string;
  /** OTLP gRPC endpoint (http://host:4317) Restate exports its spans to; none = no tracing. */
  tracingEndpoint?: string;
}

/** Path of the restate-server binary shipped by the npm package @restatedev/restate-server. */
export function restateServerBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@restatedev/restate-server/package.json");
  const bin = path.join(
    path.dirname(pkg),
    "..",
    `restate-server-${process.platform}-${process.arch === "x64" ? "x64" : process.arch}`,
    "bin",
    "restate-server",
  );
  if (!fs.existsSync(bin))
    throw new Error(
      `restate-server binary not found at ${bin}: run npm install (the platform package @restatedev/restate-server-${process.platform}-${process.arch} must be installed)`,
    );
  return bin;
}

/**
 * Partitions for a single local node: one per two cores. Each partition is a single-threaded
 * loop with its own log and write batches; on a laptop more of them only split the batches (on
 * 2 cores, 1 partition sustains 1.5-2x the orders of 8, `npm run bench -- --partitions N`).
 * Fixed when the node's data is first created.
 */
export const defaultPartitions = () => Math.max(1, Math.floor(os.availableParallelism() / 2));

/** A single-node restate-server on loopback with its data in `<dataDir>/restate`. */
export function createRestate(opts: RestateOptions): ManagedProcess {
  const base = path.join(opts.dataDir, "restate");
  fs.mkdirSync(base, { recursive: true });
  return new ManagedProcess({
    name: "restate",
    command: restateServerBinary(),
    args: ["--no-logo"],
    env: {
      RESTATE_BASE_DIR: base,
      // The invoker's spill queue (a directory per start, left behind when the server is killed)
      // lives with the node's data instead of in the system's temporary directory.
      RESTATE_WORKER__INVOKER__TMP_DIR: path.join(base, "invoker-tmp"),
      RESTATE_NODE_NAME: "local",
      RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${opts.ingressPort}`,
      RESTATE_INGRESS__ADVERTISED_INGRESS_ENDPOINT: `http://127.0.0.1:${opts.ingressPort}`,
      RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${opts.adminPort}`,
      RESTATE_ADMIN__ADVERTISED_ADMIN_ENDPOINT: `http://127.0.0.1:${opts.adminPort}`,
      RESTATE_BIND_ADDRESS: `127.0.0.1:${opts.nodePort}`,
      RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${opts.nodePort}`,
      RESTATE_DISABLE_TELEMETRY: "true",
      RESTATE_LOG_FORMAT: "json",
      RESTATE_ROCKSDB_TOTAL_MEMORY_SIZE: opts.rocksdbMemory ?? "512 MiB",
      RESTATE_DEFAULT_NUM_PARTITIONS: String(opts.partitions ?? defaultPartitions()),
      // One node keeps its log in its own RocksDB ("local" loglet) instead of the replicated
      // loglet's sequencer and log-server, which only pay off with several nodes: about 15% less
      // CPU per invocation here. Fixed when the node's data is first created; the chart's
      // cluster stays replicated.
      RESTATE_BIFROST__DEFAULT_PROVIDER: opts.loglet ?? "local",
      // Completed invocations are kept for inspection, but not for a day on a laptop.
      RESTATE_DEFAULT_JOURNAL_RETENTION: "1h",
      ...(opts.requestIdentityKeyFile
        ? { RESTATE_WORKER__INVOKER__REQUEST_IDENTITY_PRIVATE_KEY_PEM_FILE: opts.requestIdentityKeyFile }
        : {}),
      ...(opts.tracingEndpoint ? { RESTATE_TRACING_ENDPOINT: opts.tracingEndpoint } : {}),
    },
    logDir: opts.logDir,
    ports: [opts.ingressPort, opts.adminPort, opts.nodePort],
    readyTimeoutMs: 60_000,
    ready: async () =>
      (await httpOk(`http://127.0.0.1:${opts.adminPort}/health`)) &&
      (await httpOk(`http://127.0.0.1:${opts.ingressPort}/restate/health`)),
  });
}
