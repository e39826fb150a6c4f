import { useEffect, useReducer, useState } from "react";
import type { Region } from "../../server/api-types.ts";
import { cartReducer, emptyCart } from "../lib/cart.ts";
import { formatCents } from "../lib/format.ts";
import { useCatalog } from "../lib/hooks.ts";
import { Checkout } from "./Checkout.tsx";

/** Browse a region's restaurants and menus; the cart and checkout sit beside the menu. */
export function Shop() {
  const { catalog, error } = useCatalog();
  const [regionId, setRegionId] = useState<string | null>(null);
  const [restaurantId, setRestaurantId] = useState<string | null>(null);
  const [cart, dispatch] = useReducer(cartReducer, emptyCart);

  const region: Region | undefined = catalog?.regions.find((r) => r.id === regionId) ?? catalog?.regions[0];
  const restaurant = region?.restaurants.find((r) => r.id === restaurantId) ?? region?.restaurants[0];
  useEffect(() => setRestaurantId(null), [regionId]);

  if (error)
    return (
      <p role="alert" className="error">
        The catalog could not be loaded: {error}
      </p>
    );
  if (!catalog) return <p aria-busy="true">Loading the menu…</p>;
  if (!region)
    return (
      <p role="alert" className="error">
        This shop serves no region yet.
      </p>
    );

  return (
    <div className="shop">
      <section aria-labelledby="shop-title" className="browse">
        <div className="browse-head">
          <h1 id="shop-title">Order food in {region.name}</h1>
          <label className="inline-field">
            Region
            <select value={region.id} onChange={(e) => setRegionId(e.target.value)}>
              {catalog.regions.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <h2 className="visually-hidden">Restaurants</h2>
        <ul className="restaurants" aria-label="Restaurants">
          {region.restaurants.map((r) => (
            <li key={r.id}>
              <button
                type="button"
                className="restaurant"
                aria-pressed={r.id === restaurant?.id}
                onClick={() => setRestaurantId(r.id)}
              >
                <strong>{r.name}</strong>
                <span className="muted">{r.cuisine}</span>
              </button>
            </li>
          ))}
        </ul>
        {restaurant && (
          <section aria-labelledby="menu-title" className="menu">
            <h2 id="menu-title">{restaurant.name}: menu</h2>
            <ul aria-label={`Menu of ${restaurant.name}`}>
              {restaurant.menu.map((item) => (
                <li key={item.productId} className="menu-item">
                  <span className="menu-name">{item.name}</span>
                  <span className="price">{formatCents(item.price)}</span>
                  <button
                    type="button"
                    aria-label={`Add ${item.name} to the cart`}
                    onClick={() => dispatch({ type: "add", region: region.id, restaurant, item })}
                  >
                    Add
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </section>
      <Checkout cart={cart} dispatch={dispatch} />
    </div>
  );
}
