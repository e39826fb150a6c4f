import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, REPO_ROOT } from "@food-ordering/testkit";
import { loadRuleFiles } from "@food-ordering/testkit";
import { closeProducer, makeOrder, publishOrder, publishRaw, waitForOrder } from "@food-ordering/testkit";
import {
  loadDashboards,
  panelQueries,
  parseLabelValues,
  substitute,
  metricNames,
  variableQuery,
  type Dashboard,
} from "../dashboards.ts";
import { instantQuery, labelValues, rules, type Sample } from "@food-ordering/testkit";
import { TOPICS } from "@food-ordering/contracts";

/**
 * The dashboards and alerts against real data: an own stack (its Restate must not share the
 * `orders` topic with the shared stack's) with a real Prometheus, under a short load in two
 * regions. Every panel query must evaluate and return data; every alert expression must
 * evaluate; no dashboard or rule may name a metric that no process exports.
 */

const LOAD_SECONDS = 25;
const BUILTINS = { __rate_interval: "1m", __interval: "10s", __range: "5m" };

let stack: Stack;
let prom: string;
const dataDir = path.join(REPO_ROOT, ".data", `observability-${process.pid}`);
const dashboards = loadDashboards();

beforeAll(async () => {
  stack = await Stack.start({
    dataDir,
    freePorts: true,
    prometheus: true,
    webui: false,
    regions: [
      { name: "amsterdam", drivers: 3 },
      { name: "berlin", drivers: 3 },
    ],
    timeScale: 600,
    tickMs: 200,
    providerRate: 3,
    // The dashboards are for the chart's cluster, whose log is the replicated loglet (its metrics
    // are what the Restate dashboard's log panels show); the local stack's default is "local".
    restateLoglet: "replicated",
    env: { LOG_LEVEL: "warn" },
  });
  prom = stack.info.prometheusUrl!;
  // Rejections need data: one declined payment and one malformed event, beside the provider's load.
  const declined = makeOrder({
    paymentToken: "tok_chargeDeclined",
    region: "berlin",
    restaurantId: "ber-doner",
    products: [{ productId: "ber-dn-1", quantity: 1 }],
  });
  await publishOrder(stack.info, declined);
  await publishRaw(stack.info, TOPICS.orders, [{ key: "obs-malformed-1", value: "{not json}" }]);
  expect((await waitForOrder(stack.info, declined.id)).final.status).toBe("REJECTED");
  await new Promise((r) => setTimeout(r, LOAD_SECONDS * 1000));
}, 150_000);

afterAll(async () => {
  await closeProducer();
  await stack?.stop();
  if (!process.env.KEEP_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Every value a variable can take, resolved like Grafana: label_values through the API, in order. */
async function resolveVariables(d: Dashboard): Promise<Record<string, string | string[]>> {
  const values: Record<string, string | string[]> = { datasource: "prometheus" };
  for (const v of d.templating.list.filter((x) => x.type === "query")) {
    const { selector, label } = parseLabelValues(substitute(variableQuery(v), values, BUILTINS));
    const found = await labelValues(prom, label, selector);
    expect(found, `variable $${v.name} of ${d.title} has no values (${variableQuery(v)})`).not.toEqual([]);
    values[v.name] = v.multi ? found : found[0]!;
  }
  return values;
}

/** Metric names the processes expose: what Prometheus stored, plus those declared (# TYPE) but without a sample yet. */
async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set(await labelValues(prom, "__name__"));
  const targets = (await (await fetch(`${prom}/api/v1/targets`)).json()) as {
    data: { activeTargets: Array<{ scrapeUrl: string; health: string }> };
  };
  for (const t of targets.data.activeTargets) {
    const text = await (await fetch(t.scrapeUrl)).text();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)/gm)) {
      names.add(m[1]!);
      if (m[2] === "histogram" || m[2] === "summary")
        for (const s of ["_bucket", "_sum", "_count"]) names.add(m[1]! + s);
    }
  }
  return names;
}

const hasData = (r: Sample[]) => r.some((s) => Number.isFinite(Number(s.value[1])));

