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
    build: (say) => buildProject(REPO_ROOT, qualify(name), base.name, say),
  };
}

/**
 * `podman build` of `context`'s Dockerfile as `tag`, FROM `baseName` in the local store. Also
 * skaffold's custom build step (skaffold-build.ts), on the tree skaffold watches.
 */
export async function buildProject(
  context: string,
  tag: string,
  baseName: string,
  say: (s: string) => void,
): Promise<void> {
  const dockerfile = path.join(context, "Dockerfile");
  if (!fs.existsSync(dockerfile)) throw new Error(`no Dockerfile in ${context}`);
  await podman(
    [
      "build",
      "--pull=never",
      "--layers",
      ...RUN_FLAGS,
      "--build-arg",
      `NODE_IMAGE=${baseName}`,
      "-f",
      dockerfile,
      "-t",
      tag,
      context,
    ],
    { echo: (l) => say(`  ${l}`) },
  );
}
