import { z } from "zod";
import { commonSpec, defineConfig, env } from "@food-ordering/kit";

/** The registrar's configuration. The desired state itself is a file (see desired-state.ts). */
export const registrarConfig = defineConfig("registrar", {
  ...commonSpec,
  METRICS_PORT: { ...commonSpec.METRICS_PORT, default: "0" },
  RESTATE_ADMIN_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:9070",
    doc: "Restate admin API.",
    helm: "(wired to the Restate admin Service)",
  },
  RESTATE_INGRESS_URL: {
    schema: env.url(),
    default: "http://127.0.0.1:8080",
    doc: "Restate ingress, where the desired state's catalog is put once the endpoint is registered.",
    helm: "(wired to the Restate Service)",
  },
  OPERATOR_TOKEN: {
    schema: z.string().max(256),
    default: "",
    doc:
      "The operator token the catalog's writes carry (the endpoint's OPERATOR_TOKEN); " +
      "needed only when the desired state has a catalog.",
    helm: "webui.operatorToken (Secret)",
  },
  DESIRED_STATE_FILE: {
    schema: env.string(),
    default: ".data/local/desired-state.yaml",
    doc: "YAML/JSON file with the endpoints, Kafka clusters and subscriptions to converge to (the local stack writes it here; the chart mounts it from a ConfigMap).",
    helm: "registrar.* (rendered)",
  },
  DEADLINE_MS: {
    schema: env.int(1000, 3_600_000),
    default: "120000",
    doc: "Overall deadline for Restate and the endpoints to become ready and the state to converge.",
    helm: "registrar.deadlineSeconds",
  },
  WATCH_INTERVAL_MS: {
    schema: env.int(1000, 86_400_000),
    default: "60000",
    doc: "In watch mode: period of the drift-repair reconcile.",
    helm: "registrar.watchIntervalSeconds",
  },
  KAFKA_STATISTICS_INTERVAL_MS: {
    schema: env.int(0, 3_600_000),
    default: "10000",
    doc:
      "librdkafka statistics.interval.ms set on every subscription (unless its options set it): " +
      "Restate exports restate_kafka_ingress_consumer_lag from these statistics. 0 = none (no lag metric). " +
      "A change replaces the subscriptions inside their consumer groups.",
    helm: "registrar.kafkaStatisticsIntervalSeconds",
  },
  DISCOVERY_LABEL_SELECTOR: {
    schema: env.string().optional(),
    default: undefined,
    doc: "When set (in Kubernetes), also register every Service matching this label selector in NAMESPACE.",
    helm: "registrar.discovery.labelSelector",
  },
  NAMESPACE: {
    schema: env.string().optional(),
    default: undefined,
    doc: "Namespace for discovery, Events and the status ConfigMap (the pod's own namespace).",
    helm: "(release namespace)",
  },
  STATUS_CONFIGMAP: {
    schema: env.string().optional(),
    default: undefined,
    doc: "ConfigMap that receives the last reconcile's time and result (and the Events).",
    helm: "(release name)-registrar-state",
  },
  FORCE: {
    schema: env.bool(),
    default: "false",
    doc: "Force re-registration of endpoints with incompatible changes.",
    helm: "registrar.force",
  },
  OWNER: {
    schema: env.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, "must be lowercase letters, digits, '.' or '-'"),
    default: "food-ordering",
    doc: "Ownership marker written on the deployments and subscriptions this registrar creates; it only ever deletes what carries its own marker.",
    helm: "(release name)",
  },
  DESIRED_STATE_CONFIGMAP: {
    schema: env.string().optional(),
    default: undefined,
    doc: "In Kubernetes: the ConfigMap holding the desired state (key = the file name of DESIRED_STATE_FILE). Read through the API so watch mode sees edits at once; it also receives the Events.",
    helm: "(release name)-registrar-desired",
  },
});
export type RegistrarConfig = ReturnType<typeof registrarConfig.parse>;
