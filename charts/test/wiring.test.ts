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
  REQUEST_IDENTITY,
  tracingMode,
  VARIANTS,
  type K8sObject,
  type PodOwner,
  type Values,
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

/** Where the release's Kafka comes from, as the chart decides it (templates/_helpers.tpl fo.kafkaMode). */
const kafkaMode = (v: any): "strimzi" | "bundled" | "external" =>
  v.kafka.mode || (v.kafka.external.bootstrapServers ? "external" : "strimzi");

/** Each Service is meant for exactly the pods of one component (of one endpoint revision). */
const expectedSelection = (v: any): Record<string, string> => ({
  ...(kafkaMode(v) === "bundled" ? { kafka: "StatefulSet/kafka", "kafka-headless": "StatefulSet/kafka" } : {}),
  restate: "StatefulSet/restate",
  "restate-cluster": "StatefulSet/restate",
  ...Object.fromEntries(endpointRevisions(v).map((r) => [`endpoint-${r}`, `Deployment/endpoint-${r}`])),
  payment: "Deployment/payment",
  restaurant: "Deployment/restaurant",
  provider: "Deployment/provider",
  webui: "Deployment/webui",
  ...(tracingMode(v) === "bundled" ? { jaeger: "Deployment/jaeger" } : {}),
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
          // Empty: the feature is off. A browser's link and an existing collector are outside the release.
          const outside =
            !e.value ||
            e.name === "JAEGER_UI_URL" ||
            (e.name === "OTEL_EXPORTER_OTLP_ENDPOINT" && tracingMode(v) !== "bundled");
          const addresses = outside
            ? []
            : /_URL$|^OTEL_EXPORTER_OTLP_ENDPOINT$/.test(e.name)
              ? [new URL(e.value).host]
              : e.name === "KAFKA_BROKERS"
                ? e.value.split(",")
                : [];
          for (const address of addresses) {
            const [host, port] = address.split(":");
            if (e.name === "KAFKA_BROKERS" && kafkaMode(v) === "external") {
              expect(e.value, `${owner.metadata.name} ${e.name}`).toBe(external);
              continue;
            }
            if (e.name === "KAFKA_BROKERS" && kafkaMode(v) === "bundled") {
              // The bundled broker's client Service; the generic check below finds its port on the pod.
              expect(address, `${owner.metadata.name} KAFKA_BROKERS`).toBe(`${fullName("kafka")}:9092`);
            } else if (e.name === "KAFKA_BROKERS") {
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
        // A value from a Secret is only known in the cluster: the render checks the rest.
        const fromSecrets = (c.env ?? [])
          .filter((e: { valueFrom?: { secretKeyRef?: unknown } }) => e.valueFrom?.secretKeyRef)
          .map((e: { name: string }) => e.name);
        const known = Object.fromEntries(Object.entries(env).filter(([n]) => !fromSecrets.includes(n)));
        expect(() => def.parse(known), `${owner.metadata.name}`).not.toThrow();
      }
    }
  });

  it("tells the registrar about subscriptions whose topics exist, and an endpoint that is a release Service", () => {
    const cm = byKind(objects, "ConfigMap").find((o) => o.metadata.name === fullName("registrar-desired-state"))!;
    const desired = parseYaml(cm.data!["desired-state.yaml"]!);
    const topics =
      kafkaMode(v) === "external"
        ? [TOPICS.orders, TOPICS.driverUpdates, TOPICS.driverReports, TOPICS.orderUpdates]
        : kafkaMode(v) === "bundled"
          ? bundledTopics(objects).map((t) => t.topic)
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
    const job = byKind(objects, "Job").find((j) => j.metadata.name === fullName("registrar"))!;
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

  it("points the registrar's Kafka cluster and every process's KAFKA_BROKERS at the same Kafka", () => {
    const cm = byKind(objects, "ConfigMap").find((o) => o.metadata.name === fullName("registrar-desired-state"))!;
    const desired = parseYaml(cm.data!["desired-state.yaml"]!);
    const expected = {
      external: v.kafka.external.bootstrapServers,
      bundled: `${fullName("kafka")}:9092`,
      strimzi: `${fullName("kafka")}-kafka-bootstrap:9092`,
    }[kafkaMode(v)];
    expect(desired.kafkaClusters).toEqual([
      { name: v.kafka.clusterName, properties: { "bootstrap.servers": expected } },
    ]);
    const brokers = podTemplates(objects).flatMap(({ spec }) =>
      spec.containers.flatMap((c: { env?: Array<{ name: string; value?: string }> }) =>
        (c.env ?? []).filter((e) => e.name === "KAFKA_BROKERS").map((e) => e.value),
      ),
    );
    expect(brokers.length).toBeGreaterThan(0);
    expect(new Set(brokers)).toEqual(new Set([expected]));
  });

  it("renders Strimzi objects only in kafka mode strimzi, the bundled broker only in mode bundled", () => {
    const strimzi = objects.filter((o) => o.apiVersion.startsWith("kafka.strimzi.io/"));
    // The Kafka, its node pool and one KafkaTopic per topic of the contracts.
    expect(strimzi.length).toBe(kafkaMode(v) === "strimzi" ? 2 + Object.keys(TOPICS).length : 0);
    const bundled = objects
      .filter((o) => !o.apiVersion.startsWith("kafka.strimzi.io/"))
      .filter((o) => ["kafka", "kafka-topics"].includes(o.metadata.labels?.["app.kubernetes.io/component"] ?? ""))
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    expect(bundled).toEqual(
      kafkaMode(v) === "bundled"
        ? [
            `Job/${fullName("kafka-topics")}`,
            ...(v.networkPolicies.enabled
              ? [`NetworkPolicy/${fullName("kafka")}`, `NetworkPolicy/${fullName("kafka-topics")}`]
              : []),
            `Service/${fullName("kafka")}`,
            `Service/${fullName("kafka-headless")}`,
            `StatefulSet/${fullName("kafka")}`,
          ].sort()
        : [],
    );
  });
});

