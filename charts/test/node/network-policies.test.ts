import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubectl } from "@food-ordering/cluster";
import { berlinOrder, NodeRelease, nodeReady, say } from "./release.ts";
import {
  applyIn,
  connect,
  kubectlIn,
  podOf,
  PROBE_PORT,
  probePod,
  PROJECT_IMAGE,
  type Outcome,
} from "./network-probes.ts";

/**
 * The chart's NetworkPolicies enforced on the node (kube-network-policies, as kind's kindnetd
 * runs it): for every policy the release renders, connections it admits succeed and others time
 * out. Probe pods stand in for the callers a policy names that run no shell or run only as hooks
 * (the registrar, the smoke test, the topics Job), for a pod of none of the release's
 * components (and a listener no policy guards, `sink`), for Prometheus' namespace and for any
 * other namespace. A Service found by the registrar's label selector is registered and called
 * through Restate, and an order is delivered, with every policy on.
 */
const release = new NodeRelease();
const { ns, full } = release;
/** Stands in for Prometheus' namespace (networkPolicies.monitoringNamespace). */
const mon = `${ns}-mon`;
const other = `${ns}-other`;
const DISCOVERY = { selector: "food-ordering.io/netpol-test=discovered", name: "netpol-discovered" };
/** The chart's registrar.discovery.podLabel default, which Restate's egress admits. */
const POD_LABEL = { "food-ordering.io/restate-endpoint": "true" };
const as = (component: string) => ({
  "app.kubernetes.io/instance": release.name,
  "app.kubernetes.io/component": component,
});

/** A Restate service of its own behind a Service the registrar discovers by label. */
const discoveredEndpoint = [
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: DISCOVERY.name },
    spec: {
      selector: { matchLabels: { app: DISCOVERY.name } },
      template: {
        metadata: { labels: { app: DISCOVERY.name, ...POD_LABEL } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: "endpoint",
              image: PROJECT_IMAGE,
              imagePullPolicy: "IfNotPresent",
              workingDir: "/app",
              command: [
                "node",
                "-e",
                'const r = require("@restatedev/restate-sdk"); r.serve({ port: 9080, services: ' +
                  '[r.service({ name: "NetpolProbe", handlers: { ping: async () => "pong" } })] });',
              ],
              ports: [{ name: "restate", containerPort: 9080 }],
              readinessProbe: { tcpSocket: { port: 9080 }, periodSeconds: 2 },
              resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "192Mi" } },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: DISCOVERY.name, labels: { "food-ordering.io/netpol-test": "discovered" } },
    spec: { selector: { app: DISCOVERY.name }, ports: [{ name: "restate", port: 9080, targetPort: "restate" }] },
  },
];

type From = { component: string } | { probe: string; ns?: string };
type To = { service: string } | { podOf: string } | { probe: string; ns?: string };
interface Edge {
  from: From;
  to: To;
  port: number;
}
const svc = (component: string): To => ({ service: full(component) });
/** A probe pod no policy selects: its ingress is open, so only the caller's egress can deny. */
const SINK: To = { probe: "sink" };
const e = (from: From, to: To, port: number): Edge => ({ from, to, port });
const pod = (component: string): From => ({ component });
const probe = (name: string, namespace = ns): From => ({ probe: name, ns: namespace });

/** Per policy (by component): connections it admits, and connections it denies. */
const CASES: Record<string, { allowed: Edge[]; denied: Edge[] }> = {
  restate: {
    allowed: [
      e(pod("drivers"), svc("restate"), 8080),
      e(probe("as-registrar"), svc("restate"), 9070),
      e(pod("restate"), { service: DISCOVERY.name }, 9080),
    ],
    denied: [
      e(probe("sink"), svc("restate"), 8080),
      e(probe("outsider", other), svc("restate"), 8080),
      e(pod("webui"), svc("restate"), 9070),
      e(pod("restate"), SINK, PROBE_PORT),
    ],
  },
  endpoint: {
    allowed: [e(pod("restate"), svc("endpoint-1"), 9080), e(probe("prometheus", mon), { podOf: "endpoint" }, 9464)],
    denied: [
      e(probe("sink"), svc("endpoint-1"), 9080),
      e(probe("outsider", other), { podOf: "endpoint" }, 9464),
      e(pod("endpoint"), SINK, PROBE_PORT),
    ],
  },
  payment: {
    allowed: [e(pod("endpoint"), svc("payment"), 9082)],
    denied: [e(probe("sink"), svc("payment"), 9082), e(pod("payment"), SINK, PROBE_PORT)],
  },
  restaurant: {
    allowed: [e(pod("endpoint"), svc("restaurant"), 9081), e(pod("restaurant"), svc("restate"), 8080)],
    denied: [e(probe("sink"), svc("restaurant"), 9081), e(pod("restaurant"), SINK, PROBE_PORT)],
  },
  drivers: {
    allowed: [e(pod("drivers"), svc("restate"), 8080), e(pod("drivers"), svc("kafka"), 9092)],
    denied: [e(pod("drivers"), SINK, PROBE_PORT), e(probe("sink"), { podOf: "drivers" }, 9464)],
  },
  provider: {
    allowed: [e(pod("provider"), svc("kafka"), 9092)],
    denied: [e(pod("provider"), SINK, PROBE_PORT), e(probe("sink"), svc("provider"), 9083)],
  },
  webui: {
    allowed: [e(probe("outsider", other), svc("webui"), 3000), e(pod("webui"), svc("restate"), 8080)],
    denied: [e(pod("webui"), SINK, PROBE_PORT), e(pod("webui"), svc("endpoint-1"), 9080)],
  },
  registrar: {
    allowed: [e(probe("as-registrar"), svc("restate"), 9070)],
    denied: [e(probe("as-registrar"), svc("kafka"), 9092), e(probe("as-registrar"), SINK, PROBE_PORT)],
  },
  test: {
    allowed: [e(probe("as-test"), svc("restate"), 8080), e(probe("as-test"), svc("kafka"), 9092)],
    denied: [e(probe("as-test"), SINK, PROBE_PORT), e(probe("sink"), { probe: "as-test" }, PROBE_PORT)],
  },
  kafka: {
    allowed: [e(pod("provider"), svc("kafka"), 9092), e(probe("as-kafka-topics"), svc("kafka"), 9092)],
    denied: [
      e(probe("sink"), svc("kafka"), 9092),
      e(probe("outsider", other), svc("kafka"), 9092),
      e(pod("kafka"), SINK, PROBE_PORT),
    ],
  },
  "kafka-topics": {
    allowed: [e(probe("as-kafka-topics"), svc("kafka"), 9092)],
    denied: [e(probe("as-kafka-topics"), SINK, PROBE_PORT)],
  },
};

