/**
 * A thin typed client for the parts of Restate's admin API (1.7) the registrar uses. Every
 * failure becomes an AdminError that says whether waiting could help (Restate or the endpoint not
 * ready yet) or not (Restate rejected the request: retrying would only repeat the rejection).
 */

export type ServiceType = "Service" | "VirtualObject" | "Workflow";

export interface HandlerMetadata {
  name: string;
  ty?: string | null;
}
export interface ServiceMetadata {
  name: string;
  ty: ServiceType;
  revision: number;
  deployment_id: string;
  handlers: HandlerMetadata[];
}
export interface DeploymentSummary {
  id: string;
  uri?: string;
  metadata?: Record<string, string>;
  created_at?: string;
  services: { name: string; revision: number }[];
}
export interface DeploymentDetail extends DeploymentSummary {
  services: ServiceMetadata[];
}
export interface KafkaCluster {
  name: string;
  properties: Record<string, string>;
}
export interface Subscription {
  id: string;
  source: string;
  sink: string;
  options: Record<string, string>;
}

export class AdminError extends Error {
  readonly status: number;
  readonly restateCode?: string;
  /** True when the same request may succeed later (unreachable, 5xx, endpoint discovery failed). */
  readonly transient: boolean;
  constructor(what: string, status: number, message: string, restateCode?: string, options?: ErrorOptions) {
    super(`${what}: ${status ? `HTTP ${status}: ` : ""}${message}`, options);
    this.name = "AdminError";
    this.status = status;
    this.restateCode = restateCode ?? undefined;
    // 4xx is Restate's verdict on the request itself; 5xx and network errors are about readiness.
    // META0003 (discovery failed) is answered with 500: the endpoint may simply not be up yet.
    this.transient = status === 0 || status >= 500;
  }
}

export class AdminClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, opts: { timeoutMs?: number } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private async call<T>(what: string, method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new AdminError(what, 0, `Restate admin API at ${this.baseUrl} unreachable (${cause})`, undefined, {
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text.trim() || res.statusText;
      let code: string | undefined;
      try {
        const e = JSON.parse(text) as { message?: string; restate_code?: string | null };
        message = e.message ?? message;
        code = e.restate_code ?? undefined;
      } catch {
        // Not JSON (e.g. 422 from the body deserializer): keep the text.
      }
      throw new AdminError(what, res.status, message, code);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async health(): Promise<void> {
    await this.call("health", "GET", "/health");
  }

  async listDeployments(): Promise<DeploymentSummary[]> {
    return (await this.call<{ deployments: DeploymentSummary[] }>("list deployments", "GET", "/deployments"))
      .deployments;
  }

  async getDeployment(id: string): Promise<DeploymentDetail> {
    return await this.call("get deployment", "GET", `/deployments/${encodeURIComponent(id)}`);
  }

  /**
   * Registers (or with dryRun only discovers) an HTTP deployment. Note Restate's semantics:
   * for a URI that is already registered, force=false answers 200 with the OLD services, so
   * discovering a changed endpoint at a known URI needs force=true (with dryRun, nothing is written).
   */
  async registerDeployment(req: {
    uri: string;
    force: boolean;
    breaking?: boolean;
    dryRun?: boolean;
    metadata?: Record<string, string>;
    useHttp11?: boolean;
  }): Promise<{ id: string; services: ServiceMetadata[] }> {
    return await this.call(req.dryRun ? `discover ${req.uri}` : `register ${req.uri}`, "POST", "/deployments", {
      uri: req.uri,
      force: req.force,
      breaking: req.breaking ?? false,
      dry_run: req.dryRun ?? false,
      use_http_11: req.useHttp11 ?? false,
      ...(req.metadata ? { metadata: req.metadata } : {}),
    });
  }

  /** Restate 1.7 supports only forced deletion; callers check for pinned invocations first. */
  async deleteDeployment(id: string): Promise<void> {
    await this.call(`delete deployment ${id}`, "DELETE", `/deployments/${encodeURIComponent(id)}?force=true`);
  }

  async listServices(): Promise<ServiceMetadata[]> {
    return (await this.call<{ services: ServiceMetadata[] }>("list services", "GET", "/services")).services;
  }

  async listKafkaClusters(): Promise<KafkaCluster[]> {
    return (await this.call<{ clusters: KafkaCluster[] }>("list Kafka clusters", "GET", "/kafka-clusters")).clusters;
  }

  async createKafkaCluster(c: KafkaCluster): Promise<void> {
    await this.call(`create Kafka cluster ${c.name}`, "POST", "/kafka-clusters", {
      name: c.name,
      properties: c.properties,
    });
  }

  /** PATCH replaces the whole property set (measured), so callers send every desired property. */
  async updateKafkaCluster(c: KafkaCluster): Promise<void> {
    await this.call(`update Kafka cluster ${c.name}`, "PATCH", `/kafka-clusters/${encodeURIComponent(c.name)}`, {
      properties: c.properties,
    });
  }

  async listSubscriptions(): Promise<Subscription[]> {
    return (await this.call<{ subscriptions: Subscription[] }>("list subscriptions", "GET", "/subscriptions"))
      .subscriptions;
  }

  async createSubscription(s: Omit<Subscription, "id">): Promise<Subscription> {
    return await this.call(`create subscription ${s.source} -> ${s.sink}`, "POST", "/subscriptions", s);
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.call(`delete subscription ${id}`, "DELETE", `/subscriptions/${encodeURIComponent(id)}`);
  }

  /** SQL introspection; `Accept: application/json` or Restate answers in Arrow IPC. */
  async query<Row>(sql: string): Promise<Row[]> {
    return (await this.call<{ rows: Row[] }>("query", "POST", "/query", { query: sql })).rows;
  }

  /** Unfinished invocations pinned to each deployment (by deployment id): what keeps an old revision alive. */
  async pinnedInvocations(): Promise<Record<string, number>> {
    const rows = await this.query<{ id: string; n: number }>(
      "SELECT pinned_deployment_id AS id, COUNT(*) AS n FROM sys_invocation_status " +
        "WHERE status != 'completed' AND pinned_deployment_id IS NOT NULL GROUP BY pinned_deployment_id",
    );
    return Object.fromEntries(rows.map((r) => [r.id, Number(r.n)]));
  }
}
