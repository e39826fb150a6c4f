import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { expect, it } from "vitest";
import { TOPOLOGY } from "@food-ordering/stack/topology";
import { REPO_ROOT } from "../../src/repo.ts";

/**
 * What `COPY . .` puts in the runtime image, by Docker's own .dockerignore rules: every entry
 * point the chart runs, their package manifests, and no development tool's code.
 */
// The package is CommonJS (module.exports = factory) while its types declare a default export.
const dockerignore = createRequire(import.meta.url)(
  "@balena/dockerignore",
) as typeof import("@balena/dockerignore").default;
const ig = dockerignore({ ignorecase: false }).add(fs.readFileSync(path.join(REPO_ROOT, ".dockerignore"), "utf8"));
const tracked = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" })
  .split("\n")
  .filter(Boolean);
const inImage = tracked.filter((f) => !ig.ignores(f));

it("holds every entry point of the topology and its config module", () => {
  const needed = Object.values(TOPOLOGY).flatMap((c) => [c.entry, c.config]);
  expect(needed.filter((f) => !inImage.includes(f))).toEqual([]);
});

it("holds every workspace manifest, so npm ci matches the lockfile", () => {
  const manifests = tracked.filter((f) => f.endsWith("package.json") && !f.includes("node_modules"));
  expect(manifests.filter((f) => !inImage.includes(f))).toEqual([]);
  expect(inImage).toContain("package-lock.json");
});

it("holds no development tool's code, test or doc", () => {
  const unwanted = inImage.filter(
    (f) => (f.startsWith("tools/") && !f.endsWith("/package.json")) || /(^|\/)test\//.test(f) || f.endsWith(".md"),
  );
  expect(unwanted).toEqual([]);
});
