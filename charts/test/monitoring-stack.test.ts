import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { PROMETHEUS_OPERATOR_VERSION } from "@food-ordering/setup";
import { REPO_ROOT } from "@food-ordering/stack";
import { effectiveValues, render, VARIANTS } from "./chart.ts";

/** k8s/monitoring/ (the local node's operator and Prometheus) against the chart it is meant to scrape. */
const objects = ["operator.yaml", "prometheus.yaml"].flatMap((f) =>
  parseAllDocuments(readFileSync(join(REPO_ROOT, "k8s/monitoring", f), "utf8")).map((d) => d.toJS()),
);
const prometheus = objects.find((o) => o.kind === "Prometheus");
const operator = objects.find((o) => o.kind === "Deployment").spec.template.spec.containers[0];

it("selects the release's monitors and rules by the label the chart gives them, from any namespace", () => {
  const rendered = render({ ...VARIANTS["local node"], monitoring: { enabled: true } });
  const byKind = (kind: string) => rendered.filter((o) => o.kind === kind);
  for (const [kind, selector, nsSelector] of [
    ["ServiceMonitor", "serviceMonitorSelector", "serviceMonitorNamespaceSelector"],
    ["PodMonitor", "podMonitorSelector", "podMonitorNamespaceSelector"],
    ["PrometheusRule", "ruleSelector", "ruleNamespaceSelector"],
  ] as const) {
    expect(byKind(kind).length, kind).toBeGreaterThan(0);
    for (const o of byKind(kind)) expect(o.metadata.labels, kind).toMatchObject(prometheus.spec[selector].matchLabels);
    expect(prometheus.spec[nsSelector], kind).toEqual({});
  }
});

it("runs in the namespace the chart's NetworkPolicies let scrape", () => {
  const ns = effectiveValues({}).networkPolicies.monitoringNamespace;
  for (const o of objects.filter((o) => o.kind !== "Namespace" && !o.kind.startsWith("Cluster")))
    expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(ns);
  expect(objects.find((o) => o.kind === "Namespace").metadata.name).toBe(ns);
});

it("pins the operator's images to the release whose CRDs are generated, and Prometheus to its image's version", () => {
  const tag = `:v${PROMETHEUS_OPERATOR_VERSION}`;
  expect(operator.image).toBe(`quay.io/prometheus-operator/prometheus-operator${tag}`);
  expect(operator.args).toContain(
    `--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader${tag}`,
  );
  expect(prometheus.spec.image).toBe(`quay.io/prometheus/prometheus:${prometheus.spec.version}`);
});
