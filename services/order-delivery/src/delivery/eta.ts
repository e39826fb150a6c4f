import { distanceKm, type Location } from "@food-ordering/contracts";

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
