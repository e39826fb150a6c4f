import fs from "node:fs";
import path from "node:path";
import { exec } from "./engine.ts";

/** This file's text: part of every stand-in's cache key (a changed root file system recipe rebuilds them). */
export const ROOTFS_RECIPE = fs.readFileSync(import.meta.filename);

/** Debian bookworm with its updates and security fixes, as a bookworm-slim image has. */
export const DEBIAN_SUITE = "bookworm";
const MIRRORS = [
  "deb http://deb.debian.org/debian bookworm main",
  "deb http://deb.debian.org/debian bookworm-updates main",
  "deb http://deb.debian.org/debian-security bookworm-security main",
];

/**
 * What the -slim images leave out: documentation, man pages and translations (copyright files
 * stay). Written into the image's dpkg config, so packages installed later skip them too.
 */
const SLIM_DPKG = [
  "path-exclude=/usr/share/doc/*",
  "path-include=/usr/share/doc/*/copyright",
  "path-exclude=/usr/share/man/*",
  "path-exclude=/usr/share/info/*",
  "path-exclude=/usr/share/locale/*",
  "path-exclude=/usr/share/lintian/*",
];

export interface RootfsSpec {
  /** Debian packages on top of minbase. */
  packages: string[];
  /** Shell run on the host after the packages are in, with $1 = the root directory. */
  customize: string[];
}

/** The mmdebstrap arguments for a spec (pure: shown by `list --verbose` and unit-tested). */
export function mmdebstrapArgs(spec: RootfsSpec, out: string): string[] {
  return [
    "--variant=minbase",
    "--mode=root",
    "--format=tar",
    ...SLIM_DPKG.map((o) => `--dpkgopt=${o}`),
    // Postinst scripts (OpenJDK's update-alternatives) link man pages into a directory the
    // exclusions above keep from existing; the official slim images create it as well.
    '--setup-hook=mkdir -p "$1/usr/share/man/man1"',
    ...(spec.packages.length ? [`--include=${spec.packages.join(",")}`] : []),
    ...spec.customize.map((h) => `--customize-hook=${h}`),
    // No package lists or caches in the image, as in the official slim images.
    '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/apt/* "$1"/var/log/dpkg.log',
    DEBIAN_SUITE,
    out,
    ...MIRRORS,
  ];
}

/** Builds a Debian root file system into a tar file with mmdebstrap (about a minute on 2 cores). */
export async function buildRootfs(spec: RootfsSpec, out: string, say: (s: string) => void): Promise<void> {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.partial`;
  await exec("mmdebstrap", mmdebstrapArgs(spec, tmp), { echo: (l) => say(`  ${l}`) });
  fs.renameSync(tmp, out);
}
