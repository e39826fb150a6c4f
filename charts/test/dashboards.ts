import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "@food-ordering/stack";

/**
 * Reading the chart's Grafana dashboards the way Grafana does: every panel target's `expr`,
 * template variables resolved (label_values queries, multi-value as a regex alternation), and
 * the metric names a PromQL expression refers to.
 */

export const DASHBOARD_DIR = path.join(REPO_ROOT, "charts/food-ordering/dashboards");

interface Target {
  refId: string;
  expr?: string;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
export interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  multi?: boolean;
  includeAll?: boolean;
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export function loadDashboards(dir = DASHBOARD_DIR): Map<string, Dashboard> {
  return new Map(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Dashboard]),
  );
}

/** Panels including those nested in collapsed rows. */
export function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}
export function panelQueries(d: Dashboard): PanelQuery[] {
  return allPanels(d).flatMap((p) =>
    (p.targets ?? []).filter((t) => t.expr).map((t) => ({ panel: p.title, refId: t.refId, expr: t.expr! })),
  );
}

/** `label_values(<selector>, <label>)` -> its parts; other variable queries are not used here. */
export function parseLabelValues(query: string): { selector: string; label: string } {
  const m = /^\s*label_values\(\s*(.+?)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/s.exec(query);
  if (!m) throw new Error(`unsupported variable query (expected label_values(selector, label)): ${query}`);
  return { selector: m[1]!, label: m[2]! };
}

export const variableQuery = (v: Variable): string => (typeof v.query === "string" ? v.query : (v.query?.query ?? ""));

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Replaces Grafana variables: `$__rate_interval`/`$__range`/`$__interval` by the given builtins,
 * `$name`/`${name}` by a value, or for a multi-value variable by `(a|b)` as Grafana formats it
 * for Prometheus. A variable left unresolved is an error, not a silent literal.
 */
export function substitute(
  expr: string,
  values: Record<string, string | string[]>,
  builtins: Record<string, string>,
): string {
  const all: Record<string, string> = { ...builtins };
  for (const [k, v] of Object.entries(values))
    all[k] = Array.isArray(v) ? (v.length === 1 ? escapeRegex(v[0]!) : `(${v.map(escapeRegex).join("|")})`) : v;
  const out = expr.replace(
    /\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[a-z]+)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare!;
      const v = all[name];
      if (v === undefined) throw new Error(`unresolved variable ${whole} in: ${expr}`);
      return v;
    },
  );
  return out;
}

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "offset",
  "bool",
  "inf",
  "nan",
]);

/** Metric names a PromQL expression selects (functions, keywords, labels and durations excluded). */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // string literals
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
    .replace(/\boffset\s+\S+/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || KEYWORDS.has(m[1]!.toLowerCase())) continue; // a function call or a keyword
    names.add(m[1]!);
  }
  return [...names].sort();
}
