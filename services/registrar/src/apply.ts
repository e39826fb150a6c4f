import type { Logger } from "@food-ordering/kit";
import { AdminError, type AdminClient } from "./admin-client.ts";
import { type Deadline, untilReady } from "./observe.ts";
import { deploymentMarker } from "./ownership.ts";
import { type Action, describeAction, type Plan } from "./plan.ts";

export class ApplyError extends Error {
  readonly applied: string[];
  constructor(failed: Action, cause: Error, applied: string[]) {
    super(
      `failed to ${describeAction(failed)}: ${cause.message}` +
        (applied.length
          ? `\n  already applied (a rerun converges from here): ${applied.join("; ")}`
          : "\n  nothing was applied"),
    );
    this.name = "ApplyError";
    this.applied = applied;
  }
}

export interface ApplyOptions {
  owner: string;
  force: boolean;
  deadline: Deadline;
  log?: Logger;
}

/**
 * Executes a validated plan in its order (plan.ts APPLY_ORDER: clusters, subscriptions that go, endpoints, new subscriptions, old revisions).
 * Each step is retried while Restate is briefly unavailable; a rejection stops at once. The plan
 * was checked as a whole before this runs, so a failure here is a race, and every step is
 * idempotent: the next run picks up from where this one stopped.
 */
export async function apply(
  admin: AdminClient,
  plan: Plan,
  opts: ApplyOptions,
): Promise<{ applied: string[]; notes: string[] }> {
  const applied: string[] = [];
  const notes: string[] = [];
  for (const action of plan.actions) {
    try {
      const skipped = await untilReady(
        describeAction(action),
        () => step(admin, action, opts),
        opts.deadline,
        opts.log,
      );
      if (skipped) notes.push(skipped);
      else {
        applied.push(describeAction(action));
        opts.log?.info({ action: action.kind }, describeAction(action));
      }
    } catch (err) {
      throw new ApplyError(action, err as Error, applied);
    }
  }
  return { applied, notes };
}

/** Performs one action; returns a note instead when it turned out not to be safe any more. */
async function step(admin: AdminClient, a: Action, opts: ApplyOptions): Promise<string | undefined> {
  switch (a.kind) {
    case "create-kafka-cluster":
      await admin.createKafkaCluster(a.cluster);
      return;
    case "update-kafka-cluster":
      await admin.updateKafkaCluster(a.cluster);
      return;
    case "register-endpoint":
      await admin.registerDeployment({
        uri: a.uri,
        force: false,
        breaking: opts.force,
        useHttp11: a.useHttp11,
        metadata: deploymentMarker(opts.owner),
      });
      return;
    case "reregister-endpoint":
      // At a known URI force is the only way Restate re-discovers; the plan allowed it.
      await admin.registerDeployment({
        uri: a.uri,
        force: true,
        useHttp11: a.useHttp11,
        metadata: deploymentMarker(opts.owner),
      });
      return;
    case "create-subscription":
      await admin.createSubscription({ source: a.source, sink: a.sink, options: a.options });
      return;
    case "delete-subscription":
      try {
        await admin.deleteSubscription(a.id);
      } catch (err) {
        if (!(err instanceof AdminError && err.status === 404)) throw err;
      }
      return;
    case "remove-old-deployment": {
      // Asked again right before the (necessarily forced) delete: the plan's answer may be stale.
      const rows = await admin.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM sys_invocation_status WHERE status != 'completed' AND pinned_deployment_id = '${a.id.replace(/'/g, "''")}'`,
      );
      const pinned = Number(rows[0]?.n ?? 0);
      if (pinned) return `old deployment ${a.id} (${a.uri}) kept: ${pinned} invocation(s) got pinned to it meanwhile`;
      await admin.deleteDeployment(a.id);
      return;
    }
  }
}
