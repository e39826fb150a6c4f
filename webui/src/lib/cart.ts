import type { MenuItem, Restaurant } from "@food-ordering/contracts";

/**
 * The cart: lines of one restaurant (an order goes to a single kitchen). Adding a dish of
 * another restaurant starts a new cart, and says so through `replaced`.
 */
export interface CartLine {
  productId: string;
  name: string;
  price: number;
  quantity: number;
}
export interface Cart {
  region: string | null;
  restaurantId: string | null;
  restaurantName: string | null;
  lines: CartLine[];
  /** Name of the restaurant whose cart the last add replaced, for a notice. */
  replaced: string | null;
}

export const MAX_QUANTITY = 100;
export const emptyCart: Cart = { region: null, restaurantId: null, restaurantName: null, lines: [], replaced: null };

export type CartAction =
  | { type: "add"; region: string; restaurant: Restaurant; item: MenuItem }
  | { type: "setQuantity"; productId: string; quantity: number }
  | { type: "clear" };

export function cartReducer(cart: Cart, action: CartAction): Cart {
  switch (action.type) {
    case "add": {
      const same = cart.restaurantId === action.restaurant.id && cart.region === action.region;
      const base = same ? cart : { ...emptyCart, replaced: cart.lines.length ? cart.restaurantName : null };
      const existing = base.lines.find((l) => l.productId === action.item.productId);
      const lines = existing
        ? base.lines.map((l) => (l === existing ? { ...l, quantity: Math.min(MAX_QUANTITY, l.quantity + 1) } : l))
        : [
            ...base.lines,
            { productId: action.item.productId, name: action.item.name, price: action.item.price, quantity: 1 },
          ];
      return {
        region: action.region,
        restaurantId: action.restaurant.id,
        restaurantName: action.restaurant.name,
        lines,
        replaced: same ? null : base.replaced,
      };
    }
    case "setQuantity": {
      const quantity = Math.max(0, Math.min(MAX_QUANTITY, Math.floor(action.quantity)));
      if (!Number.isFinite(quantity)) return cart;
      const lines = cart.lines.flatMap((l) =>
        l.productId !== action.productId ? [l] : quantity === 0 ? [] : [{ ...l, quantity }],
      );
      return lines.length ? { ...cart, lines, replaced: null } : emptyCart;
    }
    case "clear":
      return emptyCart;
  }
}

export const cartTotal = (cart: Cart): number => cart.lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
export const cartCount = (cart: Cart): number => cart.lines.reduce((sum, l) => sum + l.quantity, 0);
