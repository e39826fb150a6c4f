import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activeTargets, instantQuery, ruleGroups, type TargetState } from "@food-ordering/testkit";
import {
  expectedTargets,
  installMonitoring,
  MONITORING_NS,
  PROMETHEUS_SERVICE,
  removeMonitoring,
  type Monitor,
  type Pod,
  type Service,
} from "./monitoring.ts";
import { berlinOrder, NodeRelease, nodeReady } from "./release.ts";

/**
 * The chart's monitoring on the local node, as kube-prometheus-stack runs it on kind:
 * prometheus-operator v0.93.0 and Prometheus 3.13.1 (both built from their Go modules) in the
 * `monitoring` namespace (k8s/monitoring/), the release installed with monitoring.enabled.
 * Through a port-forward to Prometheus: every target the release's ServiceMonitors and
 * PodMonitors define is up and each pod is scraped once, every group of its PrometheusRule is
 * loaded and evaluates, and a delivered order shows in a PromQL query.
 */
const release = new NodeRelease();
let prometheus = "";

beforeAll(async () => {
  await nodeReady();
  await installMonitoring();
  // A short interval, so targets and counters show within seconds; no fixed NodePort, which
  // another release on the node may hold.
  await release.install(
    "--set",
    "monitoring.enabled=true",
    "--set",
    "monitoring.interval=5s",
    "--set",
    "webui.service.type=ClusterIP",
  );
  prometheus = await release.portForward(PROMETHEUS_SERVICE, 9090, MONITORING_NS);
}, 60 * 60_000);
afterAll(async () => {
  await release.uninstall();
  await removeMonitoring();
}, 15 * 60_000);

const items = async <T>(...kinds: string[]) =>
  (JSON.parse(await release.kubectl("get", ...kinds, "-o", "json")) as { items: T[] }).items;

/** Polls until `check` passes (it throws with what is missing), for up to `ms`. */
async function eventually<T>(check: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
}

describe("prometheus-operator and Prometheus on the node, with the release's monitors and rules", () => {
  it("scrapes every target the ServiceMonitors and PodMonitors define, all up, each pod once", async () => {
    const monitors = await items<Monitor>("servicemonitors,podmonitors");
    expect(monitors.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
      `PodMonitor/${release.full("monitoring")}-node`,
      `ServiceMonitor/${release.full("monitoring")}-restate`,
    ]);
    const pods = await items<Pod>("pods");
    const expected = expectedTargets(monitors, pods, await items<Service>("services"));
    const key = (pool: string, pod: string) => `${pool} ${pod}`;
    const wanted = expected.map((e) => key(e.pool, e.pod)).sort();
    // Each monitor has targets; together they cover every component that serves metrics.
    for (const m of monitors)
      expect(
        expected.filter((e) => e.pool.includes(`/${m.metadata.name}/`)).length,
        `${m.kind} ${m.metadata.name}`,
      ).toBeGreaterThan(0);
    const component = (pod: string) =>
      pods.find((p) => p.metadata.name === pod)?.metadata.labels?.["app.kubernetes.io/component"];
    expect(new Set(expected.map((e) => component(e.pod)))).toEqual(
      new Set(["restate", "endpoint", "payment", "restaurant", "drivers", "provider", "webui"]),
    );

    const ours = (t: TargetState) => t.labels.namespace === release.ns;
    const targets = await eventually(async () => {
      const all = (await activeTargets(prometheus)).filter(ours);
      const seen = all.map((t) => key(t.scrapePool, t.labels.pod ?? "")).sort();
      const down = all.filter((t) => t.health !== "up").map((t) => `${t.scrapeUrl}: ${t.health} ${t.lastError}`);
      expect({ seen, down }).toEqual({ seen: wanted, down: [] });
      return all;
    }, 180_000);

    // One target per pod and port: nothing is scraped twice (two Services selecting Restate would be).
    const instances = targets.map((t) => t.labels.instance);
    expect(new Set(instances).size).toBe(instances.length);
    const restatePods = pods.filter((p) => component(p.metadata.name) === "restate" && p.status.phase === "Running");
    expect(restatePods.length).toBeGreaterThan(0);
    for (const p of restatePods) expect(targets.filter((t) => t.labels.pod === p.metadata.name)).toHaveLength(1);
    // What the Restate dashboard's sums see: one `up` series per Restate pod.
    const upByPod = await instantQuery(
      prometheus,
      `count by (pod) (up{namespace="${release.ns}", app_kubernetes_io_component="restate"})`,
    );
    expect(upByPod.map((s) => `${s.metric.pod}=${s.value[1]}`).sort()).toEqual(
      restatePods.map((p) => `${p.metadata.name}=1`).sort(),
    );
  }, 300_000);

  it("loads every rule group of the chart's PrometheusRule, each rule evaluated without error", async () => {
    const [rule, ...more] = await items<{
      metadata: { name: string };
      spec: { groups: Array<{ name: string; rules: Array<{ alert?: string; record?: string }> }> };
    }>("prometheusrules");
    expect(more).toEqual([]);
    // Prometheus lists a file's groups by name.
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    const want = rule!.spec.groups
      .map((g) => ({ name: g.name, rules: g.rules.map((r) => r.alert ?? r.record) }))
      .sort(byName);
    expect(want.length).toBeGreaterThan(0);
    // The operator writes one rule file per PrometheusRule: <namespace>-<name>-<uid>.yaml.
    const file = `/${release.ns}-${rule!.metadata.name}-`;
    await eventually(async () => {
      const loaded = (await ruleGroups(prometheus)).filter((g) => g.file.includes(file));
      expect(loaded.map((g) => ({ name: g.name, rules: g.rules.map((r) => r.name) })).sort(byName)).toEqual(want);
      const unhealthy = loaded.flatMap((g) =>
        g.rules.filter((r) => r.health !== "ok").map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ""}`),
      );
      expect(unhealthy).toEqual([]);
    }, 120_000);
  }, 180_000);

  it("counts a delivered order: a PromQL query over the endpoint's metrics returns it", async () => {
    const order = berlinOrder();
    await release.publish(order.id, JSON.stringify(order));
    await release.waitForStatus(order.id, (v) => v.status === "DELIVERED", 300_000);
    const delivered = await eventually(async () => {
      const [sample] = await instantQuery(
        prometheus,
        `sum(food_ordering_order_status_transitions_total{namespace="${release.ns}", status="DELIVERED", region="berlin"})`,
      );
      expect(Number(sample?.value[1] ?? 0)).toBeGreaterThanOrEqual(1);
      return Number(sample!.value[1]);
    }, 60_000);
    expect(delivered).toBeGreaterThanOrEqual(1);
  }, 420_000);
});
