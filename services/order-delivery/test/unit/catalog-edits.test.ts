import { describe, expect, it } from "vitest";
import { findRegion, type Region } from "@food-ordering/contracts";
import { putRegion, setPrice, upsertRestaurant } from "../../src/catalog/catalog-edits.ts";
import { operatorCheck } from "../../src/catalog/operator-auth.ts";

const lisbon = findRegion("lisbon")!;
const stall = {
  id: "lis-bifanas",
  name: "Bifanas",
  cuisine: "Portuguese",
  location: { x: 1, y: 1 },
  menu: [{ productId: "lis-bf-1", name: "Bifana", price: 450 }],
};

describe("catalog edits", () => {
  it("puts a whole region only under its own key", () => {
    const region: Region = { ...lisbon, id: "porto", name: "Porto" };
    expect(putRegion("porto", region).errors).toBeUndefined();
    expect(putRegion("braga", region).errors).toEqual([
      'region.id "porto" is not the region this call addresses ("braga")',
    ]);
  });

  it("adds a restaurant, replaces one with the same id, and refuses one outside the map", () => {
    const added = upsertRestaurant(lisbon, "lisbon", stall);
    expect(added.errors).toBeUndefined();
    expect(added.errors ?? added.region.restaurants.map((r) => r.id)).toEqual([
      "lis-tasca",
      "lis-grill",
      "lis-bifanas",
    ]);
    const renamed = upsertRestaurant(lisbon, "lisbon", { ...lisbon.restaurants[0]!, name: "Tasca" });
    expect(renamed.errors ?? renamed.region.restaurants.map((r) => r.name)).toEqual(["Grelhados", "Tasca"]);
    expect(upsertRestaurant(lisbon, "lisbon", { ...stall, location: { x: 9, y: 1 } }).errors).toEqual([
      "region lisbon: restaurant lis-bifanas at (9, 1) lies outside the region's 8 km map",
    ]);
    expect(upsertRestaurant(undefined, "faro", stall).errors).toEqual([
      'region "faro" is not in the catalog: put the region first',
    ]);
  });

  it("sets one price, and refuses a negative or fractional one, or an unknown product", () => {
    const dearer = setPrice(lisbon, "lisbon", { restaurantId: "lis-tasca", productId: "lis-ta-3", price: 250 });
    expect(dearer.errors ?? dearer.region.restaurants[0]!.menu[2]).toEqual({
      productId: "lis-ta-3",
      name: "Pastel de nata",
      price: 250,
    });
    expect(lisbon.restaurants[0]!.menu[2]!.price).toBe(200); // the input is not mutated
    expect(setPrice(lisbon, "lisbon", { restaurantId: "lis-tasca", productId: "lis-ta-3", price: -1 }).errors).toEqual([
      "region.restaurants.0.menu.2.price: must be at least 1 cent",
    ]);
    expect(setPrice(lisbon, "lisbon", { restaurantId: "lis-tasca", productId: "lis-ta-3", price: 2.5 }).errors).toEqual(
      ["region.restaurants.0.menu.2.price: must be whole cents"],
    );
    expect(setPrice(lisbon, "lisbon", { restaurantId: "lis-tasca", productId: "nope", price: 5 }).errors).toEqual([
      'restaurant lis-tasca has no product "nope"',
    ]);
  });
});

describe("the operator credential", () => {
  const check = operatorCheck("operator-token-0123456789");
  it("is 401 missing, 403 wrong, and lets the right one through", () => {
    expect(check(undefined)?.errorCode).toBe(401);
    expect(check("Basic abc")?.errorCode).toBe(401);
    expect(check("Bearer operator-token-0123456780")?.errorCode).toBe(403);
    expect(check("Bearer operator-token-0123456789")).toBeUndefined();
  });
  it("refuses every write when no token is configured", () => {
    expect(operatorCheck("")("Bearer anything-at-all-here")).toMatchObject({
      errorCode: 403,
      message: expect.stringContaining("no OPERATOR_TOKEN configured"),
    });
  });
});
