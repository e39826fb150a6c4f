import { useId, useState, type Dispatch, type FormEvent } from "react";
import { cartCount, cartTotal, MAX_QUANTITY, type Cart, type CartAction } from "../lib/cart.ts";
import { buildOrderRequest, fieldLabel, isoToLocalInput } from "../lib/checkout.ts";
import { ApiRequestError, api } from "../lib/api.ts";
import { formatCents } from "../lib/format.ts";
import { navigate } from "../lib/router.ts";
import { keepCancelCapability } from "../lib/cancel-capability.ts";

interface Problem {
  message: string;
  fields: Array<{ field: string; message: string }>;
}

/** Test cards of the payment stub: the declined one shows how a rejected order looks. */
const CARDS = [
  { token: "tok_visa", label: "Test card (accepted)" },
  { token: "tok_chargeDeclined", label: "Test card (declined)" },
];

/** The cart and the checkout form: delivery as soon as possible or at a chosen time. */
export function Checkout({ cart, dispatch }: { cart: Cart; dispatch: Dispatch<CartAction> }) {
  const ids = useId();
  const [when, setWhen] = useState<"asap" | "later">("asap");
  const [localTime, setLocalTime] = useState(() => isoToLocalInput(Date.now() + 30 * 60_000));
  const [card, setCard] = useState(CARDS[0]!.token);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    const built = buildOrderRequest(cart, when === "asap" ? { kind: "asap" } : { kind: "later", localTime }, card);
    if (!built.ok) {
      setProblem({ message: built.message, fields: [] });
      return;
    }
    setBusy(true);
    try {
      const { id, cancelCapability } = await api.placeOrder(built.body);
      keepCancelCapability(id, cancelCapability);
      dispatch({ type: "clear" });
      navigate(`/orders/${encodeURIComponent(id)}`);
    } catch (err) {
      const e = err instanceof ApiRequestError ? err : new ApiRequestError(0, (err as Error).message);
      setProblem(
        e.fields.length
          ? { message: "Please check your order:", fields: e.fields }
          : { message: e.message, fields: [] },
      );
      setBusy(false);
    }
  };

  return (
    <aside className="cart" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>
        Your cart{" "}
        {cart.lines.length > 0 && (
          <span className="muted">
            ({cartCount(cart)} {cartCount(cart) === 1 ? "item" : "items"})
          </span>
        )}
      </h2>
      {cart.replaced && (
        <p role="status" className="notice">
          A new cart was started for {cart.restaurantName}; the dishes from {cart.replaced} were removed (one restaurant
          per order).
        </p>
      )}
      {cart.lines.length === 0 ? (
        <p className="muted">Add dishes from a menu to start an order.</p>
      ) : (
        <>
          <p className="muted">From {cart.restaurantName}</p>
          <ul className="cart-lines" aria-label="Cart">
            {cart.lines.map((l) => (
              <li key={l.productId}>
                <label>
                  <span className="visually-hidden">Quantity of </span>
                  {l.name}
                  <input
                    type="number"
                    min={0}
                    max={MAX_QUANTITY}
                    value={l.quantity}
                    onChange={(e) =>
                      dispatch({ type: "setQuantity", productId: l.productId, quantity: Number(e.target.value) })
                    }
                  />
                </label>
                <span className="price">{formatCents(l.price * l.quantity)}</span>
              </li>
            ))}
          </ul>
          <p className="total">
            Total <strong data-testid="cart-total">{formatCents(cartTotal(cart))}</strong>
          </p>
        </>
      )}
      <form onSubmit={(e) => void submit(e)} aria-label="Checkout" noValidate>
        <fieldset>
          <legend>Delivery</legend>
          <label className="choice">
            <input type="radio" name="when" value="asap" checked={when === "asap"} onChange={() => setWhen("asap")} />{" "}
            As soon as possible
          </label>
          <label className="choice">
            <input
              type="radio"
              name="when"
              value="later"
              checked={when === "later"}
              onChange={() => setWhen("later")}
            />{" "}
            Later
          </label>
          {when === "later" && (
            <label className="field">
              Delivery time
              <input
                type="datetime-local"
                value={localTime}
                onChange={(e) => setLocalTime(e.target.value)}
                aria-invalid={problem?.fields.some((f) => f.field === "deliverAt") || undefined}
              />
            </label>
          )}
        </fieldset>
        <label className="field">
          Payment
          <select value={card} onChange={(e) => setCard(e.target.value)}>
            {CARDS.map((c) => (
              <option key={c.token} value={c.token}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        {problem && (
          <div role="alert" className="error" data-testid="checkout-error">
            <p>{problem.message}</p>
            {problem.fields.length > 0 && (
              <ul>
                {problem.fields.map((f) => (
                  <li key={`${f.field}:${f.message}`}>
                    <strong>{fieldLabel(f.field)}</strong>: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || cart.lines.length === 0}>
          {busy ? "Placing order…" : "Place order"}
        </button>
      </form>
    </aside>
  );
}
