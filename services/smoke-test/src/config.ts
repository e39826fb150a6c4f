import { defineConfig, env, orderProducerSpec, tracingSpec } from "@food-ordering/kit";

/** The `helm test` smoke check's configuration (services/smoke-test/src/main.ts). */
export const smokeConfig = defineConfig("smoke", {
  ...orderProducerSpec,
  ...tracingSpec,
  KAFKA_BROKERS: {
    schema: env.list(),
    default: "127.0.0.1:9092",
    doc: "Kafka bootstrap servers, comma separated.",
    helm: "kafka.external.bootstrapServers (else the Strimzi bootstrap Service)",
  },
  RESTATE_INGRESS_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:8080",
    doc: "Restate ingress, polled for the order's status.",
    helm: "(wired to the Restate Service)",
  },
  SMOKE_REGION: {
    schema: env.string(),
    default: "amsterdam",
    doc: "Region of the test order (a catalog region that has drivers).",
    helm: "regions[0].name",
  },
  SMOKE_TIMEOUT_MS: {
    schema: env.int(1000, 3_600_000),
    default: "300000",
    doc: "How long to wait for DELIVERED.",
    helm: "tests.timeoutSeconds",
  },
});
