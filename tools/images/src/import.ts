import fs from "node:fs";
import { podman } from "./engine.ts";

export interface ImageConfig {
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  entrypoint?: string[];
  cmd?: string[];
  expose?: number[];
  volumes?: string[];
}

/** Dockerfile instructions for `podman import --change` (pure: unit-tested). */
export function changes(c: ImageConfig): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(c.env ?? {})) out.push(`ENV ${k}=${v}`);
  if (c.workdir) out.push(`WORKDIR ${c.workdir}`);
  if (c.user) out.push(`USER ${c.user}`);
  for (const p of c.expose ?? []) out.push(`EXPOSE ${p}`);
  if (c.volumes?.length) out.push(`VOLUME ${JSON.stringify(c.volumes)}`);
  if (c.entrypoint) out.push(`ENTRYPOINT ${JSON.stringify(c.entrypoint)}`);
  if (c.cmd) out.push(`CMD ${JSON.stringify(c.cmd)}`);
  return out;
}

/** A root file system tar as a one-layer image (no containers run, so no runtime is involved). */
export async function importRootfs(tar: string, ref: string, config: ImageConfig): Promise<void> {
  await podman(["import", "--quiet", ...changes(config).flatMap((c) => ["--change", c]), tar, ref]);
  fs.rmSync(tar, { force: true });
}
