import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG, checkCatalog, checkRegion, type Region } from "../../src/index.ts";
import { checkOrderInRegion, parseOrderEvent, readOrderEvent } from "../../src/order.ts";

const region = (over: Partial<Region> = {}): Region => ({
  id: "eu-west",
  name: "EU West",
  sizeKm: 5,
  restaurants: [
    {
      id: "eu-deli",
      name: "Deli",
      cuisine: "Sandwiches",
      location: { x: 1, y: 2 },
      menu: [{ productId: "eu-deli-1", name: "Club", price: 700 }],
    },
  ],
  ...over,
});

describe("checkCatalog", () => {
  it("accepts the built-in data set and a new region", () => {
    expect(checkCatalog(DEFAULT_CATALOG).errors).toBeUndefined();
    expect(checkCatalog({ regions: [...DEFAULT_CATALOG.regions, region()] }).catalog?.regions).toHaveLength(5);
  });

  it("refuses what the schema rules out, naming where", () => {
    const bad = region({ id: "EU_West", sizeKm: -1 });
    bad.restaurants[0]!.menu[0]!.price = -5;
    const r = checkCatalog({ regions: [bad] });
    expect(r.errors).toEqual([
      expect.stringMatching(/^regions\.0\.id: must be a DNS-1123 label/),
      expect.stringMatching(/^regions\.0\.sizeKm: /),
      expect.stringMatching(/^regions\.0\.restaurants\.0\.menu\.0\.price: must be at least 1 cent/),
    ]);
    expect(
      checkCatalog({ regions: [region({ restaurants: [{ ...region().restaurants[0]!, extra: 1 } as never] })] })
        .errors?.[0],
    ).toMatch(/restaurants\.0: Unrecognized key: "extra"/);
    expect(checkCatalog({ regions: [{ ...region(), sizeKm: 1.5 }] }).errors?.[0]).toMatch(/outside the region/); // at y=2
    const fraction = region();
    fraction.restaurants[0]!.menu[0]!.price = 9.5;
    expect(checkCatalog({ regions: [fraction] }).errors).toEqual([
      "regions.0.restaurants.0.menu.0.price: must be whole cents",
    ]);
  });

  it("refuses duplicate ids and a restaurant outside its region's map", () => {
    const r = region();
    const dup = { ...r, restaurants: [r.restaurants[0]!, { ...r.restaurants[0]!, location: { x: 9, y: 1 } }] };
    dup.restaurants[1]!.menu = [r.restaurants[0]!.menu[0]!, r.restaurants[0]!.menu[0]!];
    expect(checkCatalog({ regions: [dup, r] }).errors).toEqual([
      'duplicate region id "eu-west"',
      'region eu-west: duplicate restaurant id "eu-deli"',
      "region eu-west: restaurant eu-deli at (9, 1) lies outside the region's 5 km map",
      'region eu-west: restaurant eu-deli: duplicate product id "eu-deli-1"',
      // the second copy of the region repeats nothing else
    ]);
  });

  it("checks one region by the same rules, with paths relative to it", () => {
    expect(checkRegion(region()).errors).toBeUndefined();
    expect(checkRegion({ ...region(), name: "" }).errors).toEqual([expect.stringMatching(/^region\.name: /)]);
    expect(checkRegion(null).errors).toEqual([expect.stringMatching(/^region: /)]);
  });
});

describe("orders against a live region", () => {
  const event = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      id: "o-eu-1",
      restaurantId: "eu-deli",
      region: "eu-west",
      products: [{ productId: "eu-deli-1", quantity: 2 }],
      totalCost: 1400,
      deliveryDelay: 0,
      ...over,
    });

  it("accepts an order of a region that is not built in, keeping the priced lines and the restaurant's location", () => {
    const r = parseOrderEvent(event(), "o-eu-1", (id) => (id === "eu-west" ? region() : undefined));
    expect(r).toMatchObject({
      ok: true,
      order: {
        restaurantLocation: { x: 1, y: 2 },
        pricedLines: [{ productId: "eu-deli-1", name: "Club", quantity: 2, price: 700 }],
      },
    });
    expect(parseOrderEvent(event(), "o-eu-1")).toMatchObject({ ok: false, reason: 'unknown region "eu-west"' });
  });

  it("prices at the region it is given: a changed price refuses the old total", () => {
    const read = readOrderEvent(event(), "o-eu-1");
    if (!read.ok) throw new Error(read.reason);
    const dearer = region();
    dearer.restaurants[0]!.menu[0]!.price = 800;
    expect(checkOrderInRegion(read.event, dearer)).toMatchObject({
      ok: false,
      reason: "totalCost 1400 does not match the catalog price 1600 (cents)",
    });
  });
});
