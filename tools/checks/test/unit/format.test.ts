import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as prettier from "prettier";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../../src/repo.ts";

/** The tree is as Prettier writes it (`npm run format`), so a diff shows changes, not style. */
it("every tracked source file is formatted by Prettier", async () => {
  const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" })
    .split("\n")
    .filter((f) => /\.(ts|tsx|mjs|js|json|css|html)$/.test(f));
  const unformatted: string[] = [];
  for (const file of files) {
    const path = join(REPO_ROOT, file);
    const info = await prettier.getFileInfo(path, { ignorePath: join(REPO_ROOT, ".prettierignore") });
    if (info.ignored || !info.inferredParser) continue;
    const options = await prettier.resolveConfig(path);
    const source = readFileSync(path, "utf8");
    if (!(await prettier.check(source, { ...options, filepath: path }))) unformatted.push(file);
  }
  expect(unformatted, "run `npm run format`").toEqual([]);
});
