import type { Catalog, MenuItem, Region, Restaurant } from "./catalog-schema.ts";

export type { Catalog, MenuItem, Region, Restaurant } from "./catalog-schema.ts";

/**
 * The built-in catalog: the default data set. The live catalog is operational data held by the
 * durable `catalog` object (a region it has no state for answers its entry here), changed with
 * `npm run catalog` / `kubectl food catalog` or the chart's `catalog` value; see docs/configuration.md.
 * The lookups below read only this default set: code that must see run-time changes asks the
 * `catalog` object (order intake, the web UI, the simulators).
 */

const menu = (prefix: string, items: [string, number][]): MenuItem[] =>
  items.map(([name, price], i) => ({ productId: `${prefix}-${i + 1}`, name, price }));

export const DEFAULT_CATALOG: Catalog = {
  regions: [
    {
      id: "amsterdam",
      name: "Amsterdam",
      sizeKm: 10,
      restaurants: [
        {
          id: "ams-pizzeria",
          name: "Pizzeria Napoli",
          cuisine: "Pizza",
          location: { x: 3, y: 4 },
          menu: menu("ams-pz", [
            ["Margherita", 950],
            ["Quattro formaggi", 1250],
            ["Diavola", 1150],
            ["Tiramisu", 550],
          ]),
        },
        {
          id: "ams-sushi",
          name: "Sushi Kanal",
          cuisine: "Sushi",
          location: { x: 6, y: 7 },
          menu: menu("ams-su", [
            ["Salmon nigiri (4)", 800],
            ["California roll", 1100],
            ["Miso soup", 350],
          ]),
        },
        {
          id: "ams-burger",
          name: "Burger Dam",
          cuisine: "Burgers",
          location: { x: 7, y: 2 },
          menu: menu("ams-bg", [
            ["Classic burger", 1050],
            ["Veggie burger", 990],
            ["Fries", 400],
          ]),
        },
      ],
    },
    {
      id: "berlin",
      name: "Berlin",
      sizeKm: 12,
      restaurants: [
        {
          id: "ber-doner",
          name: "Kreuzberg Döner",
          cuisine: "Turkish",
          location: { x: 5, y: 5 },
          menu: menu("ber-dn", [
            ["Döner kebab", 700],
            ["Falafel wrap", 650],
            ["Ayran", 250],
          ]),
        },
        {
          id: "ber-curry",
          name: "Currywurst 36",
          cuisine: "German",
          location: { x: 8, y: 3 },
          menu: menu("ber-cw", [
            ["Currywurst", 450],
            ["Pommes", 350],
            ["Club-Mate", 300],
          ]),
        },
        {
          id: "ber-vegan",
          name: "Grün",
          cuisine: "Vegan",
          location: { x: 2, y: 9 },
          menu: menu("ber-vg", [
            ["Buddha bowl", 1200],
            ["Seitan schnitzel", 1350],
          ]),
        },
      ],
    },
    {
      id: "paris",
      name: "Paris",
      sizeKm: 10,
      restaurants: [
        {
          id: "par-bistro",
          name: "Le Petit Bistro",
          cuisine: "French",
          location: { x: 4, y: 6 },
          menu: menu("par-bi", [
            ["Croque monsieur", 900],
            ["Soupe à l'oignon", 800],
            ["Crème brûlée", 650],
          ]),
        },
        {
          id: "par-crepe",
          name: "Crêperie Montmartre",
          cuisine: "Crêpes",
          location: { x: 6, y: 8 },
          menu: menu("par-cr", [
            ["Galette complète", 1000],
            ["Crêpe Nutella", 600],
          ]),
        },
      ],
    },
    {
      id: "lisbon",
      name: "Lisbon",
      sizeKm: 8,
      restaurants: [
        {
          id: "lis-tasca",
          name: "Tasca do Bairro",
          cuisine: "Portuguese",
          location: { x: 3, y: 3 },
          menu: menu("lis-ta", [
            ["Bacalhau à Brás", 1400],
            ["Caldo verde", 500],
            ["Pastel de nata", 200],
          ]),
        },
        {
          id: "lis-grill",
          name: "Grelhados",
          cuisine: "Grill",
          location: { x: 5, y: 6 },
          menu: menu("lis-gr", [
            ["Frango piri-piri", 1100],
            ["Sardinhas", 1000],
          ]),
        },
      ],
    },
  ],
};

/** The built-in regions' ids. */
export const REGION_IDS: readonly string[] = DEFAULT_CATALOG.regions.map((r) => r.id);

/** A built-in region (the live catalog may add regions and change these: read it through Restate). */
export function findRegion(regionId: string): Region | undefined {
  return DEFAULT_CATALOG.regions.find((r) => r.id === regionId);
}

export function findRestaurant(regionId: string, restaurantId: string): Restaurant | undefined {
  return findRegion(regionId)?.restaurants.find((r) => r.id === restaurantId);
}
