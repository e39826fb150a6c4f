import { z } from "zod";
import { Location } from "./geo.ts";

/**
 * The catalog's one schema: regions with their map size, restaurants with location and menu.
 * The durable services validate writes with it (checkCatalog), and the Helm chart's
 * values.schema.json embeds its JSON Schema (catalogJsonSchema; a chart test keeps the two equal),
 * so a catalog file, a chart value and a run-time change are checked by the same rules.
 */

/** A region's id names Kubernetes objects (the driver Deployment): a DNS-1123 label. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const dnsLabel = "must be a DNS-1123 label: 1-63 lowercase letters, digits and '-', starting and ending alphanumeric";

const CatalogId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 characters of A-Z a-z 0-9 . _ -, starting alphanumeric");
const Label = z.string().min(1).max(100);

export const MenuItemSchema = z.strictObject({
  productId: CatalogId,
  name: Label,
  /** Price in cents. */
  price: z.number().int("must be whole cents").min(1, "must be at least 1 cent").max(10_000_000),
});
export const RestaurantSchema = z.strictObject({
  id: CatalogId,
  name: Label,
  cuisine: Label,
  location: Location,
  menu: z.array(MenuItemSchema).min(1, "a restaurant needs at least one menu item").max(200),
});
export const RegionSchema = z.strictObject({
  id: z.string().regex(DNS_LABEL, dnsLabel),
  name: Label,
  /** Map size in km (square). */
  sizeKm: z.number().positive().max(1000),
  restaurants: z.array(RestaurantSchema).max(500),
});
export const CatalogSchema = z.strictObject({ regions: z.array(RegionSchema).max(1000) });

export type MenuItem = z.infer<typeof MenuItemSchema>;
export type Restaurant = z.infer<typeof RestaurantSchema>;
export type Region = z.infer<typeof RegionSchema>;
export type Catalog = z.infer<typeof CatalogSchema>;

export type CatalogCheck = { catalog: Catalog; errors?: undefined } | { catalog?: undefined; errors: string[] };

const where = (path: PropertyKey[]): string => (path.length ? path.map(String).join(".") : "catalog");

function duplicates(ids: string[]): string[] {
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}

/** What the schema cannot say: ids unique where they are looked up, restaurants inside their map. */
function semanticErrors(catalog: Catalog): string[] {
  const errors: string[] = [];
  for (const id of duplicates(catalog.regions.map((r) => r.id))) errors.push(`duplicate region id "${id}"`);
  catalog.regions.forEach((region) => {
    for (const id of duplicates(region.restaurants.map((r) => r.id)))
      errors.push(`region ${region.id}: duplicate restaurant id "${id}"`);
    for (const r of region.restaurants) {
      if (r.location.x > region.sizeKm || r.location.y > region.sizeKm)
        errors.push(
          `region ${region.id}: restaurant ${r.id} at (${r.location.x}, ${r.location.y}) ` +
            `lies outside the region's ${region.sizeKm} km map`,
        );
      for (const id of duplicates(r.menu.map((m) => m.productId)))
        errors.push(`region ${region.id}: restaurant ${r.id}: duplicate product id "${id}"`);
    }
  });
  return errors;
}

/** Validates catalog data: every problem at once, each naming where it is; nothing partial is returned. */
export function checkCatalog(data: unknown): CatalogCheck {
  const parsed = CatalogSchema.safeParse(data);
  if (!parsed.success) return { errors: parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`) };
  const errors = semanticErrors(parsed.data);
  return errors.length ? { errors } : { catalog: parsed.data };
}

/** One region, checked by the same rules (the durable catalog stores regions one by one). */
export function checkRegion(data: unknown): { region: Region; errors?: undefined } | { errors: string[] } {
  const checked = checkCatalog({ regions: [data] });
  if (checked.errors)
    return { errors: checked.errors.map((e) => e.replace(/^regions\.0(\.|:)/, (_, c: string) => `region${c}`)) };
  return { region: checked.catalog.regions[0]! };
}

/** The catalog's JSON Schema (draft-07, as Helm's values.schema.json reads it). */
export function catalogJsonSchema(): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(CatalogSchema, { target: "draft-7" }) as Record<string, unknown>;
  return schema;
}
