import path from "node:path";
import { ensureKubernetesBinaries } from "@food-ordering/cluster";
import { ensureKafkaJars, ensureSystemPackages, ensureWebuiBuilt } from "@food-ordering/stack";
import { ensureCrds } from "./crds.ts";

/** `npm run setup`: everything the stack and the tests need on this machine, installed once. */
export async function setupAll(say: (s: string) => void = console.log): Promise<void> {
  const root = path.resolve(import.meta.dirname, "../../..");
  ensureSystemPackages(undefined, say);
  await ensureKafkaJars(path.join(root, ".cache"));
  await ensureWebuiBuilt(say);
  ensureCrds(say); // the chart tests' CRD schemas, generated before vitest starts
}

/**
 * kube-apiserver for the registrar's Kubernetes tests, built once from Go modules (cached) by the
 * same builder as the local cluster's components, so they share one Go build cache.
 */
export function ensureKubeApiserver(say: (s: string) => void = console.log): void {
  say("Ensuring kube-apiserver (built from Go modules once; ~15 min on a fresh machine)...");
  ensureKubernetesBinaries(["kube-apiserver"], say);
}

if (import.meta.main) {
  await setupAll().catch((e: Error) => {
    console.error(`setup failed: ${e.message}`);
    process.exit(1);
  });
}
