import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CONSUMER_OPTIONS, SUBSCRIPTIONS, TOPICS } from "@food-ordering/contracts";
import { CONFIG_MODULES, loadConfig } from "@food-ordering/checks";
import {
  byKind,
  effectiveValues,
  fullName,
  NAMESPACE,
  podTemplates,
  render,
  VARIANTS,
  type K8sObject,
  type PodOwner,
} from "./chart.ts";

/** Cross-checks between rendered objects: a wiring mistake fails here, not on a cluster. */
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The Service a URL or host:port names, if it is one of the release's Services. */
function serviceFor(objects: K8sObject[], host: string): K8sObject | undefined {
  const name = host.replace(new RegExp(`\\.${NAMESPACE}(\\.svc(\\.cluster\\.local)?)?$`), "");
  return byKind(objects, "Service").find((s) => s.metadata.name === name);
}

/** Pod templates a Service selects. */
const selected = (objects: K8sObject[], svc: K8sObject): PodOwner[] =>
  podTemplates(objects).filter((p) => matches(svc.spec.selector, p.labels));

/** Does a Service port (by number) lead to a port the selected containers declare? */
function targetExists(pods: PodOwner[], svc: K8sObject, port: number): boolean {
  const sp = svc.spec.ports.find((p: { port: number }) => p.port === port);
  if (!sp) return false;
  const target = sp.targetPort ?? sp.port;
  return (
    pods.length > 0 &&
    pods.every((p) =>
      p.spec.containers.some((c: { ports?: Array<{ name: string; containerPort: number }> }) =>
        (c.ports ?? []).some((cp) => cp.name === target || cp.containerPort === target),
      ),
    )
  );
}

const entryOf = (c: { command?: string[]; args?: string[] }): string | undefined =>
  c.command?.find((a) => a.endsWith(".ts"));

/** The endpoint's revisions as the values list them: draining ones first, the current one last. */
const endpointRevisions = (v: any): string[] => [
  ...v.endpoint.drainingRevisions.map((r: { revision: unknown }) => String(r.revision)),
  String(v.endpoint.revision),
];

/** Each Service is meant for exactly the pods of one component (of one endpoint revision). */
const expectedSelection = (v: any): Record<string, string> => ({
  restate: "StatefulSet/restate",
  "restate-cluster": "StatefulSet/restate",
  ...Object.fromEntries(endpointRevisions(v).map((r) => [`endpoint-${r}`, `Deployment/endpoint-${r}`])),
  payment: "Deployment/payment",
  restaurant: "Deployment/restaurant",
  provider: "Deployment/provider",
  webui: "Deployment/webui",
});

