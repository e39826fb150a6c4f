import { paymentClient } from "./clients/payment.ts";
import { restaurantClient } from "./clients/restaurant.ts";
import type { EndpointConfig } from "./config.ts";
import { createOrderWorkflow } from "./order/order-workflow.ts";
import { orderStatusObject } from "./order/order-status.ts";
import { deliveryManagerObject } from "./delivery/delivery-manager.ts";
import { matcherObject } from "./delivery/driver-delivery-matcher.ts";
import { createDriverDigitalTwin } from "./delivery/driver-digital-twin.ts";
import { createCatalogObject } from "./catalog/catalog-object.ts";
import { catalogDirectoryObject } from "./catalog/catalog-directory.ts";

/** Every durable service this endpoint serves, wired to its clients and settings. */
export function durableServices(config: EndpointConfig) {
  return [
    createOrderWorkflow({
      payment: paymentClient(config.PAYMENT_URL, config.HTTP_TIMEOUT_MS),
      restaurant: restaurantClient(config.RESTAURANT_URL, config.HTTP_TIMEOUT_MS, config.RESTAURANT_TOKEN),
      workflowRetention: config.ORDER_RETENTION,
      journalRetention: config.JOURNAL_RETENTION,
      posSigningKey: config.POS_SIGNING_KEY,
    }),
    orderStatusObject,
    deliveryManagerObject,
    matcherObject,
    createDriverDigitalTwin({
      leaseMs: config.DRIVER_LEASE_MS,
      etaUpdateIntervalMs: config.ETA_UPDATE_INTERVAL_MS,
      enrollmentKey: config.DRIVER_ENROLLMENT_KEY,
    }),
    createCatalogObject({ operatorToken: config.OPERATOR_TOKEN }),
    catalogDirectoryObject,
  ];
}
