import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "@food-ordering/contracts";
import { cartCount, cartReducer, cartTotal, emptyCart, type Cart } from "../../src/lib/cart.ts";
import { buildOrderRequest, fieldLabel, isoToLocalInput, localInputToIso } from "../../src/lib/checkout.ts";
import { formatCents, formatCountdown, shortId } from "../../src/lib/format.ts";
import { parseRoute } from "../../src/lib/router.ts";

const ams = DEFAULT_CATALOG.regions[0]!;
const pizzeria = ams.restaurants[0]!;
const sushi = ams.restaurants[1]!;
const add = (cart: Cart, restaurant = pizzeria, i = 0) =>
  cartReducer(cart, { type: "add", region: ams.id, restaurant, item: restaurant.menu[i]! });

describe("cart", () => {
  it("adds, counts and totals dishes of one restaurant", () => {
    const cart = add(add(add(emptyCart), pizzeria, 1));
    expect(cart.lines.map((l) => [l.productId, l.quantity])).toEqual([
      ["ams-pz-1", 2],
      ["ams-pz-2", 1],
    ]);
    expect(cartCount(cart)).toBe(3);
    expect(cartTotal(cart)).toBe(2 * 950 + 1250);
  });

  it("starts a new cart for another restaurant and names the one replaced", () => {
    const cart = add(add(emptyCart), sushi);
    expect(cart.restaurantId).toBe(sushi.id);
    expect(cart.lines).toHaveLength(1);
    expect(cart.replaced).toBe(pizzeria.name);
    expect(add(cart, sushi, 1).replaced).toBeNull();
  });

  it("clamps quantities and drops a line set to zero", () => {
    let cart = add(emptyCart);
    cart = cartReducer(cart, { type: "setQuantity", productId: "ams-pz-1", quantity: 500 });
    expect(cart.lines[0]!.quantity).toBe(100);
    cart = cartReducer(cart, { type: "setQuantity", productId: "ams-pz-1", quantity: Number.NaN });
    expect(cart.lines[0]!.quantity).toBe(100);
    cart = cartReducer(cart, { type: "setQuantity", productId: "ams-pz-1", quantity: 0 });
    expect(cart).toEqual(emptyCart);
  });
});

describe("checkout", () => {
  it("builds the request body from the cart", () => {
    const r = buildOrderRequest(add(emptyCart), { kind: "asap" }, "tok_visa");
    expect(r).toEqual({
      ok: true,
      body: {
        region: "amsterdam",
        restaurantId: "ams-pizzeria",
        items: [{ productId: "ams-pz-1", quantity: 1 }],
        paymentToken: "tok_visa",
      },
    });
  });

  it("sends a later time as an ISO instant", () => {
    const local = isoToLocalInput(Date.parse("2031-02-03T04:05:00Z"));
    const r = buildOrderRequest(add(emptyCart), { kind: "later", localTime: local });
    expect(r.ok && r.body.deliverAt).toBe("2031-02-03T04:05:00.000Z");
  });

  it("refuses an empty cart or a missing time before calling the server", () => {
    expect(buildOrderRequest(emptyCart, { kind: "asap" })).toMatchObject({ ok: false, field: "items" });
    expect(buildOrderRequest(add(emptyCart), { kind: "later", localTime: "" })).toMatchObject({
      ok: false,
      field: "deliverAt",
    });
    expect(localInputToIso("2031-13-45T99:99")).toBeNull();
  });

  it("names the server's fields as the form does", () => {
    expect(fieldLabel("deliverAt")).toBe("Delivery time");
    expect(fieldLabel("items.0.productId")).toBe("Cart");
    expect(fieldLabel("(body)")).toBe("(body)");
  });
});

describe("formats", () => {
  it("formats money, countdowns and ids", () => {
    expect(formatCents(1250)).toBe("€12.50");
    expect(formatCountdown(65_000, 0)).toBe("1:05");
    expect(formatCountdown(3_600_000 + 3000, 0)).toBe("1:00:03");
    expect(formatCountdown(1000, 400)).toBe("0:01");
    expect(formatCountdown(0, 10)).toBe("any moment");
    expect(shortId("web-0123456789abcdef")).toBe("web-01234567…");
  });
});

describe("routes", () => {
  it("maps paths to pages", () => {
    expect(parseRoute("/")).toEqual({ page: "shop" });
    expect(parseRoute("/orders/web-1%3Ax")).toEqual({ page: "order", id: "web-1:x" });
    expect(parseRoute("/fleet")).toEqual({ page: "fleet", region: null });
    expect(parseRoute("/fleet/berlin/")).toEqual({ page: "fleet", region: "berlin" });
    expect(parseRoute("/admin")).toEqual({ page: "missing" });
  });
});
