import crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** A sha256 over labelled parts, so that moving bytes between parts changes the key. */
export function hashParts(parts: Array<[label: string, value: string | Buffer]>): string {
  const h = crypto.createHash("sha256");
  for (const [label, value] of parts) {
    h.update(`${label}\0${Buffer.byteLength(value)}\0`);
    h.update(value);
  }
  return h.digest("hex");
}

/** The files of a directory tree (sorted, relative), for hashing the assets a recipe bakes in. */
export function treeFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
    .sort();
}

export function hashFiles(root: string, files: string[]): Array<[string, Buffer]> {
  return files.map((f) => {
    const full = path.join(root, f);
    const mode = (fs.statSync(full).mode & 0o111) !== 0 ? "x" : "-";
    return [`${f}:${mode}`, fs.readFileSync(full)];
  });
}

interface IgnoreRule {
  pattern: string;
  negate: boolean;
}

/** .dockerignore rules: comments and blanks dropped, `!` exceptions kept in order. */
export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = path.posix.normalize((negate ? l.slice(1) : l).trim()).replace(/^\/+|\/+$/g, "");
      return { pattern, negate };
    });
}

/**
 * Whether the build context leaves a file out, as Docker decides: the last rule that matches
 * the file or one of its parent directories wins.
 */
export function dockerignored(file: string, rules: IgnoreRule[]): boolean {
  const parts = file.split("/");
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const r of rules) if (prefixes.some((p) => path.posix.matchesGlob(p, r.pattern))) ignored = !r.negate;
  return ignored;
}

/**
 * The files a `docker build .` of `root` sends: git's view of the tree (tracked and untracked,
 * not gitignored — gitignored files such as node_modules are dockerignored too) minus .dockerignore.
 */
export function buildContextFiles(root: string): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  })
    .toString()
    .split("\0")
    .filter(Boolean);
  const ignore = path.join(root, ".dockerignore");
  const rules = fs.existsSync(ignore) ? parseDockerignore(fs.readFileSync(ignore, "utf8")) : [];
  return [...new Set(listed)].filter((f) => fs.existsSync(path.join(root, f)) && !dockerignored(f, rules)).sort();
}
