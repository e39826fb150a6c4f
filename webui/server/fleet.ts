import { DRIVER_STATUSES, type DriverStatus, type DriverView, type Region } from "@food-ordering/contracts";
import type { FleetView, WaitingDelivery } from "./api-types.ts";
import type { Backend } from "./restate.ts";
import type { DriverFix } from "./live-state.ts";

/** Reads per fleet request are bounded: a large roster must not fan out into hundreds of calls. */
export const MAX_DRIVERS_READ = 200;
export const MAX_WAITING_READ = 50;
const CONCURRENCY = 16;

/** Maps with at most `limit` calls in flight; failures are kept per item, never thrown. */
async function mapSettled<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { status: "fulfilled", value: await fn(items[i]!) };
      } catch (reason) {
        out[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A driver as its twin knows it, at its latest fix in this region when that is newer than the twin's news. */
export function withFix(driver: DriverView, region: string, fix: DriverFix | undefined): DriverView {
  if (!fix || fix.region !== region || fix.at <= (driver.lastSeen ?? 0) || driver.status === "OFFLINE") return driver;
  return { ...driver, location: fix.location, lastSeen: fix.at };
}

/**
 * The fleet as anonymous visitors may see it: drivers, their positions and counts, but no
 * customer's address and no order or delivery id (an assignment carries both). Operators get
 * readFleet's whole view.
 */
export function publicFleet(view: FleetView): FleetView {
  return {
    ...view,
    access: "public",
    drivers: view.drivers.map(({ assignment: _hidden, ...driver }) => driver),
    waiting: view.waiting.map(({ restaurantId, attempts }) => ({ restaurantId, attempts })),
  };
}

export function countByStatus(drivers: readonly DriverView[]): Record<DriverStatus, number> {
  const counts = Object.fromEntries(DRIVER_STATUSES.map((s) => [s, 0])) as Record<DriverStatus, number>;
  for (const d of drivers) counts[d.status] += 1;
  return counts;
}

/**
 * The region's fleet: the matcher's pool and queue, each roster driver's digital twin, and
 * the waiting deliveries. A driver or delivery that cannot be read is reported, not fatal:
 * the page should still show the rest while one twin is busy. This is the operator's view:
 * anonymous visitors get publicFleet of it.
 */
export async function readFleet(
  backend: Backend,
  region: string,
  now = Date.now(),
  /** The region's live catalog entry (name, map, restaurants), if it has one. */
  catalogRegion?: Region,
  /** Drivers' latest GPS fixes (driver-updates): the map moves between their reports to the twins. */
  latestFix: (driverId: string) => DriverFix | undefined = () => undefined,
): Promise<FleetView> {
  const matcher = await backend.matcher(region);
  const roster = [...new Set([...matcher.roster, ...matcher.availableDrivers])].slice(0, MAX_DRIVERS_READ);
  const waitingIds = matcher.pendingDeliveries.slice(0, MAX_WAITING_READ);
  const [driverResults, deliveryResults] = await Promise.all([
    mapSettled(roster, CONCURRENCY, (id) => backend.driver(id)),
    mapSettled(waitingIds, CONCURRENCY, (id) => backend.delivery(id)),
  ]);
  const drivers: DriverView[] = [];
  const unreadable: string[] = [];
  driverResults.forEach((r, i) =>
    r.status === "fulfilled"
      ? drivers.push(withFix(r.value, region, latestFix(r.value.driverId)))
      : unreadable.push(roster[i]!),
  );
  drivers.sort((a, b) => a.driverId.localeCompare(b.driverId));
  const waiting: WaitingDelivery[] = waitingIds.map((deliveryId, i) => {
    const r = deliveryResults[i]!;
    const d = r.status === "fulfilled" ? r.value : null;
    return d ? { deliveryId, orderId: d.orderId, restaurantId: d.restaurantId, attempts: d.attempts } : { deliveryId };
  });
  return {
    access: "operator",
    region,
    name: catalogRegion?.name ?? region,
    sizeKm:
      catalogRegion?.sizeKm ??
      Math.max(10, ...drivers.map((d) => Math.ceil(Math.max(d.location?.x ?? 0, d.location?.y ?? 0)))),
    restaurants: (catalogRegion?.restaurants ?? []).map((r) => ({ id: r.id, name: r.name, location: r.location })),
    drivers,
    unreadable,
    counts: countByStatus(drivers),
    available: matcher.availableDrivers,
    waiting,
    bottleneck: matcher.pendingDeliveries.length > 0 && matcher.availableDrivers.length === 0,
    at: now,
  };
}
