import type { Logger } from "@food-ordering/kit";
import { AdminClient, AdminError } from "./admin-client.ts";
import { apply, ApplyError } from "./apply.ts";
import type { DesiredState } from "./desired-state.ts";
import { deadlineIn, discover, observe, untilReady } from "./observe.ts";
import { describeAction, type Plan, plan, type Problem } from "./plan.ts";

export type Outcome = "converged" | "planned" | "invalid" | "rejected" | "unavailable" | "apply-failed";

export interface ReconcileOptions {
  adminUrl: string;
  owner: string;
  force?: boolean;
  dryRun?: boolean;
  /** librdkafka's statistics.interval.ms on our subscriptions (plan.ts PlanOptions). */
  statisticsIntervalMs?: number;
  /** Overall deadline for Restate and the endpoints to be ready and the state to converge. */
  deadlineMs: number;
  log?: Logger;
}

export interface ReconcileResult {
  outcome: Outcome;
  /** What was changed (or, for a dry run, what would be). Empty: nothing to do. */
  changes: string[];
  notes: string[];
  problems: Problem[];
  plan?: Plan;
  startedAt: Date;
  durationMs: number;
}

/**
 * One reconcile pass: wait for Restate, observe it, ask every endpoint's discovery (dry run),
 * plan, and apply only a plan without problems. Expected failures are returned as an outcome
 * (never thrown), so `once` can turn them into an exit code and `watch` into a status.
 */
export async function reconcile(desired: DesiredState, opts: ReconcileOptions): Promise<ReconcileResult> {
  const startedAt = new Date();
  const done = (outcome: Outcome, rest: Partial<ReconcileResult>): ReconcileResult => ({
    outcome,
    changes: [],
    notes: [],
    problems: [],
    ...rest,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
  });
  const admin = new AdminClient(opts.adminUrl);
  const deadline = deadlineIn(opts.deadlineMs);
  const force = opts.force ?? false;
  const planOpts = { owner: opts.owner, statisticsIntervalMs: opts.statisticsIntervalMs };

  let p: Plan;
  try {
    await untilReady("wait for Restate", () => admin.health(), deadline, opts.log);
    const observed = await observe(admin, deadline, opts.log);
    const discovered = await discover(admin, desired, observed, { force, deadline, log: opts.log });
    p = plan(desired, observed, discovered, { ...planOpts, force });
  } catch (err) {
    const kind = err instanceof AdminError && !err.transient ? "rejected" : "unavailable";
    return done(kind, { problems: [{ kind, message: (err as Error).message }] });
  }
  if (p.problems.length) return done(worst(p.problems), { plan: p, notes: p.notes, problems: p.problems });
  if (opts.dryRun) return done("planned", { plan: p, notes: p.notes, changes: p.actions.map(describeAction) });

  try {
    const r = await apply(admin, p, { owner: opts.owner, force, deadline, log: opts.log });
    const notes = [...p.notes, ...r.notes];
    if (!r.applied.length) return done("converged", { plan: p, notes });
    // Trust, but verify: what Restate reports now must need nothing more.
    const observed = await observe(admin, deadline, opts.log);
    const again = plan(
      desired,
      observed,
      await discover(admin, desired, observed, { force: false, deadline, log: opts.log }),
      { ...planOpts, force: false },
    );
    if (again.actions.length || again.problems.length)
      return done("apply-failed", {
        plan: p,
        changes: r.applied,
        notes,
        problems: [
          {
            kind: "unavailable",
            message: `not converged after applying; still pending: ${[...again.actions.map(describeAction), ...again.problems.map((x) => x.message)].join("; ")}`,
          },
        ],
      });
    return done("converged", { plan: p, changes: r.applied, notes });
  } catch (err) {
    const applied = err instanceof ApplyError ? err.applied : [];
    return done("apply-failed", {
      plan: p,
      changes: applied,
      notes: p.notes,
      problems: [{ kind: "rejected", message: (err as Error).message }],
    });
  }
}

function worst(problems: Problem[]): Outcome {
  for (const kind of ["invalid", "rejected", "unavailable"] as const)
    if (problems.some((p) => p.kind === kind)) return kind;
  return "invalid";
}

/** Process exit code per outcome (documented in docs/registrar.md). */
export const EXIT_CODES: Record<Outcome, number> = {
  converged: 0,
  planned: 0,
  invalid: 2,
  rejected: 3,
  unavailable: 4,
  "apply-failed": 5,
};

/** The one line that says what a pass did. */
export function summaryLine(r: ReconcileResult): string {
  const what =
    r.outcome === "planned"
      ? r.changes.length
        ? `dry run: would make ${r.changes.length} change(s): ${r.changes.join("; ")}`
        : "dry run: no changes needed"
      : r.outcome === "converged"
        ? r.changes.length
          ? `converged with ${r.changes.length} change(s): ${r.changes.join("; ")}`
          : "converged, no changes"
        : `${r.outcome}: ${r.problems.map((p) => p.message).join("; ")}${r.changes.length ? ` (applied before failing: ${r.changes.join("; ")})` : " (nothing applied)"}`;
  return `${what}${r.notes.length ? ` [${r.notes.length} note(s)]` : ""} in ${r.durationMs} ms`;
}
