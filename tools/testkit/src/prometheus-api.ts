/** The few calls of Prometheus's HTTP API the dashboard test makes. */

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
export async function rules(baseUrl: string): Promise<RuleState[]> {
  const data = await api<{ groups: Array<{ rules: RuleState[] }> }>(baseUrl, "/api/v1/rules");
  return data.groups.flatMap((g) => g.rules);
}
