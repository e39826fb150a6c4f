/** The few calls of Prometheus's HTTP API the dashboard and monitoring tests make. */

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface ApiAnswer<T> {
  status: "success" | "error";
  data: T;
  errorType?: string;
  error?: string;
}

async function api<T>(baseUrl: string, pathAndQuery: string): Promise<T> {
  const res = await fetch(`${baseUrl}${pathAndQuery}`, { signal: AbortSignal.timeout(15_000) });
  const body = (await res.json()) as ApiAnswer<T>;
  if (body.status !== "success") throw new Error(`${body.errorType ?? res.status}: ${body.error ?? "no error text"}`);
  return body.data;
}

/** An instant query; PromQL errors are thrown with Prometheus's message. */
export async function instantQuery(baseUrl: string, expr: string): Promise<Sample[]> {
  const data = await api<{ resultType: string; result: Sample[] | [number, string] }>(
    baseUrl,
    `/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  // A scalar answer (e.g. `vector(0)` folded to a scalar) is one value without labels.
  return data.resultType === "scalar"
    ? [{ metric: {}, value: data.result as [number, string] }]
    : (data.result as Sample[]);
}

/** Values of one label, optionally only on series matching a selector (what Grafana's label_values does). */
export async function labelValues(baseUrl: string, label: string, match?: string): Promise<string[]> {
  return await api<string[]>(
    baseUrl,
    `/api/v1/label/${encodeURIComponent(label)}/values${match ? `?match[]=${encodeURIComponent(match)}` : ""}`,
  );
}

export interface RuleState {
  name: string;
  query: string;
  health: string;
  lastError?: string;
  type: string;
}
export interface RuleGroupState {
  name: string;
  /** The rule file: with prometheus-operator, one per PrometheusRule (<namespace>-<name>-<uid>.yaml). */
  file: string;
  rules: RuleState[];
}
export async function ruleGroups(baseUrl: string): Promise<RuleGroupState[]> {
  return (await api<{ groups: RuleGroupState[] }>(baseUrl, "/api/v1/rules")).groups;
}
export async function rules(baseUrl: string): Promise<RuleState[]> {
  return (await ruleGroups(baseUrl)).flatMap((g) => g.rules);
}

export interface TargetState {
  /** prometheus-operator names them serviceMonitor/<namespace>/<name>/<endpoint index> (podMonitor/… likewise). */
  scrapePool: string;
  labels: Record<string, string>;
  health: "up" | "down" | "unknown";
  lastError: string;
  scrapeUrl: string;
}
export async function activeTargets(baseUrl: string): Promise<TargetState[]> {
  return (await api<{ activeTargets: TargetState[] }>(baseUrl, "/api/v1/targets?state=active")).activeTargets;
}