/** The topics the bundled Kafka's hook Job creates, read from its kafka-topics.sh command lines. */
function bundledTopics(objects: K8sObject[]): Array<{ topic: string; partitions: number; replicas: number }> {
  const job = byKind(objects, "Job").find((j) => j.metadata.name === fullName("kafka-topics"));
  const script: string = job?.spec.template.spec.containers[0].args.join("\n") ?? "";
  return [
    ...script.matchAll(/--create --if-not-exists --topic (\S+) --partitions (\d+) --replication-factor (\d+)/g),
  ].map((m) => ({ topic: m[1]!, partitions: Number(m[2]), replicas: Number(m[3]) }));
}

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

/** Pod templates and container ports each ServiceMonitor and PodMonitor scrapes (Prometheus-operator semantics, one namespace). */
function scrapeTargets(objects: K8sObject[]): string[] {
  const containerPort = (pod: PodOwner, port: string | number): number | undefined =>
    pod.spec.containers
      .flatMap((c: { ports?: Array<{ name: string; containerPort: number }> }) => c.ports ?? [])
      .find((p: { name: string; containerPort: number }) => p.name === port || p.containerPort === port)?.containerPort;
  const targets: string[] = [];
  for (const m of byKind(objects, "PodMonitor")) {
    expect(m.spec.selector.matchExpressions, m.metadata.name).toBeUndefined();
    for (const pod of podTemplates(objects).filter((p) => matches(m.spec.selector.matchLabels, p.labels)))
      for (const ep of m.spec.podMetricsEndpoints) {
        const port = containerPort(pod, ep.port);
        if (port !== undefined) targets.push(`${pod.owner.kind}/${pod.owner.metadata.name}:${port}`);
      }
  }
  for (const m of byKind(objects, "ServiceMonitor")) {
    expect(m.spec.selector.matchExpressions, m.metadata.name).toBeUndefined();
    for (const svc of byKind(objects, "Service").filter((s) =>
      matches(m.spec.selector.matchLabels, s.metadata.labels ?? {}),
    ))
      for (const ep of m.spec.endpoints) {
        const sp = svc.spec.ports.find((p: { name?: string }) => p.name === ep.port);
        if (!sp) continue;
        for (const pod of selected(objects, svc)) {
          const port = containerPort(pod, sp.targetPort ?? sp.port);
          if (port !== undefined) targets.push(`${pod.owner.kind}/${pod.owner.metadata.name}:${port}`);
        }
      }
  }
  return targets;
}

describe.each(Object.entries(VARIANTS).filter(([, v]) => effectiveValues(v).monitoring.enabled))(
  "monitoring, variant %s",
  (_name, values) => {
    it("scrapes every pod's metrics port exactly once, over all ServiceMonitors and PodMonitors", () => {
      const objects = render(values);
      const targets = scrapeTargets(objects);
      const twice = targets.filter((t, i) => targets.indexOf(t) !== i);
      expect(twice, "scraped more than once (every sum() would double)").toEqual([]);
      // Every long-running pod with a metrics port (Restate's is `node`) is scraped.
      for (const { owner, spec } of podTemplates(objects).filter((p) => p.owner.kind !== "Pod")) {
        const ports = spec.containers.flatMap((c: { ports?: Array<{ name: string; containerPort: number }> }) =>
          (c.ports ?? []).filter((p) => p.name === "metrics" || (owner.kind === "StatefulSet" && p.name === "node")),
        );
        for (const p of ports)
          expect(targets, owner.metadata.name).toContain(`${owner.kind}/${owner.metadata.name}:${p.containerPort}`);
      }
    });
  },
);

