import { Counter, Histogram, Gauge, createRegistry, DURATION_BUCKETS, METRIC_PREFIX as P } from "@food-ordering/kit";

/** The endpoint's domain metrics. Handlers record them after their last await, so a replayed
 *  invocation that already completed does not count twice. */
export const registry = createRegistry("endpoint");
const registers = [registry];

export const metrics = {
  statusTransitions: new Counter({
    name: `${P}order_status_transitions_total`,
    help: "Order status changes, by new status and region.",
    labelNames: ["status", "region"],
    registers,
  }),
  orderDuration: new Histogram({
    name: `${P}order_end_to_end_duration_seconds`,
    help: "From CREATED to DELIVERED, by region.",
    labelNames: ["region"],
    buckets: DURATION_BUCKETS,
    registers,
  }),
  stepDuration: new Histogram({
    name: `${P}order_step_duration_seconds`,
    help: "Time an order spent in a status before leaving it, by that status and region.",
    labelNames: ["status", "region"],
    buckets: DURATION_BUCKETS,
    registers,
  }),
  payments: new Counter({
    name: `${P}payment_outcomes_total`,
    help: "Payment attempts by outcome (succeeded, declined, refunded).",
    labelNames: ["outcome"],
    registers,
  }),
  catalogChecks: new Counter({
    name: `${P}catalog_checks_total`,
    help:
      "Orders checked against the catalog at intake, by source: cache (this process's copy of the region " +
      "accepted it) or catalog (the catalog object was asked: nothing cached, or the copy refused the order).",
    labelNames: ["source"],
    registers,
  }),
  duplicateOrderEvents: new Counter({
    name: `${P}order_duplicate_events_total`,
    help: "Order events ignored because their order id was seen before (provider retries, topic replays).",
    registers,
  }),
  rejections: new Counter({
    name: `${P}order_rejections_total`,
    help:
      "Rejected orders by reason kind; missing_key, unsigned_event and bad_signature are order events dropped " +
      "unrecorded (no key, no or a wrong producer signature).",
    labelNames: ["reason"],
    registers,
  }),
  invalidDriverEvents: new Counter({
    name: `${P}invalid_driver_events_total`,
    help: "Driver location events dropped, by reason: malformed, wrong_driver, wrong_region, outside_map, from_the_future.",
    labelNames: ["reason"],
    registers,
  }),
  refusedCredentials: new Counter({
    name: `${P}refused_credentials_total`,
    help:
      "Calls refused for a missing or wrong credential, by credential " +
      "(driver_enrollment, shift_token, cancel_capability) and reason (missing, forged).",
    labelNames: ["credential", "reason"],
    registers,
  }),
  preparationDuration: new Histogram({
    name: `${P}restaurant_preparation_duration_seconds`,
    help: "From asking the restaurant to prepare until it reported the food ready.",
    labelNames: ["restaurant"],
    buckets: DURATION_BUCKETS,
    registers,
  }),
  waitingDeliveries: new Gauge({
    name: `${P}deliveries_waiting_for_driver`,
    help: "Deliveries queued for a driver, by region (as last seen by the matcher).",
    labelNames: ["region"],
    registers,
  }),
  availableDrivers: new Gauge({
    name: `${P}drivers_available`,
    help: "Drivers waiting for work, by region (as last seen by the matcher).",
    labelNames: ["region"],
    registers,
  }),
  driverStatus: new Counter({
    name: `${P}driver_status_changes_total`,
    help: "Driver status changes, by new status and region.",
    labelNames: ["status", "region"],
    registers,
  }),
  leaseExpiries: new Counter({
    name: `${P}driver_lease_expiries_total`,
    help:
      "Delivering drivers taken off their delivery for silence, by who found out (watcher: their GPS fixes " +
      "stopped for a lease; check: the twin's durable backstop check after the ETA).",
    labelNames: ["detected_by"],
    registers,
  }),
  driverMatchWait: new Histogram({
    name: `${P}delivery_driver_wait_seconds`,
    help: "From requesting a driver (or a lost driver handing the delivery back) until one accepted it, by region.",
    labelNames: ["region"],
    buckets: DURATION_BUCKETS,
    registers,
  }),
  orderUpdatesDropped: new Counter({
    name: `${P}order_updates_dropped_total`,
    help:
      "Order view changes not published to the order-updates topic, by reason (failed: Kafka refused or " +
      "timed out; paused: skipped while Kafka recently failed). Watching pages miss them until the next change.",
    labelNames: ["reason"],
    registers,
  }),
};
