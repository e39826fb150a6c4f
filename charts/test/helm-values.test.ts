import { expect, it } from "vitest";
import { CONFIG_MODULES, loadConfig } from "@food-ordering/checks";
import { componentOf, TOPOLOGY } from "@food-ordering/stack/topology";
import { effectiveValues } from "./chart.ts";

/** The configuration reference names the Helm value that sets each env var: that value must exist. */

function exists(values: unknown, path: string): boolean {
  let at: unknown = values;
  for (const part of path.replace(/\[\d*\]/g, ".0").split(".")) {
    if (at === null || typeof at !== "object" || !(part in at)) return false;
    at = (at as Record<string, unknown>)[part];
  }
  return true;
}

it("every Helm value the configuration reference names exists in values.yaml", async () => {
  const values = effectiveValues({});
  const missing: string[] = [];
  for (const [entry, module] of Object.entries(CONFIG_MODULES)) {
    for (const [name, spec] of Object.entries((await loadConfig(module)).spec)) {
      // Only value paths ("endpoint.port", "regions[].name"); prose such as "(wired to …)" is a note.
      const path = spec.helm?.split(" ")[0]?.replace("<component>", TOPOLOGY[componentOf(entry)!].values);
      if (!path || !/^[a-z][A-Za-z0-9]*(\[\d*\])?(\.[a-z][A-Za-z0-9]*(\[\d*\])?)+$/.test(path)) continue;
      if (!exists(values, path)) missing.push(`${entry} ${name}: ${spec.helm}`);
    }
  }
  expect(missing).toEqual([]);
});
