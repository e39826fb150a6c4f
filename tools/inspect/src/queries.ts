import { isTerminal, type DriverView, type OrderStatus, type OrderStatusView } from "@food-ordering/contracts";
// The admin client module alone: the registrar's index would load its whole reconciler at every CLI start.
import {
  AdminClient,
  AdminError,
  type DeploymentSummary,
  type ServiceMetadata,
} from "@food-ordering/registrar/admin-client";
import { sql, sqlString, stateOf } from "./restate-sql.ts";

/**
 * What the inspection CLI reads from Restate's admin SQL API: the services' state (order-status
 * "order", driver-digital-twin "driver", driver-delivery-matcher "drivers"/"pending"/"roster")
 * and sys_invocation, plus the admin API's deployments and services. Read-only; nothing here calls a handler.
 */

/** Wraps a connection failure in an error that says where Restate was expected and how to reach it. */
export async function reachable<T>(adminUrl: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (thrown) {
    // The registrar's admin client wraps a failed fetch in an AdminError (status 0); look at the fetch error.
    const e = thrown instanceof AdminError && thrown.status === 0 ? thrown.cause : thrown;
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === "TimeoutError" || err.message === "fetch failed") {
      const why = err.cause?.code ?? err.cause?.message ?? err.message;
      throw new Error(
        `cannot reach Restate's admin API at ${adminUrl} (${why}).\n` +
          `  Local stack: is \`npm start\` running? Its admin API is http://127.0.0.1:9070.\n` +
          `  Kubernetes: kubectl port-forward svc/<release>-food-ordering-restate 9070, or pass --admin-url / RESTATE_ADMIN_URL.`,
        { cause: e },
      );
    }
    throw thrown;
  }
}

export interface OrderRow {
  id: string;
  status: OrderStatus;
  region?: string;
  restaurantId?: string;
  driverId?: string;
  createdAt?: number;
  /** When the order entered its current status (epoch ms). */
  statusSince?: number;
}

export function orderRow(v: OrderStatusView): OrderRow {
  return {
    id: v.id,
    status: v.status,
    region: v.region,
    restaurantId: v.restaurantId,
    driverId: v.driverId,
    createdAt: v.createdAt ?? v.timeline[0]?.at,
    statusSince: v.timeline.at(-1)?.at,
  };
}

export interface OrderFilter {
  status?: string;
  region?: string;
  /** Only orders not finished whose current status is at least this old (ms). */
  olderThanMs?: number;
  limit?: number;
}

/** Orders, newest first, after the filter. */
export async function listOrders(adminUrl: string, filter: OrderFilter = {}, now = Date.now()): Promise<OrderRow[]> {
  const views = await stateOf<OrderStatusView>(adminUrl, "order-status", "order");
  return selectOrders([...views.values()].map(orderRow), filter, now);
}

export function selectOrders(rows: OrderRow[], filter: OrderFilter, now: number): OrderRow[] {
  return rows
    .filter((r) => !filter.status || r.status === filter.status.toUpperCase())
    .filter((r) => !filter.region || r.region === filter.region)
    .filter(
      (r) =>
        filter.olderThanMs === undefined ||
        (!isTerminal(r.status) && now - (r.statusSince ?? now) >= filter.olderThanMs),
    )
    .sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0))
    .slice(0, filter.limit ?? Infinity);
}

export interface InvocationRow {
  id: string;
  target: string;
  handler: string;
  status: string;
  createdAt: string;
  modifiedAt: string;
  journalSize?: number;
  retryCount?: number;
  lastFailure?: string;
  invokedBy?: string;
}

interface SysInvocation {
  id: string;
  target: string;
  target_handler_name: string;
  status: string;
  created_at: string;
  modified_at: string;
  journal_size?: number;
  retry_count?: number;
  last_failure?: string;
  invoked_by_target?: string;
  completion_result?: string;
  completion_failure?: string;
}

/**
 * The invocations of one order: its workflow, its order-status object and its delivery (all keyed
 * by the order id), oldest first. Completed ones are there for the journal retention (1 h locally).
 * `journal_size` is a column of sys_invocation, so the journal length costs no extra query.
 */
export async function orderInvocations(adminUrl: string, orderId: string): Promise<InvocationRow[]> {
  const rows = await sql<SysInvocation>(
    adminUrl,
    `SELECT * FROM sys_invocation WHERE target_service_key = ${sqlString(orderId)} ORDER BY created_at`,
  );
  return rows.map((r) => ({
    id: r.id,
    target: r.target,
    handler: r.target
      .split("/")
      .filter((_, i) => i !== 1)
      .join("/"),
    status: r.status === "completed" && r.completion_result ? `completed:${r.completion_result}` : r.status,
    createdAt: r.created_at,
    modifiedAt: r.modified_at,
    journalSize: r.journal_size,
    retryCount: r.retry_count,
    lastFailure: r.last_failure ?? r.completion_failure,
    invokedBy: r.invoked_by_target,
  }));
}

