import { describe, expect, it } from "vitest";
import { DesiredStateError, parseDesiredState } from "../../src/desired-state.ts";

/** The desired state's catalog is checked by the catalog's one schema before anything is applied. */
describe("the desired state's catalog", () => {
  const region =
    `{ id: harbour, name: Harbour, sizeKm: 6, restaurants: [{ id: fish, name: Fish, cuisine: ` +
    `Seafood, location: { x: 2, y: 3 }, menu: [{ productId: f1, name: Cod, price: 1200 }] }] }`;

  it("is absent when not given, and parsed when given", () => {
    expect(parseDesiredState("endpoints: []", "t").catalog).toBeUndefined();
    expect(parseDesiredState(`catalog: { regions: [${region}] }`, "t").catalog?.regions[0]?.id).toBe("harbour");
  });

  it("refuses bad catalog data with every problem, before anything is applied", () => {
    const bad = region.replace("price: 1200", "price: -1").replace("x: 2", "x: 9");
    let problems: string[] = [];
    try {
      parseDesiredState(`catalog: { regions: [${bad}, ${region}] }`, "t");
    } catch (e) {
      problems = (e as DesiredStateError).problems;
    }
    expect(problems).toEqual(["catalog: regions.0.restaurants.0.menu.0.price: must be at least 1 cent"]);
    try {
      parseDesiredState(`catalog: { regions: [${region.replace("x: 2", "x: 9")}, ${region}] }`, "t");
    } catch (e) {
      problems = (e as DesiredStateError).problems;
    }
    expect(problems).toEqual([
      'catalog: duplicate region id "harbour"',
      "catalog: region harbour: restaurant fish at (9, 3) lies outside the region's 6 km map",
    ]);
  });
});
