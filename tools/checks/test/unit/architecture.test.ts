import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { escapingImports, packageGraph, sourceFiles, workspaceImports, workspacePackages } from "../../src/imports.ts";
import { REPO_ROOT } from "../../src/repo.ts";

/** docs/architecture.md's package picture and the layering it states, checked against every import in the tree. */
const doc = fs.readFileSync(path.join(REPO_ROOT, "docs/architecture.md"), "utf8");
const mermaid = /```mermaid\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
const documentedEdges = [...mermaid.matchAll(/^\s*([a-z-]+)\s*-->\s*([a-z-]+)\s*$/gm)].map((m) => `${m[1]} -> ${m[2]}`);
const packages = workspacePackages();
const isTool = (dir: string) => dir.startsWith("tools/");

describe("docs/architecture.md", () => {
  it("draws exactly the package imports the code has", () => {
    expect(documentedEdges.sort()).toEqual(packageGraph());
  });

  it("draws every package", () => {
    const drawn = new Set([...mermaid.matchAll(/^\s{4}([a-z-]+)\s*$/gm)].map((m) => m[1]));
    expect(packages.map((p) => p.name).filter((n) => !drawn.has(n))).toEqual([]);
  });
});

describe("package boundaries", () => {
  it.each(packages.map((p) => [p.name, p] as const))(
    "%s declares exactly the workspace packages it imports",
    (_n, p) => {
      const used = new Set([
        ...workspaceImports(sourceFiles(p.dir, false)),
        ...workspaceImports(sourceFiles(p.dir, true)),
      ]);
      used.delete(p.name);
      expect(p.declared.sort()).toEqual([...used].sort());
    },
  );

  it("no relative import leaves its package (import the package by name)", () => {
    const escaping = packages.flatMap((p) =>
      escapingImports(p.dir, [...sourceFiles(p.dir, false), ...sourceFiles(p.dir, true)]),
    );
    expect(escaping).toEqual([]);
  });

  it("runtime code imports no tool package (tools stay out of the image)", () => {
    const tools = new Set(packages.filter((p) => isTool(p.dir)).map((p) => p.name));
    const offending = packages
      .filter((p) => !isTool(p.dir))
      .flatMap((p) =>
        [...workspaceImports(sourceFiles(p.dir, false))].filter((d) => tools.has(d)).map((d) => `${p.name} -> ${d}`),
      );
    expect(offending).toEqual([]);
  });

  it("tests of runtime packages reach tools only through the testkit", () => {
    const tools = new Set(packages.filter((p) => isTool(p.dir) && p.name !== "testkit").map((p) => p.name));
    const offending = packages
      .filter((p) => !isTool(p.dir))
      .flatMap((p) =>
        [...workspaceImports(sourceFiles(p.dir, true))]
          .filter((d) => tools.has(d))
          .map((d) => `${p.name} tests -> ${d}`),
      );
    expect(offending).toEqual([]);
  });
});
