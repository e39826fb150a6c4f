import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./repo.ts";

/**
 * The workspace packages and who imports whom, read from the code: what docs/architecture.md's
 * package picture must show (tools/checks/test/unit/architecture.test.ts).
 */
export interface WorkspacePackage {
  /** Short name: the package name without the @food-ordering/ scope. */
  name: string;
  dir: string;
  /** Workspace packages its package.json declares (dependencies and devDependencies). */
  declared: string[];
}

const SCOPE = "@food-ordering/";
const SOURCE = /\.(ts|tsx|mjs)$/;
const IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)["']([^"']+)["']/g;

export function workspacePackages(): WorkspacePackage[] {
  const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { workspaces: string[] };
  const dirs = root.workspaces.flatMap((w) =>
    w.endsWith("/*")
      ? fs
          .readdirSync(path.join(REPO_ROOT, w.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory() && fs.existsSync(path.join(REPO_ROOT, w.slice(0, -2), d.name, "package.json")))
          .map((d) => `${w.slice(0, -2)}/${d.name}`)
      : [w],
  );
  return dirs.map((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, "package.json"), "utf8"));
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    return {
      name: String(pkg.name).replace(SCOPE, ""),
      dir,
      declared: Object.keys(deps)
        .filter((d) => d.startsWith(SCOPE))
        .map((d) => d.replace(SCOPE, "")),
    };
  });
}

/** Source files of a package; `tests` chooses its test files instead of the rest. */
export function sourceFiles(dir: string, tests: boolean): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(REPO_ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (["node_modules", "dist"].includes(e.name)) continue;
        walk(child);
      } else if (SOURCE.test(e.name) && isTest(child) === tests) out.push(child);
    }
  };
  walk(dir);
  return out;
}

const isTest = (file: string) =>
  /(^|\/)test\//.test(file) || /\.test\.tsx?$/.test(file) || /vitest[^/]*\.ts$/.test(file);

/** Every module specifier a file imports. */
export function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
  return [...text.matchAll(IMPORT)].map((m) => m[1]!);
}

/** Workspace packages a set of files imports, by short name. */
export function workspaceImports(files: string[]): Set<string> {
  const used = new Set<string>();
  for (const f of files)
    for (const spec of importsOf(f)) if (spec.startsWith(SCOPE)) used.add(spec.slice(SCOPE.length).split("/")[0]!);
  return used;
}

/** Relative imports that leave the file's own package (they should name the package instead). */
export function escapingImports(pkgDir: string, files: string[]): string[] {
  const out: string[] = [];
  for (const f of files)
    for (const spec of importsOf(f)) {
      if (!spec.startsWith(".")) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      if (!target.startsWith(`${pkgDir}/`)) out.push(`${f}: ${spec}`);
    }
  return out;
}

/** The package graph of the runtime and tool code (tests left out): "a -> b" edges, sorted. */
export function packageGraph(): string[] {
  const edges: string[] = [];
  for (const p of workspacePackages())
    for (const dep of workspaceImports(sourceFiles(p.dir, false)))
      if (dep !== p.name) edges.push(`${p.name} -> ${dep}`);
  return edges.sort();
}
