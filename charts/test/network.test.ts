import { describe, expect, it } from "vitest";
import {
  byKind,
  effectiveValues,
  NAMESPACE,
  podTemplates,
  render,
  tracingMode,
  VARIANTS,
  type K8sObject,
  type Values,
} from "./chart.ts";

/**
 * A model of NetworkPolicy semantics, run over the rendered policies: for every pair of pods and
 * every port the callee declares, traffic is allowed exactly when the components need it.
 */
interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ports: Record<string, number>;
  /** A Strimzi-managed pod: not the chart's, so not covered by the chart's policies. */
  strimzi?: boolean;
}
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: unknown };
type Rule = { from?: Peer[]; to?: Peer[]; ports?: Array<{ port?: number | string; protocol?: string }> };
interface Policy {
  namespace: string;
  podSelector: Selector;
  types: string[];
  ingress: Rule[];
  egress: Rule[];
}

const selects = (sel: Selector | undefined, labels: Record<string, string>): boolean => {
  if (sel?.matchExpressions?.length) throw new Error("the model does not implement matchExpressions");
  return Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
};
const nsLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns });

function peerMatches(peer: Peer, policyNs: string, pod: Pod): boolean {
  if (peer.ipBlock) return false; // no pod addresses in this model
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, nsLabels(pod.namespace))
    : pod.namespace === policyNs;
  return nsOk && (peer.podSelector ? selects(peer.podSelector, pod.labels) : true);
}
const portMatches = (rule: Rule, dst: Pod, port: number): boolean =>
  !rule.ports?.length ||
  rule.ports.some(
    (p) => p.port === undefined || p.port === port || (typeof p.port === "string" && dst.ports[p.port] === port),
  );

function allowed(policies: Policy[], src: Pod, dst: Pod, port: number): boolean {
  const ingress = policies.filter(
    (p) => p.namespace === dst.namespace && p.types.includes("Ingress") && selects(p.podSelector, dst.labels),
  );
  const egress = policies.filter(
    (p) => p.namespace === src.namespace && p.types.includes("Egress") && selects(p.podSelector, src.labels),
  );
  const inOk =
    !ingress.length ||
    ingress.some((p) =>
      p.ingress.some(
        (r) =>
          (!r.from?.length || r.from.some((peer) => peerMatches(peer, p.namespace, src))) && portMatches(r, dst, port),
      ),
    );
  const outOk =
    !egress.length ||
    egress.some((p) =>
      p.egress.some(
        (r) => (!r.to?.length || r.to.some((peer) => peerMatches(peer, p.namespace, dst))) && portMatches(r, dst, port),
      ),
    );
  return inOk && outOk;
}

function policiesOf(objects: K8sObject[]): Policy[] {
  const policies: Policy[] = byKind(objects, "NetworkPolicy").map((np) => ({
    namespace: NAMESPACE,
    podSelector: np.spec.podSelector,
    types: np.spec.policyTypes,
    ingress: np.spec.ingress ?? [],
    egress: np.spec.egress ?? [],
  }));
  // Strimzi writes the Kafka pods' policy from the listeners' networkPolicyPeers.
  for (const kafka of byKind(objects, "Kafka")) {
    for (const l of kafka.spec.kafka.listeners) {
      if (!l.networkPolicyPeers) continue;
      policies.push({
        namespace: NAMESPACE,
        podSelector: { matchLabels: { "strimzi.io/cluster": kafka.metadata.name } },
        types: ["Ingress"],
        ingress: [{ from: l.networkPolicyPeers, ports: [{ port: l.port }] }],
        egress: [],
      });
    }
  }
  return policies;
}

