import type { FleetView } from "../../server/api-types.ts";
import { api } from "../lib/api.ts";
import { DRIVER_STATES, segments, verdict } from "../lib/fleet.ts";
import { formatTime } from "../lib/format.ts";
import { useCatalog, usePolling } from "../lib/hooks.ts";
import { Link } from "./Link.tsx";
import { MapLegend, RegionMap, type MapMarker } from "./RegionMap.tsx";

const POLL_MS = 2000;
const stateLabel = (s: string) => DRIVER_STATES.find((d) => d.status === s)?.label ?? s;

/** The drivers of a region by state and the deliveries waiting for one, refreshed every 2 s. */
export function Fleet({ region }: { region: string | null }) {
  const { catalog, error: catalogError } = useCatalog();
  const regions = catalog?.regions ?? [];
  const current = region ?? regions[0]?.id ?? null;
  return (
    <section aria-labelledby="fleet-title" className="fleet">
      <h1 id="fleet-title">Fleet</h1>
      {catalogError && (
        <p role="alert" className="error">
          {catalogError}
        </p>
      )}
      <nav aria-label="Regions" className="tabs">
        {regions.map((r) => (
          <Link
            key={r.id}
            href={`/fleet/${encodeURIComponent(r.id)}`}
            aria-current={r.id === current ? "page" : undefined}
          >
            {r.name}
          </Link>
        ))}
      </nav>
      {current && <FleetOfRegion key={current} region={current} />}
    </section>
  );
}

function FleetOfRegion({ region }: { region: string }) {
  const { value: view, error } = usePolling(() => api.fleet(region), POLL_MS, region);
  if (!view)
    return error ? (
      <p role="alert" className="error">
        {error}
      </p>
    ) : (
      <p aria-busy="true">Loading the fleet…</p>
    );
  const v = verdict(view);
  return (
    <div className="fleet-body" data-testid="fleet" data-region={view.region}>
      <p
        className={`verdict verdict-${v.level}`}
        role={v.level === "bottleneck" ? "alert" : "status"}
        data-testid="fleet-verdict"
      >
        {v.text}
      </p>
      {error && (
        <p className="muted">
          Refresh failed ({error}); showing the state of {formatTime(view.at)}.
        </p>
      )}
      <div className="fleet-grid">
        <div>
          <h2>Drivers by state</h2>
          <CountsBar view={view} />
          <h2>
            Waiting for a driver <span className="count">{view.waiting.length}</span>
          </h2>
          <WaitingQueue view={view} />
        </div>
        <figure>
          <RegionMap
            sizeKm={view.sizeKm}
            title={`Map of ${view.name} with ${view.drivers.length} drivers`}
            markers={fleetMarkers(view)}
          />
          <figcaption>
            <MapLegend
              items={[
                { kind: "restaurant", label: "Restaurant" },
                { kind: "driver", label: "Free", tone: "tone-waiting_for_work" },
                { kind: "driver", label: "Delivering", tone: "tone-delivering" },
                ...(view.access === "operator" ? [{ kind: "customer" as const, label: "Delivery address" }] : []),
              ]}
            />
            {view.access === "public" && (
              <p className="muted" data-testid="fleet-public-note">
                Delivery addresses and order ids are shown to operators only.
              </p>
            )}
          </figcaption>
        </figure>
      </div>
      <h2>Drivers</h2>
      <DriverTable view={view} />
    </div>
  );
}

function fleetMarkers(view: FleetView): MapMarker[] {
  const markers: MapMarker[] = view.restaurants.map((r) => ({
    id: r.id,
    kind: "restaurant",
    location: r.location,
    label: r.name,
  }));
  for (const d of view.drivers) {
    if (d.assignment && d.status === "DELIVERING")
      markers.push({
        id: d.assignment.orderId,
        kind: "customer",
        location: d.assignment.customerLocation,
        label: `Delivery of ${d.assignment.orderId}`,
      });
  }
  for (const d of view.drivers) {
    if (d.location && d.status !== "OFFLINE")
      markers.push({
        id: d.driverId,
        kind: "driver",
        location: d.location,
        label: `${d.driverId}: ${stateLabel(d.status)}`,
        tone: `tone-${d.status.toLowerCase()}`,
      });
  }
  return markers;
}

function CountsBar({ view }: { view: FleetView }) {
  const segs = segments(view.counts);
  return (
    <div>
      <div
        className="counts-bar"
        role="img"
        aria-label={segs.map((s) => `${s.count} ${s.label.toLowerCase()}`).join(", ") || "no drivers"}
      >
        {segs.map((s) => (
          // React applies `style` through the CSSOM, which the CSP (style-src 'self') allows.
          <span key={s.status} className={`seg tone-${s.status.toLowerCase()}`} style={{ width: `${s.percent}%` }}>
            {s.count}
          </span>
        ))}
      </div>
      <ul className="counts" data-testid="driver-counts">
        {DRIVER_STATES.map((s) => (
          <li key={s.status} data-status={s.status}>
            <span className={`dot tone-${s.status.toLowerCase()}`} aria-hidden="true" /> {s.label}:{" "}
            <strong>{view.counts[s.status]}</strong>
          </li>
        ))}
      </ul>
    </div>
  );
}

function WaitingQueue({ view }: { view: FleetView }) {
  if (view.waiting.length === 0) return <p className="muted">No delivery is waiting.</p>;
  return (
    <ol
      className={`queue ${view.bottleneck ? "queue-blocked" : ""}`}
      data-testid="waiting-queue"
      aria-label="Deliveries waiting for a driver"
    >
      {view.waiting.map((w, i) => (
        <li key={w.deliveryId ?? i}>
          {w.orderId || w.deliveryId ? <code>{w.orderId ?? w.deliveryId}</code> : "A delivery"}
          {w.restaurantId && <span className="muted"> from {w.restaurantId}</span>}
          {w.attempts !== undefined && w.attempts > 1 && <span className="muted"> · attempt {w.attempts}</span>}
        </li>
      ))}
    </ol>
  );
}

function DriverTable({ view }: { view: FleetView }) {
  if (view.drivers.length === 0) return <p className="muted">No driver has worked in this region yet.</p>;
  return (
    <div className="table-wrap">
      <table data-testid="drivers">
        <caption className="visually-hidden">Drivers of {view.name}</caption>
        <thead>
          <tr>
            <th scope="col">Driver</th>
            <th scope="col">State</th>
            <th scope="col">Delivering</th>
            <th scope="col">Completed</th>
            <th scope="col">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {view.drivers.map((d) => (
            <tr key={d.driverId} data-driver={d.driverId}>
              <th scope="row">{d.driverId}</th>
              <td>
                <span className={`dot tone-${d.status.toLowerCase()}`} aria-hidden="true" /> {stateLabel(d.status)}
              </td>
              <td>{d.assignment ? <code>{d.assignment.orderId}</code> : d.status === "DELIVERING" ? "yes" : "—"}</td>
              <td>{d.deliveriesCompleted}</td>
              <td>{d.lastSeen ? formatTime(d.lastSeen) : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.unreadable.length > 0 && <p className="muted">Not readable right now: {view.unreadable.join(", ")}</p>}
    </div>
  );
}
