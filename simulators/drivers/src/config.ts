import { commonSpec, defineConfig, env, tracingSpec } from "@food-ordering/kit";
import { z } from "zod";
import { DNS_LABEL } from "@food-ordering/contracts";

/** The driver simulator's configuration: one process simulates the drivers of one region. */
export const driversConfig = defineConfig("drivers", {
  ...commonSpec,
  ...tracingSpec,
  METRICS_PORT: { ...commonSpec.METRICS_PORT, default: "9467" },
  REGION: {
    schema: z.string().regex(DNS_LABEL, "must be a region id of the catalog (a DNS-1123 label)"),
    default: "amsterdam",
    doc: "Region whose drivers this process simulates; its map comes from the live catalog (waits until the region is there).",
    helm: "regions[].name",
  },
  DRIVER_COUNT: {
    schema: env.int(1, 10_000),
    default: "5",
    doc: "Number of simulated drivers.",
    helm: "regions[].drivers",
  },
  DRIVER_ID_PREFIX: {
    schema: env.string(),
    default: "local",
    doc: "Makes driver ids unique across processes: <region>-<prefix>-<n>. The chart uses the pod name.",
    helm: "(pod name)",
  },
  DRIVER_ENROLLMENT_KEY: {
    schema: env.string().optional(),
    default: undefined,
    doc:
      "The fleet's driver enrollment key: this simulator plays every driver of its " +
      "region, so it derives each one's enrollment credential from it to go on shift.",
    helm: "drivers.enrollmentKey (Secret)",
  },
  SPEED_KMH: {
    schema: env.number(1, 300),
    default: "30",
    doc: "Driving speed in simulated km/h.",
    helm: "global.driverSpeedKmh",
  },
  TICK_MS: {
    schema: env.int(10, 60_000),
    default: "1000",
    doc: "Real milliseconds between two moves (and location reports) of a driver.",
    helm: "global.tickMs",
  },
  TIME_SCALE: {
    schema: env.number(0.001, 1_000_000),
    default: "60",
    doc: "Simulated seconds per real second.",
    helm: "global.timeScale",
  },
  WAIT_FOR_WORK_MS: {
    schema: env.int(1000, 280_000),
    default: "240000",
    doc:
      "Long-poll time of an idle driver asking for work: its only sign of life while idle (two " +
      "invocations per poll). Under 300 s, the HTTP client's default headers timeout.",
    helm: "global.waitForWorkMs",
  },
  ETA_CHANGE_THRESHOLD_MS: {
    schema: env.int(0, 3_600_000),
    default: "120000",
    doc:
      "A fix goes to the driver's twin (driver-reports) when the trip moved the delivery's ETA by more " +
      "than this (real ms): the endpoint's ETA_CHANGE_THRESHOLD_MS. Every fix goes to driver-updates.",
    helm: "global.etaChangeThresholdMs",
  },
  RESTATE_INGRESS_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:8080",
    doc: "Restate ingress.",
    helm: "(wired to the Restate Service)",
  },
  KAFKA_BROKERS: {
    schema: env.list(),
    default: "127.0.0.1:9092",
    doc: "Kafka bootstrap servers, comma separated.",
    helm: "kafka.external.bootstrapServers (else the Strimzi bootstrap Service)",
  },
  KAFKA_LINGER_MS: {
    schema: env.int(0, 1000),
    default: "250",
    doc: "Location reports published within this time go to Kafka as one request (0 = each on its own); the drive never waits for them.",
    helm: "global.kafkaLingerMs",
  },
});
export type DriversConfig = ReturnType<typeof driversConfig.parse>;
