import { commonSpec, defineConfig, env, orderProducerSpec, tracingSpec } from "@food-ordering/kit";
import { z } from "zod";
import { DNS_LABEL } from "@food-ordering/contracts";

/** The order provider simulator's configuration. */
export const providerConfig = defineConfig("provider", {
  ...commonSpec,
  ...tracingSpec,
  ...orderProducerSpec,
  METRICS_PORT: { ...commonSpec.METRICS_PORT, default: "9468" },
  PORT: { schema: env.port(), default: "9083", doc: "Port of the control API (GET/PUT /rate).", helm: "provider.port" },
  RATE: {
    schema: env.number(0, 10_000),
    default: "0.2",
    doc: "Orders per second published (0 = paused).",
    helm: "provider.rate",
  },
  REGIONS: {
    schema: env.list().pipe(z.array(z.string().regex(DNS_LABEL, "must be a region id (a DNS-1123 label)"))),
    default: "amsterdam,berlin",
    doc: "Regions to place orders in, comma separated; their restaurants and menus come from the live catalog.",
    helm: "regions[].name",
  },
  MAX_DELIVERY_DELAY_MS: {
    schema: env.int(0, 86_400_000),
    default: "0",
    doc: "Orders get a random delivery delay up to this (0 = as soon as possible).",
    helm: "provider.maxDeliveryDelayMs",
  },
  DECLINED_FRACTION: {
    schema: env.number(0, 1),
    default: "0.02",
    doc: "Fraction of orders paid with a card the payment stub declines.",
    helm: "provider.declinedFraction",
  },
  ORDER_ID_PREFIX: {
    schema: env.string(),
    default: "prov",
    doc: "Prefix of generated order ids.",
    helm: "(release name)",
  },
  PUBLISHED_LOG_FILE: {
    schema: env.string().optional(),
    default: undefined,
    doc:
      "When set, every order Kafka acknowledged is appended to this file as `<id> " +
      "<cancel capability>` (for audits and customers' cancels in npm run chaos).",
    helm: "(not set)",
  },
  RESTATE_INGRESS_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:8080",
    doc: "Restate ingress, where the live catalog is read.",
    helm: "(wired to the Restate Service)",
  },
  KAFKA_BROKERS: {
    schema: env.list(),
    default: "127.0.0.1:9092",
    doc: "Kafka bootstrap servers, comma separated.",
    helm: "kafka.external.bootstrapServers (else the Strimzi bootstrap Service)",
  },
});
export type ProviderConfig = ReturnType<typeof providerConfig.parse>;
