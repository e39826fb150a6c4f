import path from "node:path";
import { spawnSync } from "node:child_process";
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

/** kube-apiserver for the registrar's Kubernetes tests, built once from Go modules (cached). */
export function ensureKubeApiserver(say: (s: string) => void = console.log): void {
  const root = path.resolve(import.meta.dirname, "../../..");
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status !== 0)
    throw new Error("building kube-apiserver for the registrar's Kubernetes tests needs Go on the PATH");
  say("Ensuring kube-apiserver (built from Go modules once; ~15 min on a fresh machine)...");
  const r = spawnSync(process.execPath, [path.join(root, "services/registrar/test/kube/build-apiserver.ts")], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) throw new Error("building kube-apiserver failed (see above)");
}

if (import.meta.main) {
  await setupAll().catch((e: Error) => {
    console.error(`setup failed: ${e.message}`);
    process.exit(1);
  });
}