it("the scrape model counts a Restate pod twice when a ServiceMonitor selects both of its Services", () => {
  const objects = structuredClone(render({}));
  const sm = byKind(objects, "ServiceMonitor")[0] ?? { spec: {} };
  Object.assign(sm.spec, {
    selector: { matchLabels: { "app.kubernetes.io/component": "restate" } },
    endpoints: [{ port: "node" }],
  });
  if (!byKind(objects, "ServiceMonitor").length)
    objects.push({ apiVersion: "v1", kind: "ServiceMonitor", metadata: { name: "x" }, ...sm } as K8sObject);
  const targets = scrapeTargets(objects).filter((t) => t.startsWith("StatefulSet/"));
  expect(targets).toHaveLength(2);
});

/** RBAC evaluation of one Role: may `verb` be done on `resource` (core group) named `name`? */
function permits(role: K8sObject, verb: string, resource: string, name?: string): boolean {
  return (role as unknown as { rules: Array<Record<string, string[] | undefined>> }).rules.some(
    (r) =>
      (r.apiGroups ?? []).some((g) => g === "" || g === "*") &&
      (r.resources ?? []).some((x) => x === resource || x === "*") &&
      (r.verbs ?? []).some((x) => x === verb || x === "*") &&
      (!r.resourceNames?.length || (name !== undefined && r.resourceNames.includes(name))),
  );
}

it("lets the registrar read its desired state and write only its status ConfigMap and Events", () => {
  const objects = render({});
  const role = byKind(objects, "Role").find((r) => r.metadata.name === fullName("registrar"))!;
  const desired = fullName("registrar-desired-state");
  const status = fullName("registrar-state");
  const writes = ["update", "patch", "delete"];
  // The desired state is the chart's: the registrar reads it (get; list/watch with a name fieldSelector).
  for (const verb of ["get", "list", "watch"]) expect(permits(role, verb, "configmaps", desired), verb).toBe(true);
  for (const verb of writes) expect(permits(role, verb, "configmaps", desired), `${verb} ${desired}`).toBe(false);
  // Its status ConfigMap: created once (create cannot be limited by name), then replaced.
  expect(permits(role, "get", "configmaps", status)).toBe(true);
  expect(permits(role, "create", "configmaps")).toBe(true);
  expect(permits(role, "update", "configmaps", status)).toBe(true);
  expect(permits(role, "delete", "configmaps", status)).toBe(false);
  for (const verb of ["get", ...writes])
    expect(permits(role, verb, "configmaps", "someone-elses"), `${verb} another ConfigMap`).toBe(false);
  expect(permits(role, "create", "events")).toBe(true);
  for (const verb of ["create", ...writes])
    expect(permits(role, verb, "services", "any"), `${verb} services`).toBe(false);
  expect(permits(role, "get", "secrets", "any")).toBe(false);
});

it("gives Restate a /tmp large enough for the query engine to spill to (restate.tmpSizeLimit)", () => {
  const tmpOf = (values: Values) =>
    byKind(render(values), "StatefulSet")[0]!.spec.template.spec.volumes.find(
      (x: { name: string }) => x.name === "tmp",
    );
  expect(tmpOf({}).emptyDir.sizeLimit).toBe(effectiveValues({}).restate.tmpSizeLimit);
  expect(tmpOf({}).emptyDir.sizeLimit).toMatch(/^[1-9][0-9]*Gi$/);
  expect(tmpOf({ restate: { tmpSizeLimit: "3Gi" } }).emptyDir.sizeLimit).toBe("3Gi");
});

it("keeps a replicated Restate cluster's majority through voluntary disruptions (PodDisruptionBudget)", () => {
  expect(byKind(render({}), "PodDisruptionBudget")).toEqual([]);
  const objects = render(VARIANTS["restate.replicas 3"]!);
  const pdbs = byKind(objects, "PodDisruptionBudget");
  expect(pdbs).toHaveLength(1);
  expect(pdbs[0]!.spec.maxUnavailable).toBe(1);
  expect(
    podTemplates(objects)
      .filter((p) => matches(pdbs[0]!.spec.selector.matchLabels, p.labels))
      .map((p) => `${p.owner.kind}/${p.owner.metadata.name}`),
  ).toEqual([`StatefulSet/${fullName("restate")}`]);
});

