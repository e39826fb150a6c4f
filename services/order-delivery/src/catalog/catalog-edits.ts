import { checkRegion, type Region, type Restaurant } from "@food-ordering/contracts";

/**
 * The catalog's writes as pure functions from the region as it is to the region as it would be,
 * each checked by the catalog's one schema (checkRegion). `errors` means: refuse, change nothing.
 */
export type Edit = { region: Region; errors?: undefined } | { errors: string[] };

export function putRegion(key: string, data: unknown): Edit {
  const checked = checkRegion(data);
  if (checked.errors) return checked;
  if (checked.region.id !== key)
    return { errors: [`region.id "${checked.region.id}" is not the region this call addresses ("${key}")`] };
  return checked;
}

export function upsertRestaurant(current: Region | undefined, key: string, restaurant: unknown): Edit {
  if (!current) return { errors: [`region "${key}" is not in the catalog: put the region first`] };
  const id = (restaurant as Partial<Restaurant> | null)?.id;
  const others = current.restaurants.filter((r) => r.id !== id);
  return checkRegion({ ...current, restaurants: [...others, restaurant] });
}

export function setPrice(
  current: Region | undefined,
  key: string,
  change: { restaurantId?: unknown; productId?: unknown; price?: unknown } | null,
): Edit {
  if (!current) return { errors: [`region "${key}" is not in the catalog`] };
  const restaurant = current.restaurants.find((r) => r.id === change?.restaurantId);
  if (!restaurant) return { errors: [`region ${key} has no restaurant "${String(change?.restaurantId)}"`] };
  if (!restaurant.menu.some((m) => m.productId === change?.productId))
    return { errors: [`restaurant ${restaurant.id} has no product "${String(change?.productId)}"`] };
  return checkRegion({
    ...current,
    restaurants: current.restaurants.map((r) =>
      r !== restaurant
        ? r
        : { ...r, menu: r.menu.map((m) => (m.productId === change?.productId ? { ...m, price: change.price } : m)) },
    ),
  });
}