describe.each(Object.entries(VARIANTS))("variant %s", (_name, values) => {
  const objects = render(values);
  const v = effectiveValues(values);

  it("each Service selects exactly the pods it is meant for, on ports they declare", () => {
    const services = byKind(objects, "Service");
    const expected = expectedSelection(v);
    expect(services.map((s) => s.metadata.name).sort()).toEqual(Object.keys(expected).map(fullName).sort());
    for (const svc of services) {
      const pods = selected(objects, svc);
      const [kind, component] = expected[svc.metadata.name.replace(fullName(""), "")]!.split("/");
      expect(
        pods.map((p) => `${p.owner.kind}/${p.owner.metadata.name}`),
        svc.metadata.name,
      ).toEqual([`${kind}/${fullName(component!)}`]);
      for (const port of svc.spec.ports)
        expect(targetExists(pods, svc, port.port), `${svc.metadata.name}:${port.port}`).toBe(true);
    }
  });

  it("every probe names a port its container declares", () => {
    for (const { owner, spec } of podTemplates(objects)) {
      for (const c of spec.containers) {
        const names = new Set(
          (c.ports ?? []).flatMap((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
        );
        for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe].filter(Boolean)) {
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
          expect(names.has(port), `${owner.metadata.name}/${c.name} probe port ${port}`).toBe(true);
        }
      }
    }
  });

  it("every URL and broker address in env points at a Service of the release, on a port that reaches a container", () => {
    const external = v.kafka.external.bootstrapServers as string;
    for (const { owner, spec } of podTemplates(objects)) {
      for (const c of spec.containers) {
        for (const e of c.env ?? []) {
          const addresses = /_URL$/.test(e.name)
            ? [new URL(e.value).host]
            : e.name === "KAFKA_BROKERS"
              ? e.value.split(",")
              : [];
          for (const address of addresses) {
            const [host, port] = address.split(":");
            if (e.name === "KAFKA_BROKERS" && external) {
              expect(e.value, `${owner.metadata.name} ${e.name}`).toBe(external);
              continue;
            }
            if (e.name === "KAFKA_BROKERS") {
              // Strimzi creates <cluster>-kafka-bootstrap for the Kafka resource this release renders.
              const [kafka] = byKind(objects, "Kafka");
              expect(host, `${owner.metadata.name} KAFKA_BROKERS`).toBe(`${kafka!.metadata.name}-kafka-bootstrap`);
              expect(kafka!.spec.kafka.listeners.map((l: { port: number }) => String(l.port))).toContain(port);
              continue;
            }
            const svc = serviceFor(objects, host!);
            expect(svc, `${owner.metadata.name} ${e.name}=${e.value}`).toBeDefined();
            expect(targetExists(selected(objects, svc!), svc!, Number(port)), `${e.name}=${e.value}`).toBe(true);
          }
        }
      }
    }
  });

  it("sets exactly the env vars each process's config module declares, and values it accepts", async () => {
    for (const { owner, spec } of podTemplates(objects)) {
      for (const c of spec.containers.filter((x: { image: string }) =>
        x.image.startsWith(`${v.global.image.repository}:`),
      )) {
        const entry = entryOf(c);
        const module = entry && CONFIG_MODULES[entry];
        expect(module, `${owner.metadata.name}: entry point ${entry} has a config module`).toBeTruthy();
        const def = await loadConfig(module!);
        const env: Record<string, string> = Object.fromEntries(
          (c.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? "from-the-downward-api"]),
        );
        const unknown = Object.keys(env).filter((n) => !(n in def.spec));
        expect(unknown, `${owner.metadata.name}: env the process does not read`).toEqual([]);
        // Everything with a default is set explicitly, so the chart (not a local default) decides.
        const unset = Object.entries(def.spec)
          .filter(([n, s]) => s.default !== undefined && !(n in env))
          .map(([n]) => n);
        expect(unset, `${owner.metadata.name}: env left to the process's local default`).toEqual([]);
        expect(() => def.parse(env), `${owner.metadata.name}`).not.toThrow();
      }
    }
  });

  it("tells the registrar about subscriptions whose topics exist, and an endpoint that is a release Service", () => {
    const cm = byKind(objects, "ConfigMap").find((o) => o.metadata.name === fullName("registrar-desired-state"))!;
    const desired = parseYaml(cm.data!["desired-state.yaml"]!);
    const topics = external(v)
      ? [TOPICS.orders, TOPICS.driverUpdates]
      : byKind(objects, "KafkaTopic").map((t) => t.spec.topicName);
    expect(topics.sort()).toEqual(Object.values(TOPICS).sort());
    for (const s of desired.subscriptions) {
      const m = /^kafka:\/\/([^/]+)\/(.+)$/.exec(s.source);
      expect(m, s.source).not.toBeNull();
      expect(desired.kafkaClusters.map((k: { name: string }) => k.name)).toContain(m![1]);
      expect(topics).toContain(m![2]);
    }
    // The same wiring and consumer options as the local stack's (one definition in contracts).
    const wiring = desired.subscriptions.map(
      (s: { source: string; sink: string; options: Record<string, unknown> }) => ({
        topic: s.source.split("/").pop(),
        sink: s.sink,
        options: Object.fromEntries(Object.entries(s.options).map(([k, x]) => [k, String(x)])),
      }),
    );
    expect(wiring).toEqual(SUBSCRIPTIONS.map((s) => ({ ...s, options: CONSUMER_OPTIONS })));
    // One URI per revision, the current one last: Restate sends new invocations to the service's last registration.
    expect(desired.endpoints.map((ep: { uri: string }) => new URL(ep.uri).hostname)).toEqual(
      endpointRevisions(v).map((r) => fullName(`endpoint-${r}`)),
    );
    for (const ep of desired.endpoints) {
      const url = new URL(ep.uri);
      const svc = serviceFor(objects, url.hostname);
      expect(svc, ep.uri).toBeDefined();
      expect(targetExists(selected(objects, svc!), svc!, Number(url.port))).toBe(true);
    }
    const job = byKind(objects, "Job")[0]!;
    const mounted = job.spec.template.spec.volumes.find((vol: { configMap?: { name: string } }) => vol.configMap)
      ?.configMap.name;
    expect(mounted).toBe(cm.metadata.name);
  });

  it("runs each endpoint revision on its own image: draining ones on theirs with one pod, the current one on the release's", () => {
    const image = `${v.global.image.repository}:${v.global.image.tag}`;
    const deployments = byKind(objects, "Deployment").filter(
      (d) => d.metadata.labels?.["app.kubernetes.io/component"] === "endpoint",
    );
    expect(deployments.map((d) => d.metadata.name)).toEqual(endpointRevisions(v).map((r) => fullName(`endpoint-${r}`)));
    for (const d of deployments) {
      const revision = d.spec.template.metadata.labels["food-ordering.io/endpoint-revision"];
      const draining = v.endpoint.drainingRevisions.find((r: { revision: unknown }) => String(r.revision) === revision);
      expect(d.spec.template.spec.containers[0].image, d.metadata.name).toBe(draining ? draining.image : image);
      expect(d.spec.replicas, d.metadata.name).toBe(
        draining ? 1 : v.endpoint.autoscaling.enabled ? undefined : v.endpoint.replicas,
      );
    }
    for (const hpa of byKind(objects, "HorizontalPodAutoscaler"))
      expect(hpa.spec.scaleTargetRef.name).toBe(fullName(`endpoint-${v.endpoint.revision}`));
  });

  it("renders one driver Deployment per region, with its driver count and replicas", () => {
    const drivers = byKind(objects, "Deployment").filter(
      (d) => d.metadata.labels?.["app.kubernetes.io/component"] === "drivers",
    );
    expect(drivers.map((d) => d.metadata.name).sort()).toEqual(
      v.regions.map((r: { name: string }) => fullName(`drivers-${r.name}`)).sort(),
    );
    for (const r of v.regions) {
      const d = drivers.find((x) => x.metadata.name === fullName(`drivers-${r.name}`))!;
      const env = Object.fromEntries(
        d.spec.template.spec.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
      );
      expect([d.spec.replicas, env.REGION, env.DRIVER_COUNT]).toEqual([r.replicas, r.name, String(r.drivers)]);
      expect(
        d.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "DRIVER_ID_PREFIX").valueFrom
          .fieldRef.fieldPath,
      ).toBe("metadata.name");
    }
  });

  it("renders Strimzi objects only without an existing Kafka", () => {
    const strimzi = objects.filter((o) => o.apiVersion.startsWith("kafka.strimzi.io/"));
    expect(strimzi.length).toBe(external(v) ? 0 : 4);
  });
});

