import fs from "node:fs";
import { exec } from "./engine.ts";
import { readRecord } from "./archive.ts";
import { selectImages } from "./images.ts";
import { ensureImageTools } from "./packages.ts";
import { DEFAULT_CONTAINERD_SOCKET } from "./paths.ts";

/** kubelet's containerd namespace: images imported elsewhere are invisible to pods. */
export const K8S_NAMESPACE = "k8s.io";

export function ctrImportArgs(socket: string, archive: string): string[] {
  return ["--address", socket, "-n", K8S_NAMESPACE, "images", "import", archive];
}

/**
 * Imports the saved archives into a node's containerd (`build` first). Pods then start them
 * with imagePullPolicy IfNotPresent without reaching a registry.
 */
export async function loadImages(
  socket = DEFAULT_CONTAINERD_SOCKET,
  names: string[] = [],
  say: (s: string) => void = console.log,
): Promise<string[]> {
  ensureImageTools(["ctr"], say);
  if (!fs.existsSync(socket)) throw new Error(`no containerd socket at ${socket} (is the node running?)`);
  const loaded: string[] = [];
  for (const r of selectImages(names)) {
    const record = readRecord(r.ref);
    if (!record) throw new Error(`${r.name} has no archive yet: run \`npm run images -- build\` first`);
    say(`${r.name}: importing into ${K8S_NAMESPACE} at ${socket}`);
    await exec("ctr", ctrImportArgs(socket, record.archive), { echo: (l) => say(`  ${l}`) });
    loaded.push(r.ref);
  }
  return loaded;
}
