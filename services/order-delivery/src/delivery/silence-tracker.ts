import { isTerminal, type OrderStatus } from "@food-ordering/contracts";

/**
 * Which delivering drivers went silent: the lease watcher's memory, pure so it can be tested
 * on its own. A driver is watched from the moment its order shows it assigned (so an app that
 * vanished before its first fix is found out too) or from its first fix that names an order;
 * every fix that names the order moves its last word on; a fix naming none, or the order's end,
 * stops the watch. Times are the watcher's clock when it read the record, never the app's.
 */
export interface Silence {
  driverId: string;
  orderId: string;
  silentMs: number;
}

/** Statuses in which an order's driver is on the way (to the restaurant or the customer). */
const DRIVING: readonly OrderStatus[] = ["WAITING_FOR_DRIVER", "IN_DELIVERY"];

/** Orders remembered with their driver; beyond this the oldest is forgotten (a watcher that missed their end). */
const MAX_ORDERS = 100_000;

export class SilenceTracker {
  /** driver id -> the order it delivers and when the watcher last heard of it. */
  private readonly watched = new Map<string, { orderId: string; at: number }>();
  /** order id -> the driver its view last named, so a repeated view does not restart the watch. */
  private readonly driverOf = new Map<string, string>();

  private readonly leaseMs: number;

  constructor(leaseMs: number) {
    this.leaseMs = leaseMs;
  }

  get size(): number {
    return this.watched.size;
  }

  /** A GPS fix read at `at`: the app is there, delivering `orderId` (or nothing). */
  fix(driverId: string, orderId: string | undefined, at: number): void {
    if (orderId === undefined) this.watched.delete(driverId);
    else this.watched.set(driverId, { orderId, at });
  }

  /** An order's view read at `at`: a driver newly named while driving is watched from now on. */
  order(orderId: string, status: OrderStatus, driverId: string | undefined, at: number): void {
    if (isTerminal(status)) {
      const driver = this.driverOf.get(orderId);
      this.driverOf.delete(orderId);
      if (driver !== undefined && this.watched.get(driver)?.orderId === orderId) this.watched.delete(driver);
      return;
    }
    if (!driverId || !DRIVING.includes(status) || this.driverOf.get(orderId) === driverId) return;
    this.driverOf.delete(orderId); // re-inserted last: the map's order is the order of arrival
    this.driverOf.set(orderId, driverId);
    if (this.driverOf.size > MAX_ORDERS) this.driverOf.delete(this.driverOf.keys().next().value!);
    if (this.watched.get(driverId)?.orderId !== orderId) this.watched.set(driverId, { orderId, at });
  }

  /** Drivers silent for longer than the lease at `now`; each stays watched until `told`. */
  silent(now: number): Silence[] {
    const out: Silence[] = [];
    for (const [driverId, { orderId, at }] of this.watched)
      if (now - at > this.leaseMs) out.push({ driverId, orderId, silentMs: now - at });
    return out;
  }

  /** The twin was told: stop watching (a fix naming the order again starts a new watch). */
  told(s: Pick<Silence, "driverId" | "orderId">): void {
    if (this.watched.get(s.driverId)?.orderId === s.orderId) this.watched.delete(s.driverId);
  }
}
