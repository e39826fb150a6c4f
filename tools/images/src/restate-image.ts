import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { hashParts } from "./cache.ts";
import { importRootfs } from "./import.ts";
import { CACHE_DIR } from "./paths.ts";
import { DEFAULT_PATH, qualify, shq, type ImageRecipe } from "./recipe.ts";
import { ROOTFS_RECIPE, buildRootfs } from "./rootfs.ts";

const require = createRequire(import.meta.url);

/** The restate-server binary the npm package ships, and its version. */
export function restateServerPackage(): { dir: string; version: string } {
  const manifest = require.resolve("@restatedev/restate-server-linux-x64/package.json");
  const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
  return { dir: path.dirname(manifest), version };
}

/**
 * Stand-in for docker.restate.dev/restatedev/restate: like the release image, Debian bookworm
 * with the OS roots and curl (for health checks), /usr/local/bin/restate-server as the entry
 * point, working dir / (so the default base dir is /restate-data), run as root unless the pod
 * says otherwise (the chart runs it as 1000 with /restate-data on a volume). The chart's
 * replicated mode replaces the command with `/bin/sh -c '… exec restate-server …'`: sh and the
 * binary on the PATH are there.
 */
export function restateRecipe(name: string): ImageRecipe {
  const tag = name.split(":").pop()!;
  return {
    name,
    ref: qualify(name),
    how: `mmdebstrap bookworm minbase + ca-certificates, curl + restate-server from @restatedev/restate-server-linux-x64@${tag}`,
    needs: [],
    key: async () => {
      const { version } = restateServerPackage();
      return hashParts([
        ["restate", version],
        ["recipe", fs.readFileSync(import.meta.filename)],
        ["rootfs", ROOTFS_RECIPE],
      ]);
    },
    build: async (say) => {
      const { dir, version } = restateServerPackage();
      if (version !== tag) throw new Error(`node_modules has restate-server ${version}, the chart wants ${tag}`);
      const bin = path.join(dir, "bin", "restate-server");
      const tar = path.join(CACHE_DIR, "rootfs", "restate.tar");
      await buildRootfs(
        {
          packages: ["ca-certificates", "curl"],
          customize: [
            `install -m 0755 ${shq(bin)} "$1/usr/local/bin/restate-server"`,
            `install -m 0644 ${shq(path.join(dir, "LICENSE"))} ${shq(path.join(dir, "NOTICE"))} "$1/"`,
          ],
        },
        tar,
        say,
      );
      await importRootfs(tar, qualify(name), {
        env: { PATH: DEFAULT_PATH },
        workdir: "/",
        entrypoint: ["/usr/local/bin/restate-server"],
      });
    },
  };
}
