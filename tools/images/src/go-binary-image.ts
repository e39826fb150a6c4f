import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildImageArchive, ensureGoTool, GO_TOOLS, type GoTool } from "@food-ordering/cluster";
import { loadArchive } from "./archive.ts";
import { hashParts } from "./cache.ts";
import { qualify, type ImageRecipe } from "./recipe.ts";

/**
 * Stand-in for an image that holds one static Go program (prometheus-operator's operator and
 * config reloader, Prometheus): the program built from its Go module (tools/cluster's Go builds,
 * cached in ~/.cache/food-ordering), at the path and as the entry point of the official image.
 * Their busybox is left out: nothing runs a shell in them, and the manifests that run them set
 * the user (65534 for the operator, the Prometheus pod's 1000 for the others).
 *
 * The binary must report the tag's version; one that is not `stamped` (its release build sets
 * the version with linker flags the module build lacks, as Jaeger's) must name the module
 * version in its Go build information instead.
 */
export function goBinaryRecipe(
  name: string,
  tool: GoTool,
  at: string,
  group?: string,
  opts: { stamped?: boolean } = {},
): ImageRecipe {
  const spec = GO_TOOLS[tool];
  const version = name.split(":").pop()!.replace(/^v/, "");
  const stamped = opts.stamped ?? true;
  return {
    name,
    ref: qualify(name),
    how: `${spec.pkg}@${spec.version} built from its Go module (static) as ${at}, one layer`,
    needs: [],
    group,
    key: async () =>
      hashParts([
        ["tool", JSON.stringify(spec)],
        ["at", at],
        ["recipe", fs.readFileSync(import.meta.filename)],
      ]),
    build: async (say) => {
      const binary = ensureGoTool(tool, say);
      if (stamped) {
        // The version it was stamped with is the tag's (a module version can differ: Prometheus 3.13.1 is v0.313.1).
        const reported = spawnSync(binary, ["--version"], { encoding: "utf8" });
        if (!`${reported.stdout}${reported.stderr}`.includes(`version ${version} `))
          throw new Error(`${binary} is not version ${version}: ${reported.stdout.split("\n")[0]}`);
      } else if (!builtFrom(binary, spec.module, spec.version)) {
        throw new Error(`${binary} was not built from ${spec.module}@${spec.version}`);
      }
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "go-image-"));
      try {
        // tools/cluster's one-layer docker-archive (as for its pause image), then into the store.
        await loadArchive(buildImageArchive(qualify(name), [{ at, from: binary }], [at], path.join(work, "image.tar")));
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

/** Whether a Go binary's build information lists `module` at `version` (as `go version -m` prints it). */
function builtFrom(binary: string, module: string, version: string): boolean {
  return fs.readFileSync(binary).includes(`\t${module}\t${version}\t`);
}
