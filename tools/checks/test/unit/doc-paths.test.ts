import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../../src/repo.ts";

/** Every repository path the README and docs/ name exists, so a move that forgets a doc fails here. */
const TOP = "(?:services|simulators|webui|charts|k8s|tools|docs|bench)";
const PATH = new RegExp(`(?<![\\w./-])(${TOP}/[\\w./-]*[\\w])`, "g");
/** Paths that are named on purpose without existing in a clone: build output, and the guide's example. */
const NOT_IN_A_CLONE = [/^webui\/dist/, /courier-partner/, /^bench\/results\/latest$/];

it("every path the README and docs name exists", () => {
  const docs = [
    "README.md",
    ...fs
      .readdirSync(path.join(REPO_ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const missing = docs.flatMap((doc) =>
    [...fs.readFileSync(path.join(REPO_ROOT, doc), "utf8").matchAll(PATH)]
      .map((m) => m[1]!)
      .filter((p) => !NOT_IN_A_CLONE.some((re) => re.test(p)) && !fs.existsSync(path.join(REPO_ROOT, p)))
      .map((p) => `${doc}: ${p}`),
  );
  expect([...new Set(missing)]).toEqual([]);
});