export interface OrderDetail {
  order?: OrderStatusView;
  invocations: InvocationRow[];
}

export async function orderDetail(adminUrl: string, orderId: string): Promise<OrderDetail> {
  const [views, invocations] = await Promise.all([
    stateOf<OrderStatusView>(adminUrl, "order-status", "order", `service_key = ${sqlString(orderId)}`),
    orderInvocations(adminUrl, orderId),
  ]);
  return { order: views.get(orderId), invocations };
}

export interface DriverRow {
  driverId: string;
  status: string;
  region?: string;
  deliveryId?: string;
  orderId?: string;
  lastSeen?: number;
  deliveriesCompleted: number;
}

export interface RegionRow {
  region: string;
  freeDrivers: number;
  roster: number;
  waitingDeliveries: string[];
}

export interface Fleet {
  drivers: DriverRow[];
  regions: RegionRow[];
}

/** Drivers (from their twins) and, per region, the matcher's free pool and waiting deliveries. */
export async function listFleet(adminUrl: string, region?: string): Promise<Fleet> {
  const [twins, free, pending, roster] = await Promise.all([
    stateOf<DriverView>(adminUrl, "driver-digital-twin", "driver"),
    stateOf<string[]>(adminUrl, "driver-delivery-matcher", "drivers"),
    stateOf<string[]>(adminUrl, "driver-delivery-matcher", "pending"),
    stateOf<string[]>(adminUrl, "driver-delivery-matcher", "roster"),
  ]);
  const drivers = [...twins.values()]
    .filter((d) => !region || d.region === region)
    .map((d) => ({
      driverId: d.driverId,
      status: d.status,
      region: d.region,
      deliveryId: d.assignment?.deliveryId,
      orderId: d.assignment?.orderId,
      lastSeen: d.lastSeen,
      deliveriesCompleted: d.deliveriesCompleted,
    }))
    .sort((a, b) => `${a.region}/${a.driverId}`.localeCompare(`${b.region}/${b.driverId}`));
  const names = new Set([...free.keys(), ...pending.keys(), ...roster.keys()]);
  const regions = [...names]
    .filter((r) => !region || r === region)
    .sort()
    .map((r) => ({
      region: r,
      freeDrivers: free.get(r)?.length ?? 0,
      roster: roster.get(r)?.length ?? 0,
      waitingDeliveries: pending.get(r) ?? [],
    }));
  return { drivers, regions };
}

/**
 * A Restate deployment of the service endpoint, as an operator draining an old revision sees it:
 * `current` serves the latest registration of at least one service (new invocations go there);
 * otherwise it only finishes the invocations pinned to it — `draining` while there are any,
 * `drained` when there are none left and its pods (the chart's endpoint.drainingRevisions entry)
 * can go.
 */
export interface DeploymentRow {
  id: string;
  uri: string;
  createdAt?: string;
  services: string[];
  /** Services whose new invocations go to this deployment. */
  currentFor: string[];
  /** Unfinished invocations pinned to it. */
  pinned: number;
  state: "current" | "draining" | "drained";
}

/** Pure: the rows from Restate's deployments and services (each service names the deployment of its latest revision) and pinned counts. */
export function deploymentRows(
  deployments: DeploymentSummary[],
  services: Pick<ServiceMetadata, "name" | "deployment_id">[],
  pinned: Readonly<Record<string, number>>,
): DeploymentRow[] {
  const latestOf = new Map(services.map((s) => [s.name, s.deployment_id]));
  return deployments
    .map((d) => {
      const names = d.services.map((s) => s.name).sort();
      const currentFor = names.filter((s) => latestOf.get(s) === d.id);
      const n = pinned[d.id] ?? 0;
      const state: DeploymentRow["state"] = currentFor.length ? "current" : n ? "draining" : "drained";
      return {
        id: d.id,
        uri: d.uri ?? "-",
        ...(d.created_at ? { createdAt: d.created_at } : {}),
        services: names,
        currentFor,
        pinned: n,
        state,
      };
    })
    .sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.id.localeCompare(b.id));
}

export async function listDeployments(adminUrl: string): Promise<DeploymentRow[]> {
  const admin = new AdminClient(adminUrl, { timeoutMs: 30_000 });
  const [deployments, services, pinned] = await Promise.all([
    admin.listDeployments(),
    admin.listServices(),
    admin.pinnedInvocations(),
  ]);
  return deploymentRows(deployments, services, pinned);
}
