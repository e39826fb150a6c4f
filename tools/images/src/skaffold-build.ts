import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { imageId, imageInStore, loadArchive } from "./archive.ts";
import { exec, podman } from "./engine.ts";
import { ensureImages, imageNames } from "./images.ts";
import { ctrImportArgs } from "./load.ts";
import { DEFAULT_CONTAINERD_SOCKET } from "./paths.ts";
import { buildProject } from "./project-image.ts";
import { qualify } from "./recipe.ts";

/**
 * The tag skaffold deploys an image it did not push under: its name with the image ID as tag
 * (skaffold's localDaemon.TagWithImageID), "food-ordering:1a2b…" for "food-ordering:v1".
 */
export function skaffoldDeployTag(image: string, id: string): string {
  const name = image.split("@")[0]!;
  const colon = name.lastIndexOf(":");
  const repo = colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
  return `${repo}:${id.replace(/^sha256:/, "")}`;
}

/**
 * skaffold's custom build step for the local node (skaffold.yaml, profile local-node): builds
 * $BUILD_CONTEXT's Dockerfile, unchanged, with podman as $IMAGE, then imports it into the
 * node's containerd under $IMAGE and under the tag skaffold will deploy. The base image comes
 * from `npm run images` (built if missing), never from a registry. Returns the deploy tag.
 */
export async function skaffoldBuild(
  env: NodeJS.ProcessEnv = process.env,
  say: (s: string) => void = console.log,
): Promise<string> {
  const image = env.IMAGE;
  if (!image) throw new Error("IMAGE is not set: this is skaffold's custom build step (skaffold.yaml, local-node)");
  if (env.PUSH_IMAGE === "true") throw new Error("the local-node profile loads images into the node; it never pushes");
  const context = env.BUILD_CONTEXT ?? process.cwd();
  const socket = env.CONTAINERD_SOCKET ?? DEFAULT_CONTAINERD_SOCKET;
  if (!fs.existsSync(socket)) throw new Error(`no containerd socket at ${socket}: run \`npm run cluster -- up\``);

  const [base] = await ensureImages([imageNames().node], { say });
  if (!(await imageInStore(base!.ref))) await loadArchive(base!.archive);
  // podman would file a short name under localhost/; kubelet looks under docker.io/library/.
  await buildProject(context, qualify(image), base!.name, say);
  const id = await imageId(qualify(image));
  if (!id) throw new Error(`podman built ${image} but has no image by that name`);
  const deploy = skaffoldDeployTag(image, id);
  await podman(["tag", qualify(image), qualify(deploy)]);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skaffold-image-"));
  try {
    const archive = path.join(dir, "image.tar");
    // Further names of one image are further tags in a docker-archive (no --multi-image-archive).
    await podman(["save", "--quiet", "--format", "docker-archive", "-o", archive, qualify(image), qualify(deploy)]);
    await exec("ctr", ctrImportArgs(socket, archive), { echo: (l) => say(`  ${l}`) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  say(`imported ${qualify(image)} and ${qualify(deploy)} into the node's containerd`);
  return deploy;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await skaffoldBuild().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
