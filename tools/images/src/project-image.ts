import fs from "node:fs";
import path from "node:path";
import { buildContextFiles, hashFiles, hashParts } from "./cache.ts";
import { podman, RUN_FLAGS } from "./engine.ts";
import { REPO_ROOT } from "./paths.ts";
import { qualify, type ImageRecipe } from "./recipe.ts";

/**
 * The project image from the Dockerfile, unchanged, built by podman (buildah inside): BuildKit's
 * `RUN --mount=type=cache` and `--platform=$BUILDPLATFORM` are understood, the base image comes
 * from the local store (never pulled), and podman's layer cache keeps the `npm ci` layers while
 * only sources change.
 */
export function projectRecipe(name: string, base: ImageRecipe): ImageRecipe {
  return {
    name,
    ref: qualify(name),
    how: `podman build of the Dockerfile (FROM ${base.name}) with the build context's files as the cache key`,
    needs: [base.name],
    // The build context as Docker sends it (Dockerfile and lockfile included by git, even if
    // .dockerignore lists the Dockerfile) and the base image's own key.
    key: async () => {
      const files = [...new Set([...buildContextFiles(REPO_ROOT), "Dockerfile", "package-lock.json"])].sort();
      return hashParts([["base", await base.key()], ...hashFiles(REPO_ROOT, files)]);
    },
    build: async (say) => {
      if (!fs.existsSync(path.join(REPO_ROOT, "Dockerfile"))) throw new Error("no Dockerfile at the repository root");
      await podman(
        [
          "build",
          "--pull=never",
          "--layers",
          ...RUN_FLAGS,
          "--build-arg",
          `NODE_IMAGE=${base.name}`,
          "-f",
          path.join(REPO_ROOT, "Dockerfile"),
          "-t",
          qualify(name),
          REPO_ROOT,
        ],
        { echo: (l) => say(`  ${l}`) },
      );
    },
  };
}