describe("observability: dashboards and alerts on a real Prometheus", () => {
  it("scrapes every process of the stack and Restate", async () => {
    const up = await instantQuery(prom, 'up{namespace="local"}');
    const components = up
      .filter((s) => s.value[1] === "1")
      .map((s) => s.metric.job)
      .sort();
    expect(components).toEqual([
      "drivers-amsterdam",
      "drivers-berlin",
      "endpoint",
      "payment",
      "provider",
      "restate",
      "restaurant",
    ]);
  });

  it("dashboards name only metrics that some process exports", async () => {
    const exported = await exportedMetricNames();
    const unknown = [...dashboards].flatMap(([file, d]) =>
      panelQueries(d).flatMap((q) =>
        metricNames(q.expr)
          .filter((n) => !exported.has(n))
          .map((n) => `${file} "${q.panel}": ${n}`),
      ),
    );
    expect(unknown).toEqual([]);
    // The check itself must be able to fail: a made-up name is not exported.
    expect(exported.has("food_ordering_no_such_metric_total")).toBe(false);
  });

  it("every panel query evaluates and returns data", async () => {
    // Histogram rates need two scrapes with a change; retry for a little while rather than sleep blindly.
    const deadline = Date.now() + 45_000;
    let failures: string[] = [];
    let checked = 0;
    do {
      failures = [];
      checked = 0;
      for (const [file, d] of dashboards) {
        const vars = await resolveVariables(d);
        for (const q of panelQueries(d)) {
          checked++;
          const expr = substitute(q.expr, vars, BUILTINS);
          try {
            if (!hasData(await instantQuery(prom, expr)))
              failures.push(`${file} "${q.panel}" ${q.refId}: no data for ${expr}`);
          } catch (e) {
            failures.push(`${file} "${q.panel}" ${q.refId}: ${(e as Error).message} in ${expr}`);
          }
        }
      }
      if (failures.length) await new Promise((r) => setTimeout(r, 3000));
    } while (failures.length && Date.now() < deadline);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(40);
  });

  it("every alert expression evaluates, names exported metrics, and Prometheus loaded every rule healthy", async () => {
    const exported = await exportedMetricNames();
    const shipped = [...loadRuleFiles().values()].flatMap((f) => f.groups.flatMap((g) => g.rules));
    expect(shipped.map((r) => r.alert).sort()).toEqual([
      "FoodOrderingEndpointDown",
      "FoodOrderingKafkaConsumerLag",
      "FoodOrderingKafkaIngestionLagging",
      "FoodOrderingNoFreeDriver",
      "FoodOrderingOrdersStuck",
      "FoodOrderingRejectionRateHigh",
      "FoodOrderingRestateDown",
      "FoodOrderingTargetDown",
    ]);
    for (const r of shipped) {
      expect(r.annotations?.runbook?.length ?? 0, `${r.alert} has a runbook`).toBeGreaterThan(150);
      expect(
        metricNames(r.expr).filter((n) => !exported.has(n)),
        `${r.alert} names unexported metrics`,
      ).toEqual([]);
      await expect(instantQuery(prom, r.expr), r.alert).resolves.toBeInstanceOf(Array);
    }
    // Healthy stack: the availability alerts hold no series (they would if a target were down).
    expect(await instantQuery(prom, shipped.find((r) => r.alert === "FoodOrderingRestateDown")!.expr)).toEqual([]);
    expect(await instantQuery(prom, shipped.find((r) => r.alert === "FoodOrderingEndpointDown")!.expr)).toEqual([]);

    const loaded = await rules(prom);
    expect(loaded.map((r) => r.name).sort()).toEqual(shipped.map((r) => r.alert).sort());
    expect(loaded.filter((r) => r.health !== "ok").map((r) => `${r.name}: ${r.health} ${r.lastError ?? ""}`)).toEqual(
      [],
    );
  });

  it("the rejection panels see the declined and the malformed order by reason", async () => {
    const byReason = await instantQuery(
      prom,
      'sum by (reason) (food_ordering_order_rejections_total{namespace="local"})',
    );
    const reasons = Object.fromEntries(byReason.map((s) => [s.metric.reason, Number(s.value[1])]));
    expect(reasons.payment_declined).toBeGreaterThanOrEqual(1);
    expect(reasons.malformed_event).toBeGreaterThanOrEqual(1);
  });
});
