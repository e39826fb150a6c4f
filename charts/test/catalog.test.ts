import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { DEFAULT_CATALOG, catalogJsonSchema, checkCatalog } from "@food-ordering/contracts";
import {
  byKind,
  CHART_DIR,
  fullName,
  NEW_REGIONS,
  render,
  template,
  VARIANTS,
  type K8sObject,
  type Values,
} from "./chart.ts";

/**
 * The catalog in the chart (issue 19): regions with new names need values only; the chart's
 * schema for the `catalog` value is the contracts' one; a region without a catalog entry is
 * refused at render time. The "three new regions" variant also runs every other chart test.
 */
const envOf = (d: K8sObject, name: string) =>
  d.spec?.template.spec.containers[0].env.find((e: { name: string }) => e.name === name)?.value;

describe("three regions with new names, added by values only", () => {
  const objects = render(VARIANTS["three new regions"]!);

  it("render one driver Deployment each, simulating its region", () => {
    const drivers = byKind(objects, "Deployment").filter(
      (d) => d.metadata.labels?.["app.kubernetes.io/component"] === "drivers",
    );
    expect(drivers.map((d) => d.metadata.name).sort()).toEqual(
      ["apac", "eu-west", "us-east-1"].map((r) => fullName(`drivers-${r}`)),
    );
    for (const d of drivers) expect(envOf(d, "REGION")).toBe(d.metadata.labels?.["food-ordering.io/region"]);
    const provider = byKind(objects, "Deployment").find((d) => d.metadata.name === fullName("provider"))!;
    expect(envOf(provider, "REGIONS")).toBe("eu-west,us-east-1,apac");
  });

  it("hand the registrar their catalog, which passes the catalog's checks", () => {
    const cm = byKind(objects, "ConfigMap").find((c) => c.metadata.name === fullName("registrar-desired-state"))!;
    const desired = parseYaml(cm.data!["desired-state.yaml"]!) as { catalog: unknown };
    expect(desired.catalog).toEqual({ regions: NEW_REGIONS });
    expect(checkCatalog(desired.catalog).errors).toBeUndefined();
  });

  it("the defaults hand the registrar no catalog: the built-in regions need none", () => {
    const cm = byKind(render({}), "ConfigMap").find((c) => c.metadata.name === fullName("registrar-desired-state"))!;
    expect(parseYaml(cm.data!["desired-state.yaml"]!)).not.toHaveProperty("catalog");
  });
});

describe("the catalog value's schema", () => {
  const schema = JSON.parse(readFileSync(join(CHART_DIR, "values.schema.json"), "utf8"));

  it("is the contracts' catalog schema", () => {
    const { description: _, ...catalog } = schema.properties.catalog;
    expect(catalog).toEqual(catalogJsonSchema());
  });

  it("knows the same built-in regions as the contracts", () => {
    const ids = DEFAULT_CATALOG.regions.map((r) => r.id);
    const r = template({ regions: ids.map((name) => ({ name, drivers: 1, replicas: 1 })) });
    expect(r.ok, r.output).toBe(true);
    const helpers = readFileSync(join(CHART_DIR, "templates/_helpers.tpl"), "utf8");
    const builtIn = /define "fo.builtInRegions" -}}\n(.*)\n/.exec(helpers)?.[1];
    expect(JSON.parse(builtIn ?? "null")).toEqual(ids);
  });

  const region = NEW_REGIONS[0]!;
  const withCatalog = (regions: unknown[]): Values => ({
    regions: [{ name: region.id, drivers: 2, replicas: 1 }],
    catalog: { regions },
  });
  it.each([
    [
      "a negative price",
      withCatalog([
        { ...region, restaurants: [{ ...region.restaurants[0]!, menu: [{ productId: "p", name: "P", price: -1 }] }] },
      ]),
      /at '\/catalog\/regions\/0\/restaurants\/0\/menu\/0\/price': minimum: got -1, want 1/,
    ],
    [
      "a region id that is no DNS-1123 label",
      withCatalog([{ ...region, id: "EU West" }]),
      /at '\/catalog\/regions\/0\/id': 'EU West' does not match pattern/,
    ],
    ["an unknown key", withCatalog([{ ...region, currency: "EUR" }]), /additional properties 'currency' not allowed/],
    ["a region listed twice", withCatalog([region, region]), /catalog.regions: "eu-west" is listed twice/],
  ])("refuses %s at render time, naming it", (_what, values, message) => {
    const r = template(values);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(message);
  });
});