function podsOf(objects: K8sObject[]): Pod[] {
  const pods: Pod[] = podTemplates(objects).map(({ owner, labels, spec }) => ({
    name:
      labels["app.kubernetes.io/component"] === "drivers"
        ? `drivers-${labels["food-ordering.io/region"]}`
        : labels["app.kubernetes.io/component"]!,
    namespace: NAMESPACE,
    labels,
    ports: Object.fromEntries(
      spec.containers.flatMap((c: { ports?: Array<{ name: string; containerPort: number }> }) =>
        (c.ports ?? []).map((p) => [p.name, p.containerPort]),
      ),
    ),
    owner,
  }));
  // Strimzi's broker pods (the bundled broker is a StatefulSet of the release, among the templates above).
  for (const kafka of byKind(objects, "Kafka"))
    pods.push({
      name: "kafka",
      strimzi: true,
      namespace: NAMESPACE,
      labels: { "strimzi.io/cluster": kafka.metadata.name, "strimzi.io/kind": "Kafka" },
      ports: { plain: 9092 },
    });
  return pods;
}

const MONITORING = (ns: string): Pod => ({
  name: "prometheus",
  namespace: ns,
  labels: { app: "prometheus" },
  ports: {},
});
const STRANGER: Pod = { name: "stranger", namespace: "elsewhere", labels: { app: "curious" }, ports: {} };
const DNS: Pod = { name: "dns", namespace: "kube-system", labels: { "k8s-app": "kube-dns" }, ports: { dns: 53 } };

/** caller -> callee:port edges the components need (drivers-* stands for every region's drivers). */
const NEEDED = [
  "restaurant->restate:8080",
  "drivers->restate:8080",
  "webui->restate:8080",
  "test->restate:8080",
  // The live catalog: the provider reads it, the registrar applies the chart's catalog value.
  "provider->restate:8080",
  "registrar->restate:8080",
  "registrar->restate:9070",
  "restate->restate:5122",
  "restate->endpoint:9080",
  "endpoint->payment:9082",
  "endpoint->restaurant:9081",
  "restate->kafka:9092",
  "drivers->kafka:9092",
  "provider->kafka:9092",
  "webui->kafka:9092",
  // order-status publishes every change of an order's view to order-updates.
  "endpoint->kafka:9092",
  "test->kafka:9092",
  // Only with kafka.mode bundled: the hook Job that creates the topics.
  "kafka-topics->kafka:9092",
];

/** The components that send spans when tracing is on (Restate and the Node processes that trace). */
const TRACED = ["restate", "endpoint", "payment", "restaurant", "drivers", "provider", "webui", "test"];
/** With the bundled Jaeger: OTLP (gRPC, HTTP) from every traced component, its query API from the web UI. */
const TRACING_NEEDED = [...TRACED.flatMap((c) => [`${c}->jaeger:4317`, `${c}->jaeger:4318`]), "webui->jaeger:16686"];

