import { z } from "zod";
import { Location } from "./geo.ts";
import { OrderId } from "./order.ts";

export const DRIVER_STATUSES = ["IDLE", "WAITING_FOR_WORK", "DELIVERING", "OFFLINE"] as const;
export type DriverStatus = (typeof DRIVER_STATUSES)[number];

export const DriverId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be 1-128 characters of A-Z a-z 0-9 . _ : -");

/**
 * A driver app's GPS fix (key = driverId): every fix on `driver-updates`, and the fixes the
 * platform needs on `driver-reports` (with `report`: why the app sent it to its twin).
 */
export const DriverLocationEvent = z.strictObject({
  driverId: DriverId,
  region: z.string().min(1).max(64),
  location: Location,
  /** Current speed in map km per real hour (the simulators' time scale already applied). */
  speedKmh: z.number().finite().positive().max(1e6),
  /** Epoch ms when the app took the reading. */
  timestamp: z.number().int().positive(),
  /**
   * The order the driver is delivering; absent while it is not (its first fix after a delivery
   * says so). The endpoint's lease watcher follows a delivering driver by its fixes.
   */
  orderId: OrderId.optional(),
  /**
   * On driver-reports: `deviation` = the trip left the plan the platform's ETA rests on (the twin
   * recomputes the ETA and tells the order when it moved past the threshold).
   */
  report: z.literal("deviation").optional(),
});
export type DriverLocationEvent = z.infer<typeof DriverLocationEvent>;

/**
 * The lease watcher's word on `driver-reports` (key = driverId): a driver delivering `orderId`
 * sent no fix for `silentMs`. The twin takes the delivery back if it is still the driver's.
 */
export const DriverSilenceEvent = z.strictObject({
  driverId: DriverId,
  orderId: OrderId,
  silentMs: z.number().int().nonnegative(),
  report: z.literal("silence"),
});
export type DriverSilenceEvent = z.infer<typeof DriverSilenceEvent>;

/** A record of `driver-reports`: a fix the twin needs, or the lease watcher's silence. */
export const DriverReport = z.union([DriverLocationEvent, DriverSilenceEvent]);
export type DriverReport = z.infer<typeof DriverReport>;

/** Where a driver is and how fast it drives (map km per real hour), as its app last said. */
export interface DriverPosition {
  location: Location;
  speedKmh: number;
}

/** What a driver is told to deliver. */
export interface DeliveryAssignment {
  deliveryId: string;
  orderId: string;
  region: string;
  restaurantId: string;
  restaurantLocation: Location;
  customerLocation: Location;
  /**
   * The order's trace context (W3C traceparent): the driver app sends it with its pick-up and
   * delivered reports and location events, so they join the order's trace.
   */
  traceparent?: string;
}

export interface DriverView {
  driverId: string;
  status: DriverStatus;
  region?: string;
  location?: Location;
  assignment?: DeliveryAssignment;
  /** Epoch ms of the app's last sign of life. */
  lastSeen?: number;
  deliveriesCompleted: number;
}

export interface MatcherView {
  region: string;
  availableDrivers: string[];
  pendingDeliveries: string[];
  /** Every driver that has worked in the region, whatever its status now. */
  roster: string[];
}
