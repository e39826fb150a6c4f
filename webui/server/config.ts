import { z } from "zod";
import { commonSpec, defineConfig, env, orderProducerSpec, tracingSpec } from "@food-ordering/kit";

/** The web UI backend's configuration. */
export const webuiConfig = defineConfig("webui", {
  ...commonSpec,
  ...tracingSpec,
  ...orderProducerSpec,
  METRICS_PORT: { ...commonSpec.METRICS_PORT, default: "9469" },
  PORT: { schema: env.port(), default: "3000", doc: "Port of the shop (static app and /api).", helm: "webui.port" },
  RESTATE_INGRESS_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:8080",
    doc: "Restate ingress, read for order status and fleet views.",
    helm: "(wired to the Restate Service)",
  },
  KAFKA_BROKERS: {
    schema: env.list(),
    default: "127.0.0.1:9092",
    doc: "Kafka bootstrap servers, comma separated.",
    helm: "kafka.external.bootstrapServers (else the Strimzi bootstrap Service)",
  },
  REGIONS: {
    schema: env.list(),
    default: "amsterdam,berlin",
    doc: "Regions served by this deployment (those with drivers).",
    helm: "regions[].name",
  },
  ORDER_POLL_INTERVAL: {
    schema: env.duration(),
    default: "5s",
    doc:
      "While order updates from Kafka are unavailable, how often an open live-update stream reads its " +
      "order's status from Restate instead (otherwise a stream reads it once, then changes are pushed).",
    helm: "webui.orderPollInterval",
  },
  MAX_TRACKED_DRIVERS: {
    schema: env.int(1, 1_000_000),
    default: "10000",
    doc:
      "Drivers whose latest position (from driver-updates) the web UI keeps for the maps; " +
      "the least recently reported are dropped first.",
    helm: "webui.maxTrackedDrivers",
  },
  MAX_LIVE_STREAMS: {
    schema: env.int(1, 100_000),
    default: "1000",
    doc: "Live-update streams open at once; more are answered 503 with Retry-After.",
    helm: "webui.maxLiveStreams",
  },
  MAX_LIVE_STREAMS_PER_CLIENT: {
    schema: env.int(1, 10_000),
    default: "10",
    doc:
      "Live-update streams one client address may hold open; more are answered 429 " +
      "with Retry-After (behind a proxy that hides client addresses, raise it).",
    helm: "webui.maxLiveStreamsPerClient",
  },
  TRUST_PROXY: {
    schema: env
      .string()
      .regex(/^(true|false|\d+|[0-9a-fA-F.:/, a-z]+)$/, "must be true, false, a hop count, or addresses/subnets"),
    default: "false",
    doc:
      "Which proxies' X-Forwarded-For to believe for a client's address (Express `trust proxy`: true, " +
      "false, a hop count, or comma-separated addresses/subnets such as loopback or 10.0.0.0/8).",
    helm: "webui.trustProxy",
  },
  OPERATOR_TOKEN: {
    schema: z.string().refine((t) => t === "" || (t.length >= 16 && t.length <= 256), {
      message: "must be empty or 16-256 characters",
    }),
    default: "",
    doc:
      "Operators who send `Authorization: Bearer <token>` get the full fleet view (customers' addresses, " +
      "order ids); anonymous visitors get the public one, a wrong token 401. Empty = no operator view.",
    helm: "webui.operatorToken (Secret)",
  },
  JAEGER_QUERY_URL: {
    schema: z.union([env.url(), z.literal("")]),
    default: "",
    doc:
      "Jaeger's query API, read for an order's trace (GET /api/orders/{id}/trace); " +
      "empty = no trace view (the route answers 503).",
    helm: "tracing.jaeger.enabled (the release's Jaeger query Service)",
  },
  JAEGER_UI_URL: {
    schema: z.union([env.url(), z.literal("")]),
    default: "",
    doc:
      "Jaeger's address as browsers reach it, for the tracking page's \"open in Jaeger\" link " +
      "(<url>/trace/<id>); empty = no link.",
    helm: "tracing.jaeger.uiUrl",
  },
  STATIC_DIR: {
    schema: env.string(),
    default: "webui/dist",
    doc: "Directory of the built single-page app.",
    helm: "(fixed in the image)",
  },
});
export type WebuiConfig = ReturnType<typeof webuiConfig.parse>;
