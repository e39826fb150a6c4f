import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { CACHE_DIR } from "./paths.ts";

const run = promisify(execFile);
const DOWNLOADS = path.join(CACHE_DIR, "downloads");

/** Fetches a package tarball from the npm registry once (`npm pack`); returns its path. */
export async function npmPack(name: string, version: string): Promise<string> {
  const file = path.join(DOWNLOADS, `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(DOWNLOADS, { recursive: true });
  const { stdout } = await run("npm", ["pack", `${name}@${version}`, "--json", "--pack-destination", DOWNLOADS], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const packed = (JSON.parse(stdout) as Array<{ filename: string }>)[0]?.filename;
  if (!packed) throw new Error(`npm pack ${name}@${version} returned no file`);
  const got = path.join(DOWNLOADS, packed);
  if (got !== file) fs.renameSync(got, file);
  return file;
}

/** One file of a package tarball, without unpacking the rest. */
export async function readFromTarball(tgz: string, member: string): Promise<string> {
  const { stdout } = await run("tar", ["-xzOf", tgz, member], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}
