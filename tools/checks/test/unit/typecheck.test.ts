import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../../src/repo.ts";

/** Node runs the TypeScript sources by stripping their types: only tsc checks them, here. */
it("the whole tree typechecks (strict)", () => {
  const tsc = path.join(REPO_ROOT, "node_modules/.bin/tsc");
  let output = "";
  try {
    execFileSync(tsc, ["-p", path.join(REPO_ROOT, "tsconfig.json"), "--noEmit"], { cwd: REPO_ROOT, encoding: "utf8" });
  } catch (e) {
    output = `${(e as { stdout?: string }).stdout ?? ""}${(e as { stderr?: string }).stderr ?? ""}` || String(e);
  }
  expect(output).toBe("");
}, 180_000);