async function podIp(namespace: string, name: string): Promise<string> {
  return (await kubectlIn(namespace, "get", "pod", name, "-o", "jsonpath={.status.podIP}")).trim();
}

/** Runs one edge: [where from, where to, outcome]. */
async function attempt(edge: Edge): Promise<[string, string, Outcome]> {
  const [fromNs, fromPod] =
    "component" in edge.from ? [ns, await podOf(ns, edge.from.component)] : [edge.from.ns ?? ns, edge.from.probe];
  const [host, label] =
    "service" in edge.to
      ? [`${edge.to.service}.${ns}.svc`, `svc/${edge.to.service}`]
      : "podOf" in edge.to
        ? [await podIp(ns, await podOf(ns, edge.to.podOf)), `pod of ${edge.to.podOf}`]
        : [await podIp(edge.to.ns ?? ns, edge.to.probe), `probe ${edge.to.probe}`];
  return [`${fromNs}/${fromPod}`, `${label}:${edge.port}`, await connect(fromNs, fromPod, host, edge.port)];
}

beforeAll(async () => {
  await nodeReady();
  for (const n of [ns, mon, other]) kubectl(["create", "namespace", n]);
  applyIn(ns, [
    probePod("sink"),
    probePod("as-registrar", as("registrar")),
    probePod("as-test", as("test")),
    probePod("as-kafka-topics", as("kafka-topics")),
    ...discoveredEndpoint,
  ]);
  applyIn(mon, [probePod("prometheus")]);
  applyIn(other, [probePod("outsider")]);
  await release.install(
    "--set",
    `networkPolicies.monitoringNamespace=${mon}`,
    "--set",
    `registrar.discovery.labelSelector=${DISCOVERY.selector}`,
  );
  for (const n of [ns, mon, other])
    await kubectlIn(n, "wait", "pod", "-l", "food-ordering.io/netpol-probe", "--for=condition=Ready", "--timeout=300s");
}, 45 * 60_000);

afterAll(async () => {
  await release.uninstall();
  if (process.env.KEEP_NODE_RELEASE) return;
  for (const n of [mon, other]) kubectl(["delete", "namespace", n, "--wait=false"]);
}, 10 * 60_000);

describe("the release's NetworkPolicies, enforced on the node", () => {
  it("has a case here for every NetworkPolicy the release rendered", async () => {
    const policies = JSON.parse(await release.kubectl("get", "networkpolicy", "-o", "json")).items as Array<{
      metadata: { name: string };
    }>;
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(Object.keys(CASES).map(full).sort());
  });

  it.each(Object.keys(CASES))("%s: admits its callers and callees, denies others", async (component) => {
    const { allowed, denied } = CASES[component]!;
    expect(allowed.length).toBeGreaterThan(0);
    expect(denied.length).toBeGreaterThan(0);
    for (const edge of allowed) {
      // kube-proxy and the enforcer learn of new pods a moment after they run: retry a little.
      let result = await attempt(edge);
      for (let i = 0; i < 5 && result[2] !== "connected"; i++) {
        await new Promise((r) => setTimeout(r, 3000));
        result = await attempt(edge);
      }
      expect(result, "allowed").toEqual([result[0], result[1], "connected"]);
    }
    for (const edge of denied) {
      const result = await attempt(edge);
      say(`${full(component)}: ${result.join(" -> ")}`);
      expect(result, "denied").toEqual([result[0], result[1], "timed out"]);
    }
  });

  it("converges the registrar's hook with the discovered endpoint registered, and Restate calls it", async () => {
    const cm = JSON.parse(await release.kubectl("get", "configmap", full("registrar-state"), "-o", "json"));
    expect(cm.data.result).toBe("converged");
    expect(cm.data.changes).toContain(`${DISCOVERY.name}.${ns}.svc:9080`);
    const res = await fetch(`${release.ingress}/NetpolProbe/ping`, { method: "POST" });
    expect([res.status, await res.text()]).toEqual([200, '"pong"']);
  });

  it(
    "delivers an order published from outside with every policy enforced",
    async () => {
      const order = berlinOrder();
      await release.publish(order.id, JSON.stringify(order));
      const delivered = await release.waitForStatus(order.id, (v) => v.status === "DELIVERED", 300_000);
      expect(delivered.timeline.map((t) => t.status)).toContain("IN_DELIVERY");
    },
    10 * 60_000,
  );
});
