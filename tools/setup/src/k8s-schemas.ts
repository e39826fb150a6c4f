import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { ToolInstallError } from "@food-ordering/cluster";
import { REPO_ROOT } from "@food-ordering/stack";

/**
 * The Kubernetes JSON schemas the chart tests validate against, for one pinned Kubernetes
 * version, in "strict" form (unknown fields rejected). They come from the PyPI package
 * kubernetes-validate, which bundles them per Kubernetes version; only its wheel is fetched
 * (with pip, checked against a pinned sha256), nothing of it is run.
 *
 *   node tools/setup/src/k8s-schemas.ts   # prints the schema directory
 */
export const KUBERNETES_VERSION = "1.34.0";
const WHEEL = {
  requirement: "kubernetes-validate==1.34.1",
  file: "kubernetes_validate-1.34.1-py3-none-any.whl",
  sha256: "6ad909e64c140d883f558949364aeca49637580ae88a9a00b59688ab44aae88d",
};
const SCHEMA_SET = `v${KUBERNETES_VERSION}-local-strict`;
export const SCHEMA_DIR = join(REPO_ROOT, ".cache", "k8s-json-schema", SCHEMA_SET);

export function installKubernetesSchemas(dir = SCHEMA_DIR): string {
  if (existsSync(join(dir, "_definitions.json"))) return dir;
  const download = mkdtempSync(join(tmpdir(), "k8s-schemas-"));
  try {
    try {
      execFileSync(
        "python3",
        [
          "-m",
          "pip",
          "download",
          "--no-deps",
          "--only-binary=:all:",
          "--disable-pip-version-check",
          "-q",
          "-d",
          download,
          WHEEL.requirement,
        ],
        {
          stdio: ["ignore", "ignore", "pipe"],
          timeout: 300_000,
        },
      );
    } catch (e) {
      throw new ToolInstallError(
        `could not download ${WHEEL.requirement} with pip (python3 -m pip): ${(e as { stderr?: Buffer }).stderr?.toString().trim() ?? e}`,
      );
    }
    const wheel = readFileSync(join(download, WHEEL.file));
    const digest = createHash("sha256").update(wheel).digest("hex");
    if (digest !== WHEEL.sha256)
      throw new ToolInstallError(`${WHEEL.file} has sha256 ${digest}, expected ${WHEEL.sha256}`);
    const prefix = `kubernetes_validate/kubernetes-json-schema/${SCHEMA_SET}/`;
    const files = unzipSync(wheel, { filter: (f) => f.name.startsWith(prefix) && f.name.endsWith(".json") });
    // Unpack next to the target and rename, so a half-unpacked directory is never used.
    const staging = `${dir}.${process.pid}.tmp`;
    mkdirSync(staging, { recursive: true });
    for (const [name, data] of Object.entries(files)) writeFileSync(join(staging, name.slice(prefix.length)), data);
    if (!existsSync(join(staging, "_definitions.json")))
      throw new ToolInstallError(`${WHEEL.file} has no ${prefix}_definitions.json`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    return dir;
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
}

/** The schema file kubernetes-validate names for an object: <kind>-<group prefix>-<version>.json. */
export function schemaFileFor(apiVersion: string, kind: string): string {
  return `${kind.toLowerCase()}-${apiVersion.replace(/^([^./]*)(?:\.[^/]*)?\//, "$1-")}.json`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(installKubernetesSchemas());
}
