import { retry, type Logger } from "@food-ordering/kit";
import { AdminError, type AdminClient } from "./admin-client.ts";
import { type DesiredState, normalizeUri } from "./desired-state.ts";
import type { Discovered, Observed } from "./plan.ts";

/** An absolute deadline shared by every wait of one reconcile. */
export interface Deadline {
  at: number;
}
export const deadlineIn = (ms: number): Deadline => ({ at: Date.now() + ms });
const remaining = (d: Deadline) => Math.max(0, d.at - Date.now());

/**
 * Retries `fn` with backoff while it fails transiently (Restate or the endpoint not ready yet),
 * until the deadline; a permanent rejection by Restate ends the wait at once with its message.
 */
export async function untilReady<T>(what: string, fn: () => Promise<T>, deadline: Deadline, log?: Logger): Promise<T> {
  const r = await retry(
    what,
    async () => {
      try {
        return { ok: await fn() };
      } catch (err) {
        if (err instanceof AdminError && !err.transient) return { rejected: err };
        throw err;
      }
    },
    { deadlineMs: remaining(deadline), initialMs: 200, maxMs: 3000, log },
  );
  if ("rejected" in r) throw r.rejected;
  return r.ok;
}

/** Everything the planner needs to know about Restate's current state. */
export async function observe(admin: AdminClient, deadline: Deadline, log?: Logger): Promise<Observed> {
  return await untilReady(
    "read Restate's state",
    async () => {
      const [summaries, services, clusters, subscriptions, pinned] = await Promise.all([
        admin.listDeployments(),
        admin.listServices(),
        admin.listKafkaClusters(),
        admin.listSubscriptions(),
        admin.pinnedInvocations(),
      ]);
      // The summary lists only service names; handlers (needed to detect a changed endpoint) come per deployment.
      const deployments = await Promise.all(summaries.map((d) => admin.getDeployment(d.id)));
      return { deployments, services, clusters, subscriptions, pinned };
    },
    deadline,
    log,
  );
}

/**
 * Asks Restate to run discovery against every desired endpoint without registering anything
 * (dry_run). At a URI Restate already knows, force=false would just echo the registered services,
 * so force=true is sent there (still a dry run). A new URI is tried exactly as it will be
 * registered, so Restate's own compatibility checks (e.g. META0006) surface before any write.
 */
export async function discover(
  admin: AdminClient,
  desired: DesiredState,
  observed: Observed,
  opts: { force: boolean; deadline: Deadline; log?: Logger },
): Promise<Discovered> {
  const known = new Set(observed.deployments.flatMap((d) => (d.uri ? [normalizeUri(d.uri)] : [])));
  const entries = await Promise.all(
    desired.endpoints.map(async (ep): Promise<[string, Discovered[string]]> => {
      const exists = known.has(ep.uri);
      try {
        const r = await untilReady(
          `discover ${ep.uri}`,
          () =>
            admin.registerDeployment({
              uri: ep.uri,
              dryRun: true,
              force: exists,
              breaking: opts.force,
              useHttp11: ep.useHttp11,
            }),
          opts.deadline,
          opts.log,
        );
        return [ep.uri, { services: r.services }];
      } catch (err) {
        const rejected = err instanceof AdminError && !err.transient;
        return [
          ep.uri,
          {
            error: {
              kind: rejected ? "rejected" : "unavailable",
              message: `endpoint ${ep.uri}: ${(err as Error).message}`,
            },
          },
        ];
      }
    }),
  );
  return Object.fromEntries(entries);
}
