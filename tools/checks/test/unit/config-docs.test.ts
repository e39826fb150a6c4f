import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { DOC_PATH, generate } from "../../src/config-docs.ts";

it("docs/configuration.md is generated from the current config modules (run `npm run docs:config`)", async () => {
  expect(readFileSync(DOC_PATH, "utf8")).toBe(await generate());
});
