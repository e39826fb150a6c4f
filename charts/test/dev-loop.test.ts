import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CLUSTER } from "@food-ordering/cluster";
import { REPO_ROOT } from "@food-ordering/stack";
import { byKind, effectiveValues, podTemplates, render } from "./chart.ts";

/** skaffold.yaml and the kind config agree with what the chart renders. */
const skaffold = parseYaml(readFileSync(join(REPO_ROOT, "skaffold.yaml"), "utf8"));
const kind = parseYaml(readFileSync(join(REPO_ROOT, "k8s", "kind-config.yaml"), "utf8"));

it("port-forwards Services and ports that the release (named as skaffold names it) has", () => {
  const release = skaffold.deploy.helm.releases[0];
  expect(release.chartPath).toBe("charts/food-ordering");
  const services = byKind(render({}), "Service").map((s) => ({
    ...s,
    metadata: { ...s.metadata, name: s.metadata.name.replace(/^shop-/, `${release.name}-`) },
  }));
  for (const pf of skaffold.portForward) {
    const svc = services.find((s) => s.metadata.name === pf.resourceName);
    expect(svc, pf.resourceName).toBeDefined();
    expect(svc!.spec.ports.map((p: { port: number }) => p.port)).toContain(pf.port);
  }
});

it("sets only values the chart has, with the image skaffold builds", () => {
  const values = effectiveValues({});
  const release = skaffold.deploy.helm.releases[0];
  const patched = skaffold.profiles.flatMap(
    (p: { patches?: Array<{ path: string; value: Record<string, unknown> }> }) =>
      (p.patches ?? []).filter((x) => x.path.endsWith("/setValues")).map((x) => x.value),
  );
  for (const key of [
    ...Object.keys(release.setValueTemplates),
    ...patched.flatMap((v: Record<string, unknown>) => Object.keys(v)),
  ]) {
    const keys: string[] = key.split(".");
    expect(
      keys.reduce((at: unknown, k) => (at as Record<string, unknown> | undefined)?.[k], values),
      key,
    ).toBeDefined();
  }
  expect(release.setValueTemplates["global.image.repository"]).toBe(
    `{{.IMAGE_REPO_${skaffold.build.artifacts[0].image.replaceAll("-", "_")}}}`,
  );
});

it("maps the web UI's NodePort to the host in the kind cluster", () => {
  const values = effectiveValues({});
  const mapping = kind.nodes[0].extraPortMappings.find(
    (m: { containerPort: number }) => m.containerPort === values.webui.service.nodePort,
  );
  expect(mapping?.hostPort).toBe(3000);
});

it("gives `node --watch` (global.devMode) only to long-running Deployments, never to the hook Job or the test pod", () => {
  const objects = render({ global: { devMode: true } });
  const watching = (spec: { containers: Array<{ command?: string[] }> }) =>
    spec.containers.some((c) => c.command?.includes("--watch"));
  for (const { owner, spec } of podTemplates(objects)) {
    const image = spec.containers[0].image as string;
    if (!image.startsWith(`${effectiveValues({}).global.image.repository}:`)) continue; // Restate is not a Node process
    // --watch never exits: a Job or a helm test pod would never complete.
    expect(watching(spec), `${owner.kind}/${owner.metadata.name}`).toBe(owner.kind === "Deployment");
  }
  expect(podTemplates(render({})).filter((p) => watching(p.spec))).toEqual([]);
});

it("builds with BuildKit when the Dockerfile needs it (RUN --mount), under the field name skaffold's schema has", () => {
  const dockerfile = readFileSync(join(REPO_ROOT, "Dockerfile"), "utf8");
  const docker = skaffold.build.artifacts.filter((a: { docker?: unknown }) => a.docker);
  expect(docker.length).toBeGreaterThan(0);
  if (/^RUN\s+--mount=/m.test(dockerfile)) {
    // skaffold/v4beta13 LocalBuild: `useBuildkit` (a misspelled key would be rejected by skaffold).
    expect(skaffold.build.local.useBuildkit).toBe(true);
    // No profile switches it back off or replaces the local builder.
    for (const p of skaffold.profiles ?? [])
      for (const patch of p.patches ?? []) expect(patch.path, p.name).not.toMatch(/^\/build\/local/);
  }
});

