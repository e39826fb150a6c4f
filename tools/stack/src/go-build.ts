import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Building Go programs from their modules into a cache outside the checkout: the local stack's
 * Jaeger and the local cluster's tools (tools/cluster) share this one builder and cache.
 */

/** Built binaries live beside the registrar's kube-apiserver cache, outside the checkout. */
export const CACHE_DIR = path.join(os.homedir(), ".cache", "food-ordering");

/** A Go program built from a module at a version. */
export interface GoProgram {
  module: string;
  version: string;
  pkg: string;
  /** Binary name, when not the tool's name. */
  binary?: string;
  ldflags?: string;
  /** CGO_ENABLED=0: one static binary. */
  static?: boolean;
}

type Say = (s: string) => void;

export function requireGo(what: string): void {
  if (spawnSync("go", ["version"], { stdio: "ignore" }).status !== 0)
    throw new Error(`building ${what} needs Go (1.25+) on the PATH and the Go module proxy`);
}

export function goIn(dir: string, env: NodeJS.ProcessEnv = {}) {
  return (...args: string[]) =>
    execFileSync("go", args, {
      cwd: dir,
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
}

interface ModVersion {
  Path: string;
  Version?: string;
}

/**
 * The module's own `replace` and `exclude` directives as `go mod edit` flags. They bind only
 * the main module, so a scratch module must repeat them, or `go get` resolves to the versions
 * they avoid (skaffold: github.com/imdario/mergo v1, which declares another module path).
 * Local-path replacements cannot apply outside the module's tree and are left out.
 */
function inheritedDirectives(go: ReturnType<typeof goIn>, module: string, version: string): string[] {
  const { GoMod } = JSON.parse(go("mod", "download", "-json", `${module}@${version}`)) as { GoMod: string };
  const mod = JSON.parse(go("mod", "edit", "-json", GoMod)) as {
    Replace?: { Old: ModVersion; New: ModVersion }[] | null;
    Exclude?: ModVersion[] | null;
  };
  const at = (m: ModVersion) => (m.Version ? `${m.Path}@${m.Version}` : m.Path);
  return [
    ...(mod.Replace ?? []).filter((r) => r.New.Version).map((r) => `-replace=${at(r.Old)}=${at(r.New)}`),
    ...(mod.Exclude ?? []).map((e) => `-exclude=${at(e)}`),
  ];
}

/** Where the cached binary of `name` at this version lives. */
export function goProgramBinary(name: string, program: GoProgram): string {
  return path.join(CACHE_DIR, `${name}-${program.version}`, program.binary ?? name);
}

/**
 * Builds a Go program whose module has `replace` directives (which `go install pkg@version`
 * refuses): `go get -tool` it into a scratch module that repeats those directives, then
 * `go build` it there. Returns the cached binary, built only when missing.
 */
export function ensureGoProgram(name: string, program: GoProgram, say: Say = console.log): string {
  const target = goProgramBinary(name, program);
  if (fs.existsSync(target)) return target;
  const { module, version, pkg } = program;
  requireGo(name);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-build-`));
  try {
    const go = goIn(work, program.static ? { CGO_ENABLED: "0" } : {});
    const started = Date.now();
    say(`Building ${name} ${version} from ${module} (a few minutes)...`);
    go("mod", "init", `${name}build`);
    const directives = inheritedDirectives(go, module, version);
    if (directives.length) go("mod", "edit", ...directives);
    go("get", "-tool", `${pkg}@${version}`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    go("build", ...(program.ldflags ? ["-ldflags", program.ldflags] : []), "-o", `${target}.tmp`, pkg);
    fs.renameSync(`${target}.tmp`, target);
    say(`  built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return target;
}