const external = (v: { kafka: { external: { bootstrapServers: string } } }): boolean =>
  v.kafka.external.bootstrapServers !== "";

it("renders a replicated Restate cluster for restate.replicas 3", () => {
  const objects = render(VARIANTS["restate.replicas 3"]!);
  const sts = byKind(objects, "StatefulSet")[0]!;
  expect(sts.spec.replicas).toBe(3);
  expect(sts.spec.podManagementPolicy).toBe("Parallel");
  const headless = byKind(objects, "Service").find((s) => s.metadata.name === sts.spec.serviceName)!;
  expect(headless.spec.clusterIP).toBe("None");
  const toml = byKind(objects, "ConfigMap").find((c) => c.metadata.name === fullName("restate-config"))!.data![
    "restate.toml"
  ]!;
  for (let i = 0; i < 3; i++)
    expect(toml).toContain(
      `"http://${fullName("restate")}-${i}.${headless.metadata.name}.${NAMESPACE}.svc.cluster.local:5122"`,
    );
  expect(toml).toMatch(/auto-provision = false/);
  expect(toml).toMatch(/default-replication = 2/);
  // Exactly the pod with ordinal 0 provisions the cluster.
  expect(sts.spec.template.spec.containers[0].args.join(" ")).toMatch(
    /POD_NAME##\*-}" = "0" \]; then export RESTATE_AUTO_PROVISION=true/,
  );
});
