import { useState } from "react";
import type { OrderStatusView } from "../../server/api-types.ts";
import { api } from "../lib/api.ts";
import { cancelCapabilityOf } from "../lib/cancel-capability.ts";
import { formatCents, formatCountdown, formatTime } from "../lib/format.ts";
import { useCatalog, useNow, useOrderStream, type StreamState } from "../lib/hooks.ts";
import { CANCELLABLE, STATUS_LABELS, isFinal, timelineSteps } from "../lib/timeline.ts";
import { Link } from "./Link.tsx";
import { OrderTrace } from "./OrderTrace.tsx";
import { MapLegend, RegionMap, type MapMarker } from "./RegionMap.tsx";

const STREAM_NOTES: Record<StreamState, string> = {
  connecting: "Connecting…",
  waiting: "Your order is on its way into the system…",
  live: "Live",
  interrupted: "Live updates interrupted, reconnecting…",
  ended: "Final",
  "not-found": "Order not found",
};

/** One order, live: status, ETA countdown, timeline with times, the map, and cancel while allowed. */
export function Tracking({ id }: { id: string }) {
  const { view, state, problem } = useOrderStream(id);
  return (
    <section aria-labelledby="order-title" className="tracking">
      <div className="tracking-head">
        <h1 id="order-title">Your order</h1>
        <p className="muted order-id">
          Order <code>{id}</code>
        </p>
        <p className={`stream stream-${state}`} role="status" data-testid="stream-state">
          {STREAM_NOTES[state]}
          {problem && state === "interrupted" ? ` (${problem})` : ""}
        </p>
      </div>
      {state === "not-found" && (
        <p role="alert" className="error">
          There is no order with this id. <Link href="/">Back to the shop</Link>
        </p>
      )}
      {view && <OrderDetails view={view} />}
      {view && <OrderTrace id={id} final={isFinal(view.status)} />}
    </section>
  );
}

function OrderDetails({ view }: { view: OrderStatusView }) {
  const now = useNow();
  const { catalog } = useCatalog();
  const region = catalog?.regions.find((r) => r.id === view.region);
  const restaurant = region?.restaurants.find((r) => r.id === view.restaurantId);
  const showEta = view.eta !== null && (view.status === "IN_DELIVERY" || view.status === "WAITING_FOR_DRIVER");
  const markers: MapMarker[] = [];
  if (view.restaurantLocation)
    markers.push({
      id: "r",
      kind: "restaurant",
      location: view.restaurantLocation,
      label: restaurant?.name ?? "Restaurant",
    });
  if (view.customerLocation) markers.push({ id: "c", kind: "customer", location: view.customerLocation, label: "You" });
  if (view.driverLocation)
    markers.push({
      id: view.driverId ?? "d",
      kind: "driver",
      location: view.driverLocation,
      label: `Driver ${view.driverId ?? ""}`.trim(),
    });
  const route =
    view.restaurantLocation && view.customerLocation ? [view.restaurantLocation, view.customerLocation] : undefined;

  return (
    <div className="tracking-body">
      <div className="tracking-main">
        <p
          className={`status-badge status-${view.status.toLowerCase()}`}
          data-testid="order-status"
          data-status={view.status}
        >
          {STATUS_LABELS[view.status]}
        </p>
        {view.status === "REJECTED" && (
          <p role="alert" className="error" data-testid="rejection-reason">
            The order was rejected: {view.rejectionReason ?? "no reason given"}
          </p>
        )}
        {showEta && view.eta !== null && (
          <p className="eta" data-testid="eta">
            Arrives in <strong>{formatCountdown(view.eta, now)}</strong>{" "}
            <span className="muted">(around {formatTime(view.eta)})</span>
          </p>
        )}
        <dl className="facts">
          {restaurant && (
            <>
              <dt>From</dt>
              <dd>{restaurant.name}</dd>
            </>
          )}
          {view.totalCost !== undefined && (
            <>
              <dt>Total</dt>
              <dd>{formatCents(view.totalCost)}</dd>
            </>
          )}
          {view.driverId && (
            <>
              <dt>Driver</dt>
              <dd>{view.driverId}</dd>
            </>
          )}
        </dl>
        {CANCELLABLE.includes(view.status) && <CancelButton id={view.id} />}
        <h2>Timeline</h2>
        <ol className="timeline" data-testid="timeline" aria-label="Order timeline">
          {timelineSteps(view).map((step, i) => (
            <li
              key={`${step.status}-${i}`}
              className={`step step-${step.state}`}
              data-status={step.status}
              aria-current={step.state === "current" ? "step" : undefined}
            >
              <span className="step-label">{step.label}</span>
              {step.at !== undefined ? (
                <time dateTime={new Date(step.at).toISOString()}>{formatTime(step.at)}</time>
              ) : (
                <span className="muted">pending</span>
              )}
              {step.detail && <span className="step-detail">{step.detail}</span>}
            </li>
          ))}
        </ol>
      </div>
      {region && (
        <figure className="tracking-map">
          <RegionMap
            sizeKm={region.sizeKm}
            markers={markers}
            route={route}
            title={`Map of ${region.name}: restaurant, your address${view.driverLocation ? " and your driver" : ""}`}
          />
          <figcaption>
            <MapLegend
              items={[
                { kind: "restaurant", label: "Restaurant" },
                { kind: "customer", label: "You" },
                { kind: "driver", label: "Driver" },
              ]}
            />
          </figcaption>
        </figure>
      )}
    </div>
  );
}

function CancelButton({ id }: { id: string }) {
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<string | null>(null);
  const capability = cancelCapabilityOf(id);
  if (!capability) return <p className="muted">This order can be cancelled only from the browser it was placed in.</p>;
  const cancel = async () => {
    setBusy(true);
    try {
      const r = await api.cancel(id, capability);
      setAnswer(r.cancelled ? "Cancelled: your payment is refunded." : `Could not cancel: ${r.reason ?? "too late"}`);
    } catch (e) {
      setAnswer(`Could not cancel: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="cancel">
      <button type="button" onClick={() => void cancel()} disabled={busy}>
        {busy ? "Cancelling…" : "Cancel order"}
      </button>
      {answer && <p role="status">{answer}</p>}
    </div>
  );
}
