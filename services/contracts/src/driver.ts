import { z } from "zod";
import { Location } from "./geo.ts";

export const DRIVER_STATUSES = ["IDLE", "WAITING_FOR_WORK", "DELIVERING", "OFFLINE"] as const;
export type DriverStatus = (typeof DRIVER_STATUSES)[number];

export const DriverId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be 1-128 characters of A-Z a-z 0-9 . _ : -");

/** A driver app's location report on the `driver-updates` topic (key = driverId). */
export const DriverLocationEvent = z.strictObject({
  driverId: DriverId,
  region: z.string().min(1).max(64),
  location: Location,
  /** Current speed in map km per real hour (the simulators' time scale already applied). */
  speedKmh: z.number().finite().positive().max(1e6),
  /** Epoch ms when the app took the reading. */
  timestamp: z.number().int().positive(),
});
export type DriverLocationEvent = z.infer<typeof DriverLocationEvent>;

/** What a driver is told to deliver. */
export interface DeliveryAssignment {
  deliveryId: string;
  orderId: string;
  region: string;
  restaurantId: string;
  restaurantLocation: Location;
  customerLocation: Location;
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
