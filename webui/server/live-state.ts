import type { Location, OrderStatusView, OrderUpdate } from "@food-ordering/contracts";

/**
 * What the web UI knows from Kafka, kept small: the latest view of each order a page watches
 * (highest version wins), a few recently seen views of unwatched orders (for a page that opens
 * just after a change), and the latest position of each driver (bounded, least recently
 * reported dropped first). The consumer (live-updates.ts) feeds it; streams (sse.ts) and the
 * fleet view read it. Pure bookkeeping: no I/O, no timers.
 */

/** A driver's GPS fix from the `driver-updates` topic, as the map needs it. */
export interface DriverFix {
  driverId: string;
  region: string;
  location: Location;
  /** Epoch ms of the reading (the app's clock). */
  at: number;
}

/** What a watching stream is told; it reads the details from the state itself. */
export interface OrderWatcher {
  /** The order's view got a higher version (`view`), or the update stream's health changed (none). */
  changed(view?: OrderStatusView): void;
  /** A new fix of the driver of the watched order. */
  driverMoved(fix: DriverFix): void;
}

/** A Map used as a least-recently-updated cache: at most `limit` entries, the stalest dropped first. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  get size(): number {
    return this.map.size;
  }
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  set(key: K, value: V): void {
    this.map.delete(key); // re-inserted last: the most recently updated
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as K);
  }
  delete(key: K): void {
    this.map.delete(key);
  }
}

interface Watched {
  view?: OrderStatusView;
  watchers: Set<OrderWatcher>;
}

export interface LiveStateLimits {
  /** Drivers whose latest fix is kept. */
  drivers: number;
  /** Views of unwatched orders kept, for the moment between a change and a page's first read. */
  recentOrders: number;
}

export const DEFAULT_LIVE_STATE_LIMITS: LiveStateLimits = { drivers: 10_000, recentOrders: 1000 };

export class LiveState {
  private readonly watched = new Map<string, Watched>();
  private readonly recent: BoundedMap<string, OrderStatusView>;
  private readonly positions: BoundedMap<string, DriverFix>;
  /** Watched orders by their driver, so a fix reaches exactly the pages that show that driver. */
  private readonly byDriver = new Map<string, Set<string>>();

  constructor(limits: LiveStateLimits = DEFAULT_LIVE_STATE_LIMITS) {
    this.recent = new BoundedMap(limits.recentOrders);
    this.positions = new BoundedMap(limits.drivers);
  }

  get watchedOrders(): number {
    return this.watched.size;
  }
  get trackedDrivers(): number {
    return this.positions.size;
  }
  get recentOrders(): number {
    return this.recent.size;
  }

  /** Starts telling `watcher` about order `id`; returns the function that stops it. */
  watch(id: string, watcher: OrderWatcher): () => void {
    let entry = this.watched.get(id);
    if (!entry) {
      entry = { view: this.recent.get(id), watchers: new Set() };
      this.recent.delete(id);
      this.watched.set(id, entry);
      this.indexDriver(id, undefined, entry.view);
    }
    entry.watchers.add(watcher);
    const held = entry;
    return () => {
      held.watchers.delete(watcher);
      if (held.watchers.size > 0 || this.watched.get(id) !== held) return;
      this.watched.delete(id);
      this.indexDriver(id, held.view, undefined);
      if (held.view) this.recent.set(id, held.view);
    };
  }

  /** The highest version known of order `id`. */
  view(id: string): OrderStatusView | undefined {
    return this.watched.get(id)?.view ?? this.recent.get(id);
  }

  /**
   * A view from the topic or from a read of Restate: kept if its version is higher than the one
   * known (a retried publish repeats a version; a read may be behind the topic or ahead of it),
   * and then the order's watchers are told. Views from before versions (none) replace each other.
   */
  offer(view: OrderStatusView | OrderUpdate): boolean {
    const entry = this.watched.get(view.id);
    const known = entry ? entry.view : this.recent.get(view.id);
    const [next, last] = [view.version ?? 0, known?.version ?? 0];
    if (known && (next < last || (next === last && next > 0))) return false;
    if (!entry) {
      this.recent.set(view.id, view);
      return true;
    }
    this.indexDriver(view.id, entry.view, view);
    entry.view = view;
    for (const w of entry.watchers) w.changed(view);
    return true;
  }

  /** A driver's fix: kept if newer than the last one, and passed to the pages showing that driver. */
  recordFix(fix: DriverFix): boolean {
    const last = this.positions.get(fix.driverId);
    if (last && last.at >= fix.at) return false;
    this.positions.set(fix.driverId, fix);
    for (const orderId of this.byDriver.get(fix.driverId) ?? []) {
      const entry = this.watched.get(orderId);
      if (entry?.view?.region !== fix.region) continue;
      for (const w of entry.watchers) w.driverMoved(fix);
    }
    return true;
  }

  /** The latest fix of a driver, if one was seen. */
  position(driverId: string): DriverFix | undefined {
    return this.positions.get(driverId);
  }

  /** Tells every watcher to look again (the update stream went down or came back). */
  wakeAll(): void {
    for (const entry of this.watched.values()) for (const w of entry.watchers) w.changed();
  }

  private indexDriver(orderId: string, before?: OrderStatusView, after?: OrderStatusView): void {
    if (before?.driverId === after?.driverId) return;
    if (before?.driverId) {
      const set = this.byDriver.get(before.driverId);
      set?.delete(orderId);
      if (set?.size === 0) this.byDriver.delete(before.driverId);
    }
    if (after?.driverId) {
      const set = this.byDriver.get(after.driverId) ?? new Set();
      set.add(orderId);
      this.byDriver.set(after.driverId, set);
    }
  }
}

/** Statuses in which an order's map shows its driver. */
export const DRIVER_SHOWN: ReadonlySet<string> = new Set(["WAITING_FOR_DRIVER", "IN_DELIVERY"]);

/**
 * The view as a page shows it: the driver at its latest fix when that is newer news than the
 * view's last reported position (which came with the last ETA).
 */
export function withLatestPosition(view: OrderStatusView, fix: DriverFix | undefined): OrderStatusView {
  if (!fix || !view.driverId || fix.driverId !== view.driverId || !DRIVER_SHOWN.has(view.status)) return view;
  if (view.region && fix.region !== view.region) return view;
  return { ...view, driverLocation: fix.location };
}
