import { iface, serde } from "@restatedev/restate-sdk-core";
import { z } from "zod";
import { Location } from "./geo.ts";
import type { OrderStatus, OrderStatusView, ValidOrder } from "./order.ts";
import type { DeliveryAssignment, DriverPosition, DriverView, MatcherView } from "./driver.ts";
import { PreparationDone } from "./restaurant.ts";
import { Secret } from "./credentials.ts";
import type { Region, Restaurant } from "./catalog-schema.ts";

/**
 * The durable services' contracts: names, handlers and payload types. The service endpoint
 * implements them; simulators, the web UI and tools call them through these same descriptors.
 * Handlers that outside callers reach take zod schemas, so a bad body is refused with a 400.
 */

export interface OrderOutcome {
  status: OrderStatus;
  reason?: string;
}
/**
 * `capability`: the secret the shop handed back with the order id (its SHA-256 travelled in the
 * order event). Optional in the schema so that a cancel without it is answered 401, not 400.
 */
export const CancelRequest = z.strictObject({ reason: z.string().max(200).optional(), capability: Secret.optional() });
export interface CancelResponse {
  cancelled: boolean;
  reason?: string;
}

export const orderWorkflow = iface.workflow("order-workflow", {
  /** Started by `order-status/receive` (only: ingress-private) once the order is CREATED, key = order id. */
  run: iface.json<ValidOrder, OrderOutcome>(),
  /** The restaurant's point of sale calls this when the food is ready, signed with its key. */
  preparationDone: iface.shared.schemas({ input: PreparationDone, output: z.custom<{ accepted: true }>() }),
  /** The customer cancels with the order's cancel capability (401 without, 403 wrong); allowed until preparation starts. */
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
  /** `eta` and `driverLocation` ride along with a driver's match, sparing a setEta invocation. */
  setStatus: iface.json<
    {
      status: OrderStatus;
      detail?: string;
      driverId?: string;
      via?: OrderStatus[];
      eta?: number;
      driverLocation?: Location;
    },
    void
  >(),
  reject: iface.json<{ reason: string }, void>(),
  setEta: iface.json<{ eta: number; driverLocation: Location }, void>(),
  /** The workflow's cancel asks: does this capability hash match the order's? (and its status) */
  authorizeCancel: iface.shared.json<{ capabilityHash: string }, { status: OrderStatus; allowed: boolean }>(),
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
  /** The order's trace context (W3C traceparent), handed to the driver with the assignment. */
  traceparent?: string;
}
export type DeliveryStatus = "MATCHING" | "ASSIGNED" | "PICKED_UP" | "DELIVERED";
export interface DeliveryView extends Omit<DeliveryRequest, "deliveredAwakeableId"> {
  deliveryId: string;
  status: DeliveryStatus;
  driverId?: string;
  attempts: number;
}
const DriverRef = z.strictObject({ driverId: z.string().min(1).max(128) });

export const deliveryManager = iface.object("delivery-manager", {
  start: iface.json<DeliveryRequest, void>(),
  /** The region's matcher found a driver. */
  driverMatched: iface.json<{ driverId: string }, void>(),
  notifyDeliveryPickup: iface.schemas({ input: DriverRef, output: z.custom<void>() }),
  notifyDeliveryDelivered: iface.schemas({ input: DriverRef, output: z.custom<void>() }),
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
/**
 * The long poll. An idle app shows life only by polling, so the poll says where the driver waits
 * (and how fast it drives): the delivery manager's first ETA comes from it, with no report needed.
 */
const WaitRequest = z.strictObject({
  timeoutMs: z.number().int().min(100).max(300_000).optional(),
  location: Location.optional(),
  speedKmh: z.number().finite().positive().max(1e6).optional(),
});

/**
 * The driver app's handlers carry `Authorization: Bearer <credential>`: the driver's enrollment
 * credential to go on shift (driverCredential), then the shift token that call answers. Missing:
 * 401; wrong: 403; either way nothing changes.
 */
export const driverDigitalTwin = iface.object("driver-digital-twin", {
  /**
   * The driver goes on shift (or back to work), with its enrollment credential. Answers a new
   * shift token (the previous one stops working) and a delivery still assigned, to resume.
   */
  setDriverAvailable: iface.schemas({
    input: Region,
    output: z.custom<{ shiftToken: string; assignment: DeliveryAssignment | null; pickedUp: boolean }>(),
  }),
  /** Long poll of the driver app: answers the next assignment, or null after the timeout. */
  waitForWork: iface.shared.schemas({ input: WaitRequest, output: z.custom<DeliveryAssignment | null>() }),
  /** Internal: parks the long poll's awakeable until an assignment arrives; the poll's length sets the lease. */
  registerWaiter: iface.json<{ awakeableId: string; pollMs?: number; position?: DriverPosition }, void>(),
  /**
   * Answers whether the driver took the delivery and, when the twin knows where the driver is, the
   * delivery's first ETA from there: the twin keeps the ETA from then on (see driver-digital-twin).
   */
  assignDelivery: iface.json<DeliveryAssignment, { accepted: boolean; eta?: number; driverLocation?: Location }>(),
  /** The app's own assignment (shift token required: it carries the customer's address). */
  getAssignedDelivery: iface.shared.json<void, DeliveryAssignment | null>(),
  notifyDeliveryPickup: iface.schemas({ input: DeliveryRef, output: z.custom<void>() }),
  notifyDeliveryDelivered: iface.schemas({ input: DeliveryRef, output: z.custom<void>() }),
  /** Started by the `driver-reports` Kafka subscription with the raw event, key = driver id. */
  handleDriverLocationUpdateEvent: iface.serdes({ input: serde.binary }),
  /** Delayed self-call while the driver delivers: marks it OFFLINE when its app stopped reporting. */
  checkLease: iface.json<{ leaseId: number }, void>(),
  /** The driver ends the shift (shift token required). */
  goOffline: iface.json<void, void>(),
  get: iface.shared.json<void, DriverView>(),
});

/** A region of the live catalog and its version (0 = the built-in entry, never changed). */
export interface CatalogEntry {
  region: Region;
  version: number;
}
/** A write's answer: the region's new version. */
export interface CatalogWriteResult {
  region: string;
  version: number;
}

/**
 * The live catalog (virtual object, key = region id): operational data, durable in Restate and
 * seen by every endpoint replica at once. A region it holds no state for answers its built-in
 * entry (DEFAULT_CATALOG), so nothing needs seeding. Writes carry `Authorization: Bearer
 * <OPERATOR_TOKEN>` (401 without, 403 wrong) and are validated by checkCatalog's rules (400 with
 * every problem; nothing changes). Inputs are checked in the handler, after the credential.
 */
export const catalog = iface.object("catalog", {
  /** The region, or null when the catalog has no such region (never had, or retired). */
  get: iface.shared.json<void, CatalogEntry | null>(),
  /** Creates or replaces the whole region (its id must be the key). */
  put: iface.json<Region, CatalogWriteResult>(),
  /** Adds a restaurant to the region, or replaces the one with its id. */
  upsertRestaurant: iface.json<Restaurant, CatalogWriteResult>(),
  /** Sets one menu item's price (cents). Orders already accepted keep the price they were accepted with. */
  setPrice: iface.json<{ restaurantId: string; productId: string; price: number }, CatalogWriteResult>(),
  /** Removes the region from the catalog: new orders and shifts there are refused; orders in flight finish. */
  retire: iface.json<void, CatalogWriteResult>(),
});

/** The key of the one catalog-directory object. */
export const CATALOG_DIRECTORY_KEY = "all";
/**
 * Which regions the live catalog has (key = CATALOG_DIRECTORY_KEY), so readers can list regions
 * added at run time. The catalog object keeps it up to date; `list` is the readers' handler.
 */
export const catalogDirectory = iface.object("catalog-directory", {
  list: iface.shared.json<void, string[]>(),
  add: iface.json<{ region: string }, void>(),
  remove: iface.json<{ region: string }, void>(),
});

/**
 * Handlers that only other handlers call. The endpoint marks them ingress-private, so Restate's
 * HTTP ingress refuses them: a caller that can reach the ingress (a driver app, a POS, the web
 * UI) cannot forge a status, an assignment or a match. The `orders` and `driver-reports`
 * subscriptions' targets stay public: Restate's Kafka ingress is an ingress too.
 */
export const INTERNAL_HANDLERS: { readonly [service: string]: readonly string[] } = {
  [orderWorkflow.name]: ["run"],
  [orderStatus.name]: ["setStatus", "reject", "setEta", "authorizeCancel"],
  [deliveryManager.name]: ["start", "driverMatched", "notifyDeliveryPickup", "notifyDeliveryDelivered", "driverLost"],
  [driverDeliveryMatcher.name]: ["setDriverAvailable", "removeDriver", "requestDriverForDelivery"],
  [driverDigitalTwin.name]: ["registerWaiter", "assignDelivery", "checkLease"],
  [catalogDirectory.name]: ["add", "remove"],
};
