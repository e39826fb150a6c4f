import fs from "node:fs";
import path from "node:path";
import type {} from "vitest";
import type { TestProject } from "vitest/node";
import {
  FAST_TIME_SCALE,
  Stack,
  REPO_ROOT,
  ensureWebuiBuilt,
  loadCatalogFile,
  type StackInfo,
} from "@food-ordering/stack";
import { E2E_CATALOG_FILE, E2E_EXTRA_REGION } from "./catalog.ts";

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/** The shared stack of the e2e project: started once, on free loopback ports, at the test time scale. */
export default async function setup(project: TestProject) {
  // STACK_WEBUI=0 leaves the web UI out, to iterate on the pipeline tests alone.
  const webui = process.env.STACK_WEBUI !== "0";
  if (webui) await ensureWebuiBuilt();
  const dataDir = path.join(REPO_ROOT, ".data", `test-${process.pid}`);
  const t = Date.now();
  const stack = await Stack.start({
    dataDir,
    freePorts: true,
    regions: [
      { name: "amsterdam", drivers: 4 },
      { name: "berlin", drivers: 4 },
      // Not built in: its catalog entry comes from a file, as an operator would add a city.
      { name: E2E_EXTRA_REGION, drivers: 2 },
    ],
    catalog: loadCatalogFile(E2E_CATALOG_FILE),
    timeScale: FAST_TIME_SCALE,
    tickMs: 200,
    providerRate: 0,
    webui,
    // Every process and restate-server export spans to the stack's Jaeger (built here from its Go
    // module on a fresh machine), so the tests read real orders' traces.
    tracing: true,
    env: { LOG_LEVEL: "info" },
    // Streams are pushed from Kafka; only while the web UI's consumer is joining (or Kafka is
    // away) do they read Restate instead, and at 600x every 500 ms rather than every 5 s.
    componentEnv: { webui: { ORDER_POLL_INTERVAL: "500ms" } },
  });
  console.log(`[stack] ready in ${Date.now() - t} ms; logs in ${stack.info.logDir}`);
  project.provide("stack", stack.info);
  return async () => {
    await stack.stop();
    if (!process.env.KEEP_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
