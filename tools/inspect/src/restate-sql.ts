/** Restate's admin SQL introspection (`POST /query`, JSON rows). */
export async function sql<T = Record<string, unknown>>(adminUrl: string, query: string): Promise<T[]> {
  const res = await fetch(`${adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Restate SQL failed (${res.status}): ${text.slice(0, 500)}`);
  return (JSON.parse(text) as { rows: T[] }).rows;
}

/** Every value of one state key of one service, parsed, by object key. */
export async function stateOf<T>(adminUrl: string, service: string, key: string, where = ""): Promise<Map<string, T>> {
  const rows = await sql<{ service_key: string; value_utf8: string }>(
    adminUrl,
    `SELECT service_key, value_utf8 FROM state WHERE service_name = '${service}' AND key = '${key}'${where ? ` AND ${where}` : ""}`,
  );
  return new Map(rows.map((r) => [r.service_key, JSON.parse(r.value_utf8) as T]));
}

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
