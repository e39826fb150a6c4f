import fs from "node:fs";
import YAML from "yaml";
import { checkCatalog, type Catalog } from "@food-ordering/contracts";

/**
 * A catalog file (YAML or JSON: `regions: [...]`, the chart's `catalog` value has the same
 * shape), checked by the catalog's one schema; every problem is reported at once.
 */
export function loadCatalogFile(file: string): Catalog {
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`catalog file ${file}: ${(e as Error).message}`);
  }
  const checked = checkCatalog(raw);
  if (checked.errors) throw new Error(`catalog file ${file} is not valid:\n  - ${checked.errors.join("\n  - ")}`);
  return checked.catalog;
}