it("port-forwards to local ports that the kind cluster's host port mappings do not already hold", () => {
  const hostPorts = kind.nodes.flatMap((n: { extraPortMappings?: Array<{ hostPort: number }> }) =>
    (n.extraPortMappings ?? []).map((m) => m.hostPort),
  );
  expect(hostPorts.length).toBeGreaterThan(0);
  const localPorts = skaffold.portForward.map((pf: { port: number; localPort?: number }) => pf.localPort ?? pf.port);
  expect(localPorts.filter((p: number) => hostPorts.includes(p))).toEqual([]);
  expect(new Set(localPorts).size).toBe(localPorts.length);
});

it("sets no log format the image cannot produce (pretty needs pino-pretty, which npm ci --omit=dev leaves out)", () => {
  const production = ["package.json", "services/kit/package.json"].flatMap((f) =>
    Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, f), "utf8")).dependencies ?? {}),
  );
  for (const p of skaffold.profiles)
    for (const patch of p.patches ?? [])
      if (patch.value?.["global.logFormat"] === "pretty") expect(production, p.name).toContain("pino-pretty");
});

type Json = Record<string, unknown>;
interface Patch {
  op: "add" | "remove" | "replace";
  path: string;
  value?: unknown;
}

/** skaffold.yaml with the named profiles' JSON patches applied, in order (skaffold's add/remove/replace). */
function withProfiles(names: string[]): typeof skaffold {
  const config = structuredClone(skaffold);
  for (const name of names) {
    const profile = skaffold.profiles.find((p: { name: string }) => p.name === name);
    expect(profile, name).toBeDefined();
    for (const { op, path, value } of profile.patches as Patch[]) {
      const keys = path.split("/").slice(1);
      const last = keys.pop()!;
      const parent = keys.reduce((at: Json, k) => at[k] as Json, config);
      expect(parent, path).toBeDefined();
      if (op !== "add") expect(parent[last], `${name}: ${op} ${path}`).toBeDefined();
      if (op === "remove") delete parent[last];
      else parent[last] = structuredClone(value);
    }
  }
  return config;
}

describe("the local-node profile (npm run skaffold -- run -p local-node)", () => {
  const node = withProfiles(["local-node"]);
  const artifact = node.build.artifacts[0];
  const release = node.deploy.helm.releases[0];

  it("builds the same Dockerfile through the custom step, which exists, and never pushes", () => {
    expect(artifact.docker).toBeUndefined();
    expect(artifact.image).toBe(skaffold.build.artifacts[0].image);
    const [runtime, script] = artifact.custom.buildCommand.split(" ");
    expect(runtime).toBe("node");
    expect(existsSync(join(REPO_ROOT, script))).toBe(true);
    expect(artifact.custom.dependencies.dockerfile.path).toBe(skaffold.build.artifacts[0].docker.dockerfile);
    expect(node.build.local.push).toBe(false);
  });

  it("deploys onto the node's kubeconfig context with its values file and the image skaffold tagged", () => {
    expect(node.deploy.kubeContext).toBe(CLUSTER.context);
    expect(skaffold.deploy.kubeContext).toBe("kind-food-ordering"); // kind stays the default
    for (const file of release.valuesFiles) expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    expect(release.valuesFiles).toContain("k8s/values-local-node.yaml");
    // The exact tag, never pulled: the image exists only in the node's containerd.
    expect(release.setValueTemplates["global.image.tag"]).toMatch(/^\{\{\.IMAGE_TAG_food_ordering\}\}$/);
    const local = parseYaml(readFileSync(join(REPO_ROOT, "k8s/values-local-node.yaml"), "utf8"));
    for (const policy of [release.setValueTemplates["global.image.pullPolicy"], local.global.image.pullPolicy])
      expect(["IfNotPresent", "Never"]).toContain(policy);
  });

  it("keeps `skaffold dev`'s sync and dev mode whichever profile applies first", () => {
    for (const order of [
      ["local-node", "dev"],
      ["dev", "local-node"],
    ]) {
      const dev = withProfiles(order);
      expect(dev.build.artifacts[0].custom, order.join("+")).toBeDefined();
      expect(dev.build.artifacts[0].sync.manual.length, order.join("+")).toBeGreaterThan(0);
      expect(dev.deploy.helm.releases[0].setValues["global.devMode"], order.join("+")).toBe(true);
      expect(dev.deploy.helm.releases[0].valuesFiles, order.join("+")).toContain("k8s/values-local-node.yaml");
    }
  });
});
