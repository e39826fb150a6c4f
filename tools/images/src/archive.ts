import fs from "node:fs";
import path from "node:path";
import { podman } from "./engine.ts";
import { CACHE_DIR } from "./paths.ts";

/** What `build` knows of an image it saved: the key it was built from and its sizes. */
export interface BuildRecord {
  name: string;
  ref: string;
  key: string;
  archive: string;
  archiveBytes: number;
  imageBytes: number;
  buildSeconds: number;
  builtAt: string;
}

/** "docker.restate.dev/restatedev/restate:1.7.12" -> "docker.restate.dev_restatedev_restate_1.7.12". */
export const slug = (ref: string) => ref.replace(/[/:@]/g, "_");

export const archivePath = (ref: string) => path.join(CACHE_DIR, `${slug(ref)}.tar`);
const recordPath = (ref: string) => path.join(CACHE_DIR, `${slug(ref)}.json`);

export function readRecord(ref: string): BuildRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(recordPath(ref), "utf8")) as BuildRecord;
    // The archive beside the record, wherever the cache was when it was saved.
    const archive = archivePath(ref);
    return fs.existsSync(archive) ? { ...r, archive } : undefined;
  } catch {
    return undefined;
  }
}

export function writeRecord(r: BuildRecord): void {
  fs.writeFileSync(recordPath(r.ref), JSON.stringify(r, null, 2) + "\n");
}

export async function imageInStore(ref: string): Promise<boolean> {
  return (await podman(["image", "exists", ref], { allowFail: true })).code === 0;
}

export async function imageId(ref: string): Promise<string | undefined> {
  const r = await podman(["image", "inspect", "--format", "{{.Id}}", ref], { allowFail: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

export async function imageBytes(ref: string): Promise<number> {
  const { stdout } = await podman(["image", "inspect", "--format", "{{.Size}}", ref]);
  return Number(stdout.trim());
}

/**
 * A docker-archive tarball (the format every `ctr images import` and `docker load` reads),
 * with the fully qualified name as its tag so containerd files it where kubelet looks.
 */
export async function saveArchive(ref: string): Promise<string> {
  const file = archivePath(ref);
  const tmp = `${file}.partial`;
  fs.rmSync(tmp, { force: true });
  await podman(["save", "--quiet", "--format", "docker-archive", "-o", tmp, ref]);
  fs.renameSync(tmp, file);
  return file;
}

/** Puts a saved image back into the store (a later build needs it as its base). */
export async function loadArchive(file: string): Promise<void> {
  await podman(["load", "--quiet", "-i", file]);
}
