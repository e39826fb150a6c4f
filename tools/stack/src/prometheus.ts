import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { ManagedProcess, httpOk } from "./process.ts";

/**
 * The local Prometheus (Debian's `prometheus` binary): scrapes Restate and every Node process of
 * the stack and evaluates the same alert rules the chart ships. Targets get the labels the
 * chart's PodMonitor/ServiceMonitor give them in Kubernetes (`namespace`,
 * `app_kubernetes_io_component`, `food_ordering_io_region`), so dashboards and rules run
 * unchanged against both.
 */

/** The chart's alert rules: the one source of truth for the PrometheusRule and the local Prometheus. */
export const RULES_DIR = path.resolve(import.meta.dirname, "../../../charts/food-ordering/rules");
/** What `{{ .Release.Namespace }}` becomes locally, and the `namespace` label of every local target. */
export const LOCAL_NAMESPACE = "local";
const NAMESPACE_TEMPLATE = /\{\{-?\s*\.Release\.Namespace\s*-?\}\}/g;

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** Renders an expression's one allowed template value; anything else templated is a mistake in the rules file. */
export function renderExpr(expr: string, namespace: string): string {
  const out = expr.replace(NAMESPACE_TEMPLATE, namespace);
  if (out.includes("{{"))
    throw new Error(`alert expression uses a template value other than {{ .Release.Namespace }}: ${expr}`);
  return out;
}

/** Every rule file of the chart, expressions rendered for `namespace`, by file name. */
export function loadRuleFiles(namespace = LOCAL_NAMESPACE, dir = RULES_DIR): Map<string, { groups: RuleGroup[] }> {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  if (!files.length) throw new Error(`no rule files in ${dir}`);
  return new Map(
    files.map((f) => {
      const doc = YAML.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { groups?: RuleGroup[] };
      if (!Array.isArray(doc?.groups))
        throw new Error(`${path.join(dir, f)}: expected a Prometheus rule file with "groups"`);
      const groups = doc.groups.map((g) => ({
        ...g,
        rules: g.rules.map((r) => ({ ...r, expr: renderExpr(r.expr, namespace) })),
      }));
      return [f, { groups }];
    }),
  );
}

export interface ScrapeTarget {
  /** The stack's process name: restate, endpoint, drivers-amsterdam, ... */
  job: string;
  url: string;
}

/** The labels Kubernetes service discovery would give the target (see templates/monitoring.yaml). */
export function targetLabels(job: string): Record<string, string> {
  const region = /^drivers-(.+)$/.exec(job)?.[1];
  return {
    namespace: LOCAL_NAMESPACE,
    app_kubernetes_io_component: region ? "drivers" : job,
    ...(region ? { food_ordering_io_region: region } : {}),
  };
}

/** prometheus.yml for these targets; a short interval so a test sees data within seconds. */
export function prometheusConfig(targets: ScrapeTarget[], ruleFiles: string[], intervalSeconds = 2): object {
  return {
    global: {
      scrape_interval: `${intervalSeconds}s`,
      evaluation_interval: `${intervalSeconds}s`,
      scrape_timeout: `${intervalSeconds}s`,
    },
    rule_files: ruleFiles,
    scrape_configs: targets.map((t) => {
      const u = new URL(t.url);
      return {
        job_name: t.job,
        metrics_path: u.pathname,
        static_configs: [{ targets: [u.host], labels: targetLabels(t.job) }],
      };
    }),
  };
}

export function createPrometheus(opts: {
  dataDir: string;
  logDir: string;
  port: number;
  targets: ScrapeTarget[];
  intervalSeconds?: number;
  /** Groups evaluated beside the chart's (a test's copy of a rule with a shorter `for`), expressions as given. */
  extraRuleGroups?: RuleGroup[];
}): ManagedProcess {
  if (spawnSync("prometheus", ["--version"], { stdio: "ignore" }).status !== 0) {
    throw new Error(
      "the prometheus binary is not on the PATH: run `npm run setup` (installs Debian's prometheus package) or `sudo apt-get install prometheus`",
    );
  }
  const base = path.join(opts.dataDir, "prometheus");
  const rulesDir = path.join(base, "rules");
  fs.rmSync(rulesDir, { recursive: true, force: true });
  fs.mkdirSync(rulesDir, { recursive: true });
  const ruleFiles = [...loadRuleFiles()].map(([name, doc]) => {
    const file = path.join(rulesDir, name);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
  });
  if (opts.extraRuleGroups?.length) {
    const file = path.join(rulesDir, "extra.rules.yml");
    fs.writeFileSync(file, YAML.stringify({ groups: opts.extraRuleGroups }));
    ruleFiles.push(file);
  }
  const configFile = path.join(base, "prometheus.yml");
  fs.writeFileSync(configFile, YAML.stringify(prometheusConfig(opts.targets, ruleFiles, opts.intervalSeconds)));
  const url = `http://127.0.0.1:${opts.port}`;
  return new ManagedProcess({
    name: "prometheus",
    command: "prometheus",
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(base, "data")}`,
      "--storage.tsdb.retention.time=7d",
      `--web.listen-address=127.0.0.1:${opts.port}`,
    ],
    logDir: opts.logDir,
    ports: [opts.port],
    readyTimeoutMs: 30_000,
    ready: () => httpOk(`${url}/-/ready`),
  });
}
