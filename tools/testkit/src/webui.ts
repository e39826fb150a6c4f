import path from "node:path";
import { ManagedProcess, REPO_ROOT, httpOk } from "@food-ordering/stack";

/**
 * A web UI process of a test's own (its own ports, wired by `env` to the dependencies the test
 * chooses: a broker it stops, a Jaeger it feeds), beside the shared stack's. Ready when /healthz answers.
 */
export function webuiProcess(opts: {
  name: string;
  port: number;
  metricsPort: number;
  logDir: string;
  env: Record<string, string>;
}): ManagedProcess {
  return new ManagedProcess({
    name: opts.name,
    command: process.execPath,
    args: [path.join(REPO_ROOT, "webui/server/main.ts")],
    cwd: REPO_ROOT,
    env: {
      PORT: String(opts.port),
      METRICS_PORT: String(opts.metricsPort),
      BIND_HOST: "127.0.0.1",
      STATIC_DIR: path.join(REPO_ROOT, "webui/dist"),
      ...opts.env,
    },
    logDir: opts.logDir,
    ready: () => httpOk(`http://127.0.0.1:${opts.port}/healthz`),
    ports: [opts.port, opts.metricsPort],
  });
}