describe.each(Object.entries(VARIANTS).filter(([, v]) => effectiveValues(v).networkPolicies.enabled))(
  "variant %s",
  (_name, values) => {
    const objects = render(values);
    const v = effectiveValues(values);
    const policies = policiesOf(objects);
    const pods = podsOf(objects);
    const component = (p: Pod) => p.name.replace(/^drivers-.*/, "drivers");
    const mode: string = v.kafka.mode || (v.kafka.external.bootstrapServers ? "external" : "strimzi");
    const externalKafka = mode === "external";

    it("every pod of the release is covered by a policy for both directions", () => {
      for (const pod of pods.filter((p) => !p.strimzi)) {
        expect(
          policies
            .filter((p) => selects(p.podSelector, pod.labels))
            .flatMap((p) => p.types)
            .sort(),
          pod.name,
        ).toEqual(["Egress", "Ingress"]);
      }
    });

    it("lets through exactly the traffic between components that they need", () => {
      const allowedEdges = new Set<string>();
      for (const src of pods) {
        for (const dst of pods) {
          for (const port of new Set(Object.values(dst.ports))) {
            if (allowed(policies, src, dst, port)) allowedEdges.add(`${component(src)}->${component(dst)}:${port}`);
          }
        }
      }
      const needed = [
        ...NEEDED.filter(
          (e) => !(externalKafka && e.includes("->kafka:")) && !(mode !== "bundled" && e.startsWith("kafka-topics->")),
        ),
        ...(tracingMode(v) === "bundled" ? TRACING_NEEDED : []),
      ];
      // Without Strimzi there are no Kafka pods in the release: egress to the external brokers is checked below.
      expect([...allowedEdges].filter((e) => !e.startsWith("kafka->")).sort()).toEqual([...new Set(needed)].sort());
    });

    it("lets Prometheus scrape every process, browsers reach the shop, and every pod resolve names", () => {
      const monitoring = MONITORING(v.networkPolicies.monitoringNamespace);
      for (const pod of pods.filter((p) => !p.strimzi)) {
        const metrics = pod.ports.metrics ?? pod.ports.node;
        // The helm test pod serves nothing.
        if (metrics !== undefined)
          expect(allowed(policies, monitoring, pod, metrics), `monitoring->${pod.name}:${metrics}`).toBe(true);
        expect(allowed(policies, pod, DNS, 53), `${pod.name}->dns`).toBe(true);
      }
      const webui = pods.find((p) => p.name === "webui")!;
      expect(allowed(policies, STRANGER, webui, v.webui.port)).toBe(true);
    });

    it("denies what no component needs", () => {
      const pod = (name: string) => pods.find((p) => p.name === name)!;
      const denied: Array<[Pod, Pod, number]> = [
        [pod("webui"), pod("restate"), 9070],
        [pod("provider"), pod("endpoint"), 9080],
        [pod("webui"), pod("endpoint"), 9080],
        [pod("endpoint"), pod("restate"), 9070],
        [pod("payment"), pod("restate"), 8080],
        [STRANGER, pod("restate"), 8080],
        [STRANGER, pod("restate"), 9070],
        [STRANGER, pod("endpoint"), 9080],
        [MONITORING(v.networkPolicies.monitoringNamespace), pod("restate"), 9070],
      ];
      if (!externalKafka)
        denied.push(
          [pod("payment"), pod("kafka"), 9092],
          [pod("restaurant"), pod("kafka"), 9092],
          [STRANGER, pod("kafka"), 9092],
        );
      // The bundled broker's policy (nothing but its clients) and the topics Job's (nothing but Kafka).
      if (mode === "bundled")
        denied.push(
          [pod("registrar"), pod("kafka"), 9092],
          [MONITORING(v.networkPolicies.monitoringNamespace), pod("kafka"), 9092],
          [pod("kafka-topics"), pod("restate"), 8080],
          [pod("kafka"), pod("restate"), 8080],
        );
      // The bundled Jaeger: no stranger sends it spans or reads traces; only the web UI queries it.
      if (tracingMode(v) === "bundled")
        denied.push(
          [STRANGER, pod("jaeger"), 4318],
          [STRANGER, pod("jaeger"), 16686],
          [pod("endpoint"), pod("jaeger"), 16686],
          [pod("registrar"), pod("jaeger"), 16686],
          [pod("jaeger"), pod("restate"), 8080],
        );
      for (const [src, dst, port] of denied)
        expect(allowed(policies, src, dst, port), `${src.name}->${dst.name}:${port}`).toBe(false);
    });

    it("lets exactly the traced components reach an existing collector's port, and nothing when tracing is off", () => {
      const collector: Pod = { name: "collector", namespace: "observability", labels: {}, ports: { otlp: 4318 } };
      const senders = pods.filter((p) => !p.strimzi && allowed(policies, p, collector, 4318)).map((p) => component(p));
      expect([...new Set(senders)].sort()).toEqual(tracingMode(v) === "external" ? [...TRACED].sort() : []);
      expect(pods.some((p) => p.name === "jaeger")).toBe(tracingMode(v) === "bundled");
    });

    it("lets exactly the Kafka clients reach an existing Kafka's ports", () => {
      if (mode === "strimzi") return expect(byKind(objects, "Kafka")).toHaveLength(1);
      if (mode === "bundled") return expect(byKind(objects, "Kafka")).toHaveLength(0);
      const broker: Pod = { name: "external-kafka", namespace: "infra", labels: {}, ports: { a: 9092, b: 9094 } };
      const clients = pods.filter((p) => allowed(policies, p, broker, 9094)).map((p) => component(p));
      expect([...new Set(clients)].sort()).toEqual(["drivers", "endpoint", "provider", "restate", "test", "webui"]);
    });
  },
);

