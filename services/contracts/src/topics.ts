/** Kafka topics of the platform. Keys: `orders` by order id, `driver-updates` by driver id. */
export const TOPICS = {
  orders: "orders",
  driverUpdates: "driver-updates",
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];
