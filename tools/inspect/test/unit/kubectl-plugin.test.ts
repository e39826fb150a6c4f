import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

/** The kubectl plugin finds the inspection CLI wherever the repository is (it moved once and did not). */
it("kubectl-food runs the repository's inspection CLI", () => {
  const plugin = path.resolve(import.meta.dirname, "../../bin/kubectl-food");
  const out = execFileSync(plugin, ["--help"], { encoding: "utf8" });
  expect(out).toMatch(/Usage: inspect/);
  expect(out).toMatch(/deployments/);
});
