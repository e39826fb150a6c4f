import { describe, expect, it } from "vitest";
import {
  allPanels,
  loadDashboards,
  metricNames,
  panelQueries,
  parseLabelValues,
  substitute,
  variableQuery,
} from "./dashboards.ts";
import { loadRuleFiles, prometheusConfig, renderExpr, targetLabels } from "@food-ordering/stack";
import { render, NAMESPACE } from "./chart.ts";

/** Static checks of the dashboards and rules (the e2e observability test runs them on real data). */

describe("PromQL helpers", () => {
  it("finds the metric names of an expression, not its functions, labels, keywords or durations", () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, status) (rate(food_ordering_order_step_duration_seconds_bucket{region=~"a|b", status!="x"}[5m] offset 1h))) / on (status) group_left up or vector(0)',
      ),
    ).toEqual(["food_ordering_order_step_duration_seconds_bucket", "up"]);
    expect(metricNames("sum(a_total) - sum(b_total) > bool 1 and c")).toEqual(["a_total", "b_total", "c"]);
  });

  it("substitutes Grafana variables, multi-values as a regex alternation, and refuses unknown ones", () => {
    const vars = { namespace: "food", region: ["amsterdam", "new.york"] };
    expect(
      substitute('x{namespace="$namespace", region=~"${region}"}[$__rate_interval]', vars, { __rate_interval: "1m" }),
    ).toBe('x{namespace="food", region=~"(amsterdam|new\\.york)"}[1m]');
    expect(() => substitute("x[$__range]", vars, {})).toThrow(/unresolved variable \$__range/);
  });

  it("parses label_values variable queries", () => {
    expect(parseLabelValues('label_values(up{job="x"}, namespace)')).toEqual({
      selector: 'up{job="x"}',
      label: "namespace",
    });
    expect(() => parseLabelValues("query_result(up)")).toThrow(/unsupported variable query/);
  });
});

describe("dashboards", () => {
  const dashboards = loadDashboards();

  it("ship the orders, fleet, Restate and processes dashboards with unique uids", () => {
    expect([...dashboards.keys()]).toEqual(["fleet.json", "orders.json", "processes.json", "restate.json"]);
    const uids = [...dashboards.values()].map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  for (const [file, d] of dashboards) {
    it(`${file}: every panel reads the $datasource variable and has a query, ids are unique, the grid has no overlap`, () => {
      expect(d.templating.list.find((v) => v.name === "datasource")).toMatchObject({
        type: "datasource",
        query: "prometheus",
      });
      const panels = allPanels(d);
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels.filter((x) => x.type !== "row")) {
        expect(p.datasource?.uid, p.title).toBe("${datasource}");
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
      }
      const cells = new Set<string>();
      for (const p of panels) {
        const g = p.gridPos!;
        expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    });

    it(`${file}: queries are scoped to $namespace and use only variables the dashboard defines`, () => {
      const defined = Object.fromEntries(d.templating.list.map((v) => [v.name, v.multi ? ["a", "b"] : "v"]));
      for (const q of panelQueries(d)) {
        expect(q.expr, q.panel).toContain('namespace="$namespace"');
        expect(
          () => substitute(q.expr, defined, { __rate_interval: "1m", __range: "1h", __interval: "1m" }),
          q.panel,
        ).not.toThrow();
      }
      for (const v of d.templating.list.filter((x) => x.type === "query"))
        expect(() => parseLabelValues(variableQuery(v))).not.toThrow();
    });
  }
});

describe("alert rules and the local Prometheus config", () => {
  it("the rules file renders for a namespace and refuses other template values", () => {
    const rules = [...loadRuleFiles("food").values()].flatMap((f) => f.groups.flatMap((g) => g.rules));
    expect(rules.length).toBe(8);
    for (const r of rules) {
      expect(r.expr).not.toContain("{{");
      expect(r.annotations?.summary && r.annotations.runbook, r.alert).toBeTruthy();
      expect(r.labels?.severity).toMatch(/^(warning|critical)$/);
    }
    expect(rules.find((r) => r.alert === "FoodOrderingRestateDown")!.expr).toContain('namespace="food"');
    expect(() => renderExpr('up{job="{{ .Release.Name }}"}', "food")).toThrow(
      /other than \{\{ \.Release\.Namespace \}\}/,
    );
  });

  it("labels local targets like the chart's monitors do in Kubernetes", () => {
    expect(targetLabels("drivers-berlin")).toEqual({
      namespace: "local",
      app_kubernetes_io_component: "drivers",
      food_ordering_io_region: "berlin",
    });
    expect(targetLabels("restate")).toEqual({ namespace: "local", app_kubernetes_io_component: "restate" });
    expect(prometheusConfig([{ job: "restate", url: "http://127.0.0.1:5122/metrics" }], ["/r.yaml"])).toMatchObject({
      rule_files: ["/r.yaml"],
      scrape_configs: [
        { job_name: "restate", metrics_path: "/metrics", static_configs: [{ targets: ["127.0.0.1:5122"] }] },
      ],
    });
  });
});

describe("the chart renders the same rules and dashboards", () => {
  it("PrometheusRule: the rules file's groups with the release namespace, plus values rules in their own group", () => {
    const extra = { alert: "MyExtra", expr: "vector(1)", for: "1m", severity: "info", summary: "extra" };
    const rule = render({ monitoring: { extraRules: [extra] } }).find((o) => o.kind === "PrometheusRule")!;
    const groups = rule.spec.groups as Array<{
      name: string;
      rules: Array<{ alert: string; expr: string; annotations: Record<string, string> }>;
    }>;
    const shipped = [...loadRuleFiles(NAMESPACE).values()].flatMap((f) => f.groups);
    expect(groups.slice(0, -1)).toEqual(shipped);
    expect(groups.at(-1)).toMatchObject({ name: "food-ordering", rules: [{ alert: "MyExtra", expr: "vector(1)" }] });
    // Alertmanager templates in annotations pass through Helm untouched.
    expect(
      groups.flatMap((g) => g.rules).find((r) => r.alert === "FoodOrderingNoFreeDriver")!.annotations.summary,
    ).toContain("{{ $labels.region }}");
  });

  it("one Grafana ConfigMap per dashboard file, with the file's exact JSON", () => {
    const maps = render({}).filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1");
    const fromChart = Object.assign({}, ...maps.map((m) => m.data));
    expect(Object.keys(fromChart).sort()).toEqual([...loadDashboards().keys()]);
    for (const [file, d] of loadDashboards()) expect(JSON.parse(fromChart[file])).toEqual(d);
  });
});
