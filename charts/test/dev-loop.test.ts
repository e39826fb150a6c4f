import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT } from "@food-ordering/setup";
import { byKind, effectiveValues, render } from "./chart.ts";

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
