import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLUSTER_PATHS } from "./paths.ts";

/**
 * Minimal images built without a registry or a Docker engine: a docker-archive tarball (which
 * `ctr images import` names from its RepoTags) holding one layer of static binaries.
 */
export interface ImageFile {
  /** Absolute path inside the image, e.g. /pause. */
  at: string;
  from: string;
  mode?: number;
}

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

export function buildImageArchive(name: string, files: ImageFile[], entrypoint: string[], out: string): string {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "image-"));
  try {
    const rootfs = path.join(work, "rootfs");
    for (const f of files) {
      const target = path.join(rootfs, f.at);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(f.from, target);
      fs.chmodSync(target, f.mode ?? 0o755);
    }
    const archive = path.join(work, "archive");
    fs.mkdirSync(archive);
    const layer = path.join(work, "layer.tar");
    // Fixed owner and times, so the same binaries give the same layer digest.
    execFileSync("tar", ["-C", rootfs, "--owner=0", "--group=0", "--numeric-owner", "--mtime=@0", "-cf", layer, "."]);
    const diffId = sha256(layer);
    fs.mkdirSync(path.join(archive, diffId));
    fs.renameSync(layer, path.join(archive, diffId, "layer.tar"));
    const config = {
      architecture: "amd64",
      os: "linux",
      created: "1970-01-01T00:00:00Z",
      config: { Entrypoint: entrypoint, Env: ["PATH=/"] },
      rootfs: { type: "layers", diff_ids: [`sha256:${diffId}`] },
    };
    const configText = JSON.stringify(config);
    const configName = `${crypto.createHash("sha256").update(configText).digest("hex")}.json`;
    fs.writeFileSync(path.join(archive, configName), configText);
    fs.writeFileSync(
      path.join(archive, "manifest.json"),
      JSON.stringify([{ Config: configName, RepoTags: [name], Layers: [`${diffId}/layer.tar`] }]),
    );
    fs.mkdirSync(path.dirname(out), { recursive: true });
    execFileSync("tar", ["-C", archive, "-cf", out, "."]);
    return out;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const ctr = (...args: string[]) =>
  execFileSync("ctr", ["--address", CLUSTER_PATHS.containerdSocket, "-n", CLUSTER_PATHS.containerdNamespace, ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });

/** Imports an image archive into the node's containerd (k8s.io namespace), as tools/images does. */
export function importImage(archive: string): void {
  ctr("images", "import", archive);
}

export function hasImage(name: string): boolean {
  return ctr("images", "ls", "-q").split("\n").includes(name);
}

/**
 * Labels an image so containerd's CRI reports it pinned and the kubelet's image GC never removes
 * it (honoured from containerd 1.7; the kubelet's GC is also switched off, see components.ts).
 */
export function pinImage(name: string): void {
  ctr("images", "label", name, "io.cri-containerd.pinned=pinned");
}
