import { z } from "zod";
import { commonSpec, defineConfig, env, tracingSpec } from "@food-ordering/kit";

/** The service endpoint's configuration (env var -> typed value). */
export const endpointConfig = defineConfig("endpoint", {
  ...commonSpec,
  ...tracingSpec,
  RESTATE_LOGGING: {
    schema: env.oneOf(["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]),
    default: "WARN",
    doc: "Log level of the Restate SDK (INFO logs every invocation start and end, ~10% of the endpoint's CPU under load).",
    helm: "endpoint.sdkLogLevel",
  },
  PORT: {
    schema: env.port(),
    default: "9080",
    doc: "Port Restate calls the service endpoint on (HTTP/2).",
    helm: "endpoint.port",
  },
  KAFKA_BROKERS: {
    schema: env.list(),
    default: "127.0.0.1:9092",
    doc: "Kafka bootstrap servers, comma separated: order-status publishes each order view change to order-updates.",
    helm: "kafka.external.bootstrapServers (else the Strimzi bootstrap Service)",
  },
  PAYMENT_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:9082",
    doc: "Base URL of the payment provider.",
    helm: "(wired to the payment Service)",
  },
  RESTAURANT_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:9081",
    doc: "Base URL of the restaurant point-of-sale system.",
    helm: "(wired to the restaurant Service)",
  },
  RESTAURANT_TOKEN: {
    schema: env.string().optional(),
    default: undefined,
    doc: "Bearer token sent to the restaurant POS (optional).",
    helm: "restaurant.token",
  },
  ETA_CHANGE_THRESHOLD_MS: {
    schema: env.int(0, 3_600_000),
    default: "120000",
    doc:
      "An ETA reaches the order only when it moved by more than this (real ms; the simulated " +
      "drivers report a fix when their trip moves the ETA by as much, see the drivers' setting).",
    helm: "global.etaChangeThresholdMs",
  },
  DRIVER_LEASE_MS: {
    schema: env.int(1000, 3_600_000),
    default: "60000",
    doc: "A driver app silent for this long is marked OFFLINE and its delivery reassigned.",
    helm: "endpoint.driverLeaseMs",
  },
  ORDER_RETENTION: {
    schema: env.duration(),
    default: "7d",
    doc:
      "How long a finished order's workflow is kept, to answer late callbacks and cancels " +
      "from its state (repeated order events are recognised by order-status, kept for good).",
    helm: "endpoint.orderRetention",
  },
  JOURNAL_RETENTION: {
    schema: env.duration(),
    default: "1h",
    doc: "How long journals of finished invocations are kept for inspection.",
    helm: "endpoint.journalRetention",
  },
  RESTATE_IDENTITY_KEYS: {
    schema: z
      .string()
      .regex(
        /^(publickeyv1_[1-9A-HJ-NP-Za-km-z]+(\s*,\s*publickeyv1_[1-9A-HJ-NP-Za-km-z]+)*)?$/,
        "must be publickeyv1_... keys, comma separated",
      )
      .transform((s) =>
        s
          .split(",")
          .map((k) => k.trim())
          .filter(Boolean),
      ),
    default: "",
    doc:
      "Request identity public keys (publickeyv1_..., comma separated) whose signatures the endpoint " +
      "accepts; empty = accept unsigned requests (only where nothing but Restate can reach the port).",
    helm: "restate.requestIdentity (Secret)",
  },
  POS_SIGNING_KEY: {
    schema: z.string().max(256),
    default: "",
    doc:
      "The platform's POS signing key: each restaurant's key is derived from it, and preparation-done " +
      "callbacks must be signed with the order's restaurant's key (401 otherwise). Empty = not checked.",
    helm: "restaurant.signingKey (Secret)",
  },
  ORDER_SIGNING_KEY: {
    schema: z.string().max(256),
    default: "",
    doc:
      "The platform's order signing key: order-status/receive starts only orders whose event carries the HMAC of a " +
      "platform producer under this key (others are dropped and counted, 401/403 over HTTP). Empty = not checked.",
    helm: "endpoint.orderSigningKey (Secret, shared with the order producers)",
  },
  DRIVER_ENROLLMENT_KEY: {
    schema: z.string().max(256),
    default: "",
    doc:
      "The fleet's driver enrollment key: a driver goes on shift only with its credential, HMAC-SHA256 of its " +
      "id under this key (403 otherwise, 401 without). Empty = enrollment not checked (shift tokens still are).",
    helm: "drivers.enrollmentKey (Secret)",
  },
  OPERATOR_TOKEN: {
    schema: z.string().max(256),
    default: "",
    doc:
      "The operator token: changes to the catalog (regions, restaurants, menus) must carry it as " +
      "a bearer token (401 without, 403 wrong). Empty = the catalog cannot be changed at run time.",
    helm: "webui.operatorToken (Secret, shared with the web UI)",
  },
  INACTIVITY_TIMEOUT: {
    schema: env.duration(),
    default: "10s",
    doc:
      "An invocation that waits this long (on a call, a promise, a timer) is suspended and frees its " +
      "restate-server slot (1000 by default) until what it waits for is there; drivers' long polls suspend " +
      "after 1 s. Restate's own default, 1 min, lets waiting invocations fill every slot under load and " +
      "stall the platform until they time out.",
    helm: "endpoint.inactivityTimeout",
  },
  CATALOG_CACHE_TTL: {
    schema: env.duration(),
    default: "5s",
    doc:
      "How long order intake uses this process's copy of a region's catalog before asking the catalog " +
      "object again: an edit made through another endpoint replica applies to this one's orders within it " +
      "(at once through this one; a refusal is always confirmed against the live catalog). 0s = ask per order.",
    helm: "endpoint.catalogCacheTtl",
  },
  HTTP_TIMEOUT_MS: {
    schema: env.int(100, 120_000),
    default: "5000",
    doc: "Timeout of one call to the payment provider or the POS.",
    helm: "endpoint.httpTimeoutMs",
  },
});
export type EndpointConfig = ReturnType<typeof endpointConfig.parse>;
