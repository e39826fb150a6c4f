import type { Cart } from "./cart.ts";

/**
 * Turns the cart and the checkout form into the body of POST /api/orders. The browser checks
 * only what it needs to build a request; prices, the catalog and the clock are the server's
 * to judge, and its field errors are shown as they come.
 */
export type DeliveryChoice = { kind: "asap" } | { kind: "later"; localTime: string };

export interface OrderRequestBody {
  region: string;
  restaurantId: string;
  items: Array<{ productId: string; quantity: number }>;
  deliverAt?: string;
  paymentToken?: string;
}

export type CheckoutResult = { ok: true; body: OrderRequestBody } | { ok: false; field: string; message: string };

/** A `datetime-local` value (local wall time, no zone) as an ISO instant, or null if malformed. */
export function localInputToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The `datetime-local` value for `epochMs` in the browser's zone, e.g. "2030-01-01T12:30". */
export function isoToLocalInput(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function buildOrderRequest(cart: Cart, delivery: DeliveryChoice, paymentToken?: string): CheckoutResult {
  if (!cart.region || !cart.restaurantId || cart.lines.length === 0)
    return { ok: false, field: "items", message: "Your cart is empty: add a dish first." };
  const body: OrderRequestBody = {
    region: cart.region,
    restaurantId: cart.restaurantId,
    items: cart.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
  };
  if (delivery.kind === "later") {
    const iso = localInputToIso(delivery.localTime);
    if (!iso) return { ok: false, field: "deliverAt", message: "Choose a delivery date and time." };
    body.deliverAt = iso;
  }
  if (paymentToken) body.paymentToken = paymentToken;
  return { ok: true, body };
}

/** Names of the request's fields as the form calls them, for the server's field errors. */
const FIELD_LABELS: Record<string, string> = {
  region: "Region",
  restaurantId: "Restaurant",
  items: "Cart",
  deliverAt: "Delivery time",
  deliveryDelayMs: "Delivery time",
  customerLocation: "Delivery address",
  paymentToken: "Payment",
};
export const fieldLabel = (field: string): string => FIELD_LABELS[field.split(".")[0] ?? ""] ?? field;
