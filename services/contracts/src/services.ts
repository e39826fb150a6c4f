import { iface, serde } from "@restatedev/restate-sdk-core";
import { z } from "zod";
import { Location } from "./geo.ts";
import type { OrderStatus, OrderStatusView, ValidOrder } from "./order.ts";
import type { DeliveryAssignment, DriverView, MatcherView } from "./driver.ts";
import { PreparationDone } from "./restaurant.ts";

/**
 * The durable services' contracts: names, handlers and payload types. The service endpoint
 * implements them; simulators, the web UI and tools call them through these same descriptors.
 * Handlers that outside callers reach take zod schemas, so a bad body is refused with a 400.
 */

export interface OrderOutcome {
  status: OrderStatus;
  reason?: string;
}
export const CancelRequest = z.strictObject({ reason: z.string().max(200).optional() });
export interface CancelResponse {
  cancelled: boolean;
  reason?: string;
}

export const orderWorkflow = iface.workflow("order-workflow", {
  /** Started by `order-status/receive` (only: ingress-private) once the order is CREATED, key = order id. */
  run: iface.json<ValidOrder, OrderOutcome>(),
  /** The restaurant's point of sale calls this when the food is ready, signed with its key. */
  preparationDone: iface.shared.schemas({ input: PreparationDone, output: z.custom<{ accepted: true }>() }),
  /** The customer cancels; allowed until preparation starts. */
  cancel: iface.shared.schemas({ input: CancelRequest, output: z.custom<CancelResponse>() }),
});

export const orderStatus = iface.object("order-status", {
  /**
   * Started by the `orders` Kafka subscription with the raw event, key = order id: records the
   * order as CREATED (or REJECTED with the reason) and starts its workflow. An id seen before is
   * a duplicate and changes nothing.
   */
  receive: iface.serdes({ input: serde.binary }),
  /** `via`: statuses passed on the way to `status` at the same moment (recorded first, in order), so back-to-back steps cost one message. */
  setStatus: iface.json<{ status: OrderStatus; detail?: string; driverId?: string; via?: OrderStatus[] }, void>(),
  reject: iface.json<{ reason: string }, void>(),
  setEta: iface.json<{ eta: number; driverLocation: Location }, void>(),
  get: iface.shared.json<void, OrderStatusView>(),
});

export interface DeliveryRequest {
  orderId: string;
  region: string;
  restaurantId: string;
  restaurantLocation: Location;
  customerLocation: Location;
  /** Awakeable of the order workflow, resolved once the food is delivered. */
  deliveredAwakeableId: string;
}
export type DeliveryStatus = "MATCHING" | "ASSIGNED" | "PICKED_UP" | "DELIVERED";
export interface DeliveryView extends Omit<DeliveryRequest, "deliveredAwakeableId"> {
  deliveryId: string;
  status: DeliveryStatus;
  driverId?: string;
  eta?: number;
  attempts: number;
}
const DriverRef = z.strictObject({ driverId: z.string().min(1).max(128) });

export const deliveryManager = iface.object("delivery-manager", {
  start: iface.json<DeliveryRequest, void>(),
  /** The region's matcher found a driver. */
  driverMatched: iface.json<{ driverId: string }, void>(),
  notifyDeliveryPickup: iface.schemas({ input: DriverRef, output: z.custom<void>() }),
  notifyDeliveryDelivered: iface.schemas({ input: DriverRef, output: z.custom<void>() }),
  /** `at`: the app's reading time of `location` (epoch ms), the moment the ETA is computed from. */
  handleDriverLocationUpdate: iface.json<
    { driverId: string; location: Location; speedKmh: number; at: number },
    void
  >(),
  /** The assigned driver went offline: find another one. */
  driverLost: iface.json<{ driverId: string }, void>(),
  get: iface.shared.json<void, DeliveryView | null>(),
});

export const driverDeliveryMatcher = iface.object("driver-delivery-matcher", {
  setDriverAvailable: iface.json<{ driverId: string }, void>(),
  removeDriver: iface.json<{ driverId: string }, void>(),
  requestDriverForDelivery: iface.json<{ deliveryId: string }, void>(),
  get: iface.shared.json<void, MatcherView>(),
});

const Region = z.strictObject({ region: z.string().min(1).max(64) });
const DeliveryRef = z.strictObject({ deliveryId: z.string().min(1).max(128) });
const WaitRequest = z.strictObject({ timeoutMs: z.number().int().min(100).max(300_000).optional() });

export const driverDigitalTwin = iface.object("driver-digital-twin", {
  /** The driver goes on shift (or back to work). Answers a delivery still assigned, to resume. */
  setDriverAvailable: iface.schemas({
    input: Region,
    output: z.custom<{ assignment: DeliveryAssignment | null; pickedUp: boolean }>(),
  }),
  /** Long poll of the driver app: answers the next assignment, or null after the timeout. */
  waitForWork: iface.shared.schemas({ input: WaitRequest, output: z.custom<DeliveryAssignment | null>() }),
  /** Internal: parks the long poll's awakeable until an assignment arrives. */
  registerWaiter: iface.json<{ awakeableId: string }, void>(),
  assignDelivery: iface.json<DeliveryAssignment, { accepted: boolean }>(),
  getAssignedDelivery: iface.shared.json<void, DeliveryAssignment | null>(),
  notifyDeliveryPickup: iface.schemas({ input: DeliveryRef, output: z.custom<void>() }),
  notifyDeliveryDelivered: iface.schemas({ input: DeliveryRef, output: z.custom<void>() }),
  /** Started by the `driver-updates` Kafka subscription with the raw event, key = driver id. */
  handleDriverLocationUpdateEvent: iface.serdes({ input: serde.binary }),
  /** Delayed self-call: marks the driver OFFLINE when its app stopped reporting. */
  checkLease: iface.json<{ leaseId: number }, void>(),
  /** The driver ends the shift. */
  goOffline: iface.json<void, void>(),
  get: iface.shared.json<void, DriverView>(),
});

/**
 * Handlers that only other handlers call. The endpoint marks them ingress-private, so Restate's
 * HTTP ingress refuses them: a caller that can reach the ingress (a driver app, a POS, the web
 * UI) cannot forge a status, an assignment or a match. The `orders` and `driver-updates`
 * subscriptions' targets stay public: Restate's Kafka ingress is an ingress too.
 */
export const INTERNAL_HANDLERS: { readonly [service: string]: readonly string[] } = {
  [orderWorkflow.name]: ["run"],
  [orderStatus.name]: ["setStatus", "reject", "setEta"],
  [deliveryManager.name]: [
    "start",
    "driverMatched",
    "notifyDeliveryPickup",
    "notifyDeliveryDelivered",
    "handleDriverLocationUpdate",
    "driverLost",
  ],
  [driverDeliveryMatcher.name]: ["setDriverAvailable", "removeDriver", "requestDriverForDelivery"],
  [driverDigitalTwin.name]: ["registerWaiter", "assignDelivery", "checkLease"],
};
