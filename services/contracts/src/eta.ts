import { distanceKm, type Location } from "./geo.ts";

/**
 * The ETA rule the driver app and its digital twin share: the app reports a fix only when its
 * trip moved this ETA by more than the threshold, and the twin computes the same ETA from that
 * fix, so both agree on which ETA the order shows without talking per fix.
 */

/** Epoch ms at which a driver at `driver` reaches the customer, going via the restaurant unless picked up. */
export function estimateArrival(opts: {
  now: number;
  driver: Location;
  restaurant: Location;
  customer: Location;
  pickedUp: boolean;
  speedKmh: number;
}): number {
  const km = opts.pickedUp
    ? distanceKm(opts.driver, opts.customer)
    : distanceKm(opts.driver, opts.restaurant) + distanceKm(opts.restaurant, opts.customer);
  return Math.round(opts.now + (km / opts.speedKmh) * 3_600_000);
}

/**
 * Whether a new ETA is worth telling the order: the first one always, then only one that moved
 * by more than the threshold from the last one told (small drifts add up until they are told).
 */
export const etaMoved = (told: number | undefined, next: number, thresholdMs: number): boolean =>
  told === undefined || Math.abs(next - told) > thresholdMs;
