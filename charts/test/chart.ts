import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import { generateKeyPairSync } from "node:crypto";
import { ensureCrds, installKubeTools } from "@food-ordering/setup";
import { REPO_ROOT, restatePublicKey } from "@food-ordering/stack";

/** Rendering the chart with helm, and the variants every test runs over. */
export const CHART_DIR = join(REPO_ROOT, "charts", "food-ordering");
export const RELEASE = "shop";
export const NAMESPACE = "food";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any; // rendered YAML; its shape is what the schema tests check
  data?: Record<string, string>;
}

export type Values = Record<string, unknown>;

/** A request identity key pair as `npm run keys -- request-identity --values` makes one. */
const identity = generateKeyPairSync("ed25519");
export const REQUEST_IDENTITY = {
  privateKeyPem: identity.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
  publicKey: restatePublicKey(identity.publicKey),
};
/** Three catalog regions that are not built in, as a platform team would add them by values. */
export const NEW_REGIONS = ["eu-west", "us-east-1", "apac"].map((id, i) => ({
  id,
  name: id.toUpperCase(),
  sizeKm: 8 + i,
  restaurants: [
    {
      id: `${id}-deli`,
      name: "Deli",
      cuisine: "Sandwiches",
      location: { x: 1 + i, y: 2 },
      menu: [{ productId: `${id}-deli-1`, name: "Club sandwich", price: 750 + i }],
    },
  ],
}));

export const VARIANTS: Record<string, Values> = {
  defaults: {},
  "three regions": {
    regions: [
      { name: "amsterdam", drivers: 5, replicas: 2 },
      { name: "berlin", drivers: 3, replicas: 1 },
      { name: "paris", drivers: 4, replicas: 1 },
    ],
  },
  // Cities the code does not know: each region's catalog entry comes from values (issue 19).
  "three new regions": {
    regions: NEW_REGIONS.map((r, i) => ({ name: r.id, drivers: 2 + i, replicas: 1 })),
    catalog: { regions: NEW_REGIONS },
  },
  "restate.replicas 3": {
    restate: { replicas: 3 },
    kafka: {
      strimzi: { replicas: 3 },
      topics: {
        orders: { partitions: 6, replicas: 3 },
        driverUpdates: { partitions: 6, replicas: 3 },
        driverReports: { partitions: 6, replicas: 3 },
        orderUpdates: { partitions: 6, replicas: 3 },
      },
    },
  },
  "monitoring off": { monitoring: { enabled: false } },
  "network policies off": { networkPolicies: { enabled: false } },
  "existing Kafka": { kafka: { external: { bootstrapServers: "kafka-0.kafka.infra:9092,kafka-1.kafka.infra:9094" } } },
  // A journal-incompatible upgrade in progress: revision 2 still serves its in-flight invocations.
  "draining revision": {
    endpoint: { revision: 3, drainingRevisions: [{ revision: "2", image: "food-ordering:0.2.0" }] },
  },
  // One KRaft broker from the apache/kafka image instead of Strimzi (kafka.mode bundled).
  "bundled Kafka": { kafka: { mode: "bundled" } },
  // The values file of the local single-node cluster (bundled Kafka, monitoring off, one region).
  "local node": parseYaml(readFileSync(join(REPO_ROOT, "k8s", "values-local-node.yaml"), "utf8")) as Values,
  "everything on": {
    endpoint: { autoscaling: { enabled: true } },
    webui: { ingress: { enabled: true, className: "nginx", tlsSecretName: "shop-tls" } },
    restate: { kafkaClusterInConfig: true, requestIdentity: { existingSecret: "", ...REQUEST_IDENTITY } },
    tracing: { enabled: true, jaeger: { uiUrl: "https://jaeger.example.com" } },
  },
  // Spans to a collector the cluster already runs (tracing.otlpEndpoint) instead of the bundled Jaeger.
  "tracing to an existing collector": {
    tracing: { enabled: true, otlpEndpoint: "http://otel-collector.observability:4318", jaeger: { enabled: false } },
  },
};

/** Where spans go, as the chart decides it (templates/_helpers.tpl fo.tracingMode): the bundled Jaeger, an existing collector, or off. */
export const tracingMode = (v: any): "bundled" | "external" | "" =>
  v.tracing.enabled ? (v.tracing.jaeger.enabled ? "bundled" : "external") : "";

let helmPath: string | undefined;
export function helm(): string {
  helmPath ??= installKubeTools().helm;
  return helmPath;
}

export interface HelmResult {
  ok: boolean;
  output: string;
}
/** helm with `args`; `values`, when given, reach it on stdin (`-f -`; JSON is YAML), not in a file. */
export function runHelm(args: string[], values?: Values): HelmResult {
  try {
    return {
      ok: true,
      output: execFileSync(helm(), values ? [...args, "-f", "-"] : args, {
        encoding: "utf8",
        input: values ? JSON.stringify(values) : "",
        maxBuffer: 64 << 20,
      }),
    };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

export const lint = (values: Values): HelmResult => runHelm(["lint", CHART_DIR, "--strict"], values);

export function template(values: Values, release = RELEASE, namespace = NAMESPACE): HelmResult {
  return runHelm(["template", release, CHART_DIR, "--namespace", namespace, "--kube-version", "1.34.0"], values);
}

/** The objects of a `helm template` output. */
export const parseObjects = (output: string): K8sObject[] =>
  parseAllDocuments(output)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);

const cache = new Map<string, K8sObject[]>();
/** Every object `helm template` renders for these values (hooks and test pods included). */
export function render(values: Values): K8sObject[] {
  const key = JSON.stringify(values);
  const hit = cache.get(key);
  if (hit) return hit;
  const r = template(values);
  if (!r.ok) throw new Error(`helm template failed:\n${r.output}`);
  const objects = parseObjects(r.output);
  cache.set(key, objects);
  return objects;
}

/** The chart's default values merged with a variant's (objects deep, arrays replaced), as helm does. */
export function effectiveValues(values: Values): any {
  const merge = (a: unknown, b: unknown): unknown => {
    if (b === undefined) return a;
    if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
      return out;
    }
    return b;
  };
  return merge(parseYaml(readFileSync(join(CHART_DIR, "values.yaml"), "utf8")), values);
}

export const byKind = (objects: K8sObject[], kind: string): K8sObject[] => objects.filter((o) => o.kind === kind);
export function one(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(`no ${kind} ${name} among: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}
export const fullName = (component: string): string => `${RELEASE}-food-ordering-${component}`;

/** Pod templates of the workloads (and bare pods), with the object that owns them. */
export interface PodOwner {
  owner: K8sObject;
  labels: Record<string, string>;
  spec: any;
}
export function podTemplates(objects: K8sObject[]): PodOwner[] {
  return objects.flatMap((o): PodOwner[] => {
    if (["Deployment", "StatefulSet", "Job"].includes(o.kind))
      return [{ owner: o, labels: o.spec.template.metadata.labels, spec: o.spec.template.spec }];
    if (o.kind === "Pod") return [{ owner: o, labels: o.metadata.labels ?? {}, spec: o.spec }];
    return [];
  });
}

/** The Strimzi and prometheus-operator CRD files, generated from the pinned releases (tools/setup/src/crds.ts). */
export function crdFiles(): string[] {
  const dir = ensureCrds();
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(dir, f));
}
