import type { Location } from "../../server/api-types.ts";
import { gridLines, toSvg, viewBoxOf } from "../lib/map.ts";

export interface MapMarker {
  id: string;
  kind: "restaurant" | "customer" | "driver";
  location: Location;
  label: string;
  /** Extra class for the marker, e.g. a driver's status. */
  tone?: string;
}

const RADIUS = { restaurant: 0.32, customer: 0.32, driver: 0.24 };

/** A square map of a region in km, with markers and an optional route line. */
export function RegionMap({
  sizeKm,
  markers,
  route,
  title,
}: {
  sizeKm: number;
  markers: MapMarker[];
  route?: Location[];
  title: string;
}) {
  const grid = gridLines(sizeKm);
  const points = route?.map((p) => toSvg(p, sizeKm));
  return (
    <svg className="region-map" viewBox={viewBoxOf(sizeKm)} role="img" aria-label={title} data-testid="region-map">
      <title>{title}</title>
      <rect x={0} y={0} width={sizeKm} height={sizeKm} className="map-ground" />
      {grid.map((v) => (
        <g key={v} className="map-grid">
          <line x1={v} y1={0} x2={v} y2={sizeKm} />
          <line x1={0} y1={v} x2={sizeKm} y2={v} />
        </g>
      ))}
      {points && points.length > 1 && (
        <polyline className="map-route" points={points.map((p) => `${p.cx},${p.cy}`).join(" ")} />
      )}
      {markers.map((m) => {
        const { cx, cy } = toSvg(m.location, sizeKm);
        return (
          <g
            key={`${m.kind}:${m.id}`}
            className={`marker marker-${m.kind} ${m.tone ?? ""}`}
            data-testid={`marker-${m.kind}`}
            data-x={m.location.x.toFixed(3)}
            data-y={m.location.y.toFixed(3)}
          >
            <title>{m.label}</title>
            {m.kind === "restaurant" ? (
              <rect
                x={cx - RADIUS.restaurant}
                y={cy - RADIUS.restaurant}
                width={RADIUS.restaurant * 2}
                height={RADIUS.restaurant * 2}
                rx={0.06}
              />
            ) : (
              <circle cx={cx} cy={cy} r={RADIUS[m.kind]} />
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function MapLegend({ items }: { items: Array<{ kind: MapMarker["kind"]; label: string; tone?: string }> }) {
  return (
    <ul className="legend" aria-label="Map legend">
      {items.map((i) => (
        <li key={`${i.kind}${i.tone ?? ""}`}>
          <svg viewBox="-1 -1 2 2" aria-hidden="true">
            <g className={`marker marker-${i.kind} ${i.tone ?? ""}`}>
              {i.kind === "restaurant" ? (
                <rect x={-0.7} y={-0.7} width={1.4} height={1.4} rx={0.15} />
              ) : (
                <circle r={0.7} />
              )}
            </g>
          </svg>
          {i.label}
        </li>
      ))}
    </ul>
  );
}
