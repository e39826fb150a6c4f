import type {
  DriverStatus,
  DriverView,
  Location,
  OrderStatus,
  OrderStatusView,
  Region,
} from "@food-ordering/contracts";
import type { DeliveryView, TraceWaterfall } from "@food-ordering/contracts";

/**
 * The shapes the web UI's API answers. Type-only, so the browser bundle imports them without
 * pulling any server code (or the contracts' runtime) into the bundle.
 */

export interface CatalogResponse {
  regions: Region[];
}

export interface PlaceOrderResponse {
  id: string;
  /** The secret that cancels this order (POST /api/orders/:id/cancel { capability }); shown once, kept by the browser. */
  cancelCapability: string;
}

/** Every error answer: a sentence for people, and per-field messages for a form. */
export interface ApiError {
  error: string;
  details?: { fields?: Array<{ field: string; message: string }> };
}

export type OrderView = OrderStatusView;

/** GET /api/orders/:id/trace: the order's trace as a waterfall, and a Jaeger link when one is configured. */
export interface OrderTraceResponse extends TraceWaterfall {
  orderId: string;
  link?: string;
}

export interface CancelAnswer {
  cancelled: boolean;
  reason?: string;
}

/** A delivery waiting in the region's matcher queue for a free driver (ids for operators only). */
export interface WaitingDelivery {
  deliveryId?: string;
  orderId?: string;
  restaurantId?: string;
  attempts?: number;
}

export interface FleetView {
  /** public: no customer locations, order or delivery ids (drivers carry no assignment); operator: everything. */
  access: "public" | "operator";
  region: string;
  name: string;
  sizeKm: number;
  restaurants: Array<{ id: string; name: string; location: Location }>;
  drivers: DriverView[];
  /** Drivers of the roster whose view could not be read this time. */
  unreadable: string[];
  counts: Record<DriverStatus, number>;
  available: string[];
  waiting: WaitingDelivery[];
  /** Deliveries wait while no driver is free: the region's bottleneck is its fleet. */
  bottleneck: boolean;
  at: number;
}

export type { DeliveryView, DriverStatus, DriverView, Location, OrderStatus, OrderStatusView, Region };
export type { TraceWaterfall, WaterfallRow } from "@food-ordering/contracts";