describe("request identity", () => {
  const restateOf = (objects: K8sObject[]) =>
    byKind(objects, "StatefulSet").find((s) => s.metadata.name === fullName("restate"))!;
  const endpointEnv = (objects: K8sObject[]) =>
    byKind(objects, "Deployment")
      .find((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "endpoint")!
      .spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "RESTATE_IDENTITY_KEYS");

  it("signs Restate's requests with the key in the Secret, and the endpoint checks them against its public half", () => {
    const objects = render(VARIANTS["everything on"]!);
    const secret = byKind(objects, "Secret").find((s) => s.metadata.name === fullName("request-identity"))!;
    expect((secret as any).stringData).toEqual({
      "private.pem": REQUEST_IDENTITY.privateKeyPem,
      "public-key": REQUEST_IDENTITY.publicKey,
    });
    const pod = restateOf(objects).spec.template.spec;
    const container = pod.containers[0];
    const keyFile = container.env.find(
      (e: { name: string }) => e.name === "RESTATE_WORKER__INVOKER__REQUEST_IDENTITY_PRIVATE_KEY_PEM_FILE",
    ).value;
    const mount = container.volumeMounts.find((m: { mountPath: string }) => keyFile.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes.find((vol: { name: string }) => vol.name === mount.name);
    expect(volume.secret.secretName).toBe(secret.metadata.name);
    expect(keyFile.endsWith(`/${volume.secret.items[0].path}`) && volume.secret.items[0].key === "private.pem").toBe(
      true,
    );
    expect(endpointEnv(objects).valueFrom.secretKeyRef).toEqual({ name: secret.metadata.name, key: "public-key" });
  });

  it("uses an existing Secret by name, and signs nothing (saying so in the env) when none is given", () => {
    const existing = render({
      restate: { requestIdentity: { existingSecret: "my-identity", privateKeyPem: "", publicKey: "" } },
    });
    expect(byKind(existing, "Secret").map((s) => s.metadata.name)).not.toContain(fullName("request-identity"));
    expect(endpointEnv(existing).valueFrom.secretKeyRef).toEqual({ name: "my-identity", key: "public-key" });
    const none = render({});
    expect(endpointEnv(none)).toEqual({ name: "RESTATE_IDENTITY_KEYS", value: "" });
    expect(JSON.stringify(restateOf(none))).not.toContain("REQUEST_IDENTITY");
  });
});

/** The shared secrets the chart keeps in Secrets (fo.keptSecret): who reads each, and the value that sets it. */
const KEPT_SECRETS = [
  {
    secret: "pos-signing-key",
    env: "POS_SIGNING_KEY",
    readers: ["endpoint", "restaurant"],
    values: (k: string) => ({ restaurant: { signingKey: k } }),
  },
  {
    secret: "driver-enrollment-key",
    env: "DRIVER_ENROLLMENT_KEY",
    readers: ["endpoint", "drivers"],
    values: (k: string) => ({ drivers: { enrollmentKey: k } }),
  },
  {
    secret: "operator-token",
    env: "OPERATOR_TOKEN",
    readers: ["webui", "endpoint"],
    values: (k: string) => ({ webui: { operatorToken: k } }),
  },
  {
    secret: "order-signing-key",
    env: "ORDER_SIGNING_KEY",
    // The order producers sign (web UI, provider, the helm test pod); the endpoint checks.
    readers: ["endpoint", "webui", "provider", "test"],
    values: (k: string) => ({ endpoint: { orderSigningKey: k } }),
  },
];

describe.each(KEPT_SECRETS)("the $secret Secret", ({ secret: name, env, readers, values }) => {
  const envOf = (objects: K8sObject[], component: string) =>
    podTemplates(objects)
      .filter((p) => p.labels["app.kubernetes.io/component"] === component)
      .map((p) => p.spec.containers[0].env.find((e: { name: string }) => e.name === env));

  it(`gives ${readers.join(" and ")} the same value from one Secret`, () => {
    const objects = render(values("a-key-of-ours-16+"));
    const secret = byKind(objects, "Secret").find((s) => s.metadata.name === fullName(name))!;
    expect(Buffer.from(secret.data!.key!, "base64").toString()).toBe("a-key-of-ours-16+");
    for (const component of readers) {
      const entries = envOf(objects, component);
      expect(entries.length, component).toBeGreaterThan(0);
      for (const e of entries)
        expect(e.valueFrom.secretKeyRef, component).toEqual({ name: secret.metadata.name, key: "key" });
    }
  });

  it("generates a value when none is given", () => {
    const secret = byKind(render({}), "Secret").find((s) => s.metadata.name === fullName(name))!;
    expect(Buffer.from(secret.data!.key!, "base64").toString()).toMatch(/^[A-Za-z0-9]{48}$/);
  });
});
