import fs from "node:fs";
import path from "node:path";
import { CLUSTER_PATHS, ensureGoTool, installKubeTools } from "@food-ordering/cluster";
import { startDockerApi } from "./docker-api.ts";

export interface SkaffoldSession {
  /** The skaffold binary. */
  bin: string;
  /** The environment to run it in. */
  env: NodeJS.ProcessEnv;
  /** Stops the Docker API. */
  stop(): Promise<void>;
}

/**
 * What skaffold needs to build and deploy onto the local node without Docker: skaffold 2.16.1
 * and the Helm 3 it drives (built from their Go modules on first use; Helm 4 needs skaffold
 * 2.17+, which the module proxy does not serve here), a Docker API over podman's image store,
 * and the node's kubeconfig. Run skaffold with `bin` and `env` (`npm run skaffold` does).
 */
export async function skaffoldSession(say: (s: string) => void = console.log): Promise<SkaffoldSession> {
  if (!fs.existsSync(CLUSTER_PATHS.kubeconfig))
    throw new Error(`no node kubeconfig at ${CLUSTER_PATHS.kubeconfig}: run \`npm run cluster -- up\` first`);
  const bin = ensureGoTool("skaffold", say);
  const helm3 = ensureGoTool("helm3", say);
  // kubectl for `skaffold dev`'s file sync (kubectl exec); Helm 3 first, so skaffold's `helm` is it.
  const { kubectl } = installKubeTools();
  const api = await startDockerApi(say);
  const env: NodeJS.ProcessEnv = {
    // No update check or metrics prompt (the prompt would turn metrics on in ~/.skaffold/config),
    // and no artifact cache: a cache hit skips the build step that imports the image into the node.
    SKAFFOLD_UPDATE_CHECK: "false",
    SKAFFOLD_INTERACTIVE: "false",
    SKAFFOLD_CACHE_ARTIFACTS: "false",
    // skaffold prunes what it built by image ID, with force: the layers under it are podman's
    // build cache, shared with `npm run images`, so they stay.
    SKAFFOLD_NO_PRUNE_CHILDREN: "true",
    ...process.env,
    // The Node running this first, so the TypeScript build step runs on it (22+) too.
    PATH: [path.dirname(helm3), path.dirname(kubectl), path.dirname(process.execPath), process.env.PATH].join(":"),
    KUBECONFIG: CLUSTER_PATHS.kubeconfig,
    DOCKER_HOST: api.host,
  };
  return { bin, env, stop: api.stop };
}