describe.each(
  Object.entries(VARIANTS).filter(
    ([, v]) => effectiveValues(v).networkPolicies.enabled && effectiveValues(v).kafka.mode === "bundled",
  ),
)("bundled Kafka, variant %s", (_name, values) => {
  const objects = render(values);
  const policies = policiesOf(objects);
  const pods = podsOf(objects);
  const pod = (name: string) => pods.find((p) => p.name === name)!;
  const CLIENTS = ["restate", "endpoint", "drivers-*", "provider", "webui", "test", "kafka-topics"];

  it("accepts on the broker's client port exactly the components that use Kafka", () => {
    const broker = pod("kafka");
    const callers = pods
      .filter((p) => p.name !== "kafka" && allowed(policies, p, broker, 9092))
      .map((p) => p.name.replace(/^drivers-.*/, "drivers-*"));
    expect([...new Set(callers)].sort()).toEqual([...CLIENTS].sort());
  });

  it("lets the Kafka clients reach only the broker on 9092, not another pod listening there", () => {
    const impostor: Pod = { name: "impostor", namespace: NAMESPACE, labels: { app: "impostor" }, ports: { k: 9092 } };
    for (const client of pods.filter((p) => CLIENTS.includes(p.name.replace(/^drivers-.*/, "drivers-*"))))
      expect(allowed(policies, client, impostor, 9092), `${client.name}->impostor`).toBe(false);
  });

  it("lets the broker reach itself (its advertised pod address) and DNS, nothing else", () => {
    expect(allowed(policies, pod("kafka"), pod("kafka"), 9092)).toBe(true);
    expect(allowed(policies, pod("kafka"), DNS, 53)).toBe(true);
    for (const other of pods.filter((p) => p.name !== "kafka"))
      for (const port of Object.values(other.ports))
        expect(allowed(policies, pod("kafka"), other, port), `kafka->${other.name}:${port}`).toBe(false);
  });
});

it("renders no NetworkPolicy when they are off, and no listener peers for Strimzi", () => {
  const objects = render(VARIANTS["network policies off"]!);
  expect(byKind(objects, "NetworkPolicy")).toEqual([]);
  expect(byKind(objects, "Kafka")[0]!.spec.kafka.listeners[0].networkPolicyPeers).toBeUndefined();
});

describe("endpoints the registrar discovers by label (registrar.discovery.labelSelector)", () => {
  const on = { registrar: { discovery: { labelSelector: "restate.dev/endpoint=true" } } };
  const v = effectiveValues(on);
  // The label the pods behind discovered Services carry (values: registrar.discovery.podLabel).
  const podLabel = String(v.registrar.discovery.podLabel ?? "");
  const [key, value] = podLabel.split("=");
  const discovered = (labels: Record<string, string>): Pod => ({
    name: "discovered",
    namespace: NAMESPACE,
    labels: { app: "someone-elses-endpoint", ...labels },
    ports: { restate: 9080, other: 8000 },
  });
  const restateOf = (values: Values) => podsOf(render(values)).find((p) => p.name === "restate")!;

  it("documents the pod label in values", () => {
    expect(podLabel).toMatch(/^[^=]+=[^=]*$/);
  });

  it("lets Restate reach the pods of discovered endpoint Services, on whatever port they serve", () => {
    const policies = policiesOf(render(on));
    const pod = discovered({ [key!]: value! });
    for (const port of [9080, 8000])
      expect(allowed(policies, restateOf(on), pod, port), `restate->:${port}`).toBe(true);
  });

  it("still denies Restate pods that do not carry the label, and other components the discovered pods", () => {
    const objects = render(on);
    const policies = policiesOf(objects);
    expect(allowed(policies, restateOf(on), discovered({}), 9080)).toBe(false);
    for (const src of podsOf(objects).filter((p) => !["restate", "kafka"].includes(p.name)))
      expect(allowed(policies, src, discovered({ [key!]: value! }), 9080), `${src.name}->discovered`).toBe(false);
  });

  it("opens nothing when discovery is off", () => {
    const policies = policiesOf(render({}));
    expect(allowed(policies, restateOf({}), discovered({ [key!]: value! }), 9080)).toBe(false);
  });
});
