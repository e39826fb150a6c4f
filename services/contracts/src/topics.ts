/**
 * Kafka topics of the platform. Keys: `orders` by order id, `driver-updates` by driver id,
 * `order-updates` by order id (every change of an order's status view, with its version; read
 * by the web UI and the endpoint's lease watcher, no Restate subscription).
 * `driver-updates` is the apps' GPS stream (every fix; read by the web UI for the map and by the
 * lease watcher as a delivering driver's sign of life; lossy, no Restate subscription);
 * `driver-reports` (key = driver id) carries to the driver's twin only the fixes the platform
 * needs (the trip left its plan: the ETA moved) and the lease watcher's silences.
 */
export const TOPICS = {
  orders: "orders",
  driverUpdates: "driver-updates",
  driverReports: "driver-reports",
  orderUpdates: "order-updates",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/**
 * librdkafka properties of Restate's consumers for the subscriptions below. A consumer that dies
 * with its restate-server stays in the group until its session times out, and the group's
 * partitions wait for it: librdkafka's default of 45 s held ingestion for ~45 s after each
 * restart (npm run chaos); 10 s keeps a crashed node's share moving sooner (the broker's minimum is 6 s).
 */
export const CONSUMER_OPTIONS: Record<string, string> = {
  "auto.offset.reset": "earliest",
  "session.timeout.ms": "10000",
};

/** What each topic feeds: the Restate handler its subscription invokes with every record. */
export const SUBSCRIPTIONS: ReadonlyArray<{ topic: TopicName; sink: string }> = [
  { topic: TOPICS.orders, sink: "service://order-status/receive" },
  { topic: TOPICS.driverReports, sink: "service://driver-digital-twin/handleDriverLocationUpdateEvent" },
];
