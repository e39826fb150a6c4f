import { NO_TRACING, type Tracing } from "@food-ordering/kit";
import { paymentClient } from "./clients/payment.ts";
import { restaurantClient } from "./clients/restaurant.ts";
import type { EndpointConfig } from "./config.ts";
import { createOrderWorkflow } from "./order/order-workflow.ts";
import { createOrderStatusObject } from "./order/order-status.ts";
import type { OrderUpdates } from "./order/order-updates.ts";
import { createDeliveryManager } from "./delivery/delivery-manager.ts";
import { matcherObject } from "./delivery/driver-delivery-matcher.ts";
import { createDriverDigitalTwin } from "./delivery/driver-digital-twin.ts";
import { createCatalogObject } from "./catalog/catalog-object.ts";
import { catalogDirectoryObject } from "./catalog/catalog-directory.ts";
import { IntakeCatalogCache } from "./catalog/catalog-cache.ts";

/** Every durable service this endpoint serves, wired to its clients and settings. */
export function durableServices(config: EndpointConfig, deps: { orderUpdates: OrderUpdates; tracing?: Tracing }) {
  const tracing = deps.tracing ?? NO_TRACING;
  const catalogCache = new IntakeCatalogCache(config.CATALOG_CACHE_TTL);
  return [
    createOrderWorkflow({
      payment: paymentClient(config.PAYMENT_URL, config.HTTP_TIMEOUT_MS, tracing),
      restaurant: restaurantClient(config.RESTAURANT_URL, config.HTTP_TIMEOUT_MS, config.RESTAURANT_TOKEN, tracing),
      workflowRetention: config.ORDER_RETENTION,
      journalRetention: config.JOURNAL_RETENTION,
      posSigningKey: config.POS_SIGNING_KEY,
    }),
    createOrderStatusObject({
      updates: deps.orderUpdates,
      orderSigningKey: config.ORDER_SIGNING_KEY,
      catalogCache,
    }),
    createDeliveryManager(),
    matcherObject,
    createDriverDigitalTwin({
      leaseMs: config.DRIVER_LEASE_MS,
      enrollmentKey: config.DRIVER_ENROLLMENT_KEY,
      etaChangeThresholdMs: config.ETA_CHANGE_THRESHOLD_MS,
    }),
    createCatalogObject({ operatorToken: config.OPERATOR_TOKEN, catalogCache }),
    catalogDirectoryObject,
  ];
}
