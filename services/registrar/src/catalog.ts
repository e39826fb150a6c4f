import { applyCatalog, readCatalogRegion, type Catalog } from "@food-ordering/contracts";
import type { ReconcileResult } from "./reconcile.ts";

/**
 * The desired state's catalog (the chart's `catalog` value, the stack's --catalog file), put into
 * the live catalog through Restate's ingress once the endpoint is registered, so the durable
 * `catalog` object exists to take it. Regions equal to the desired ones are left alone, so a
 * repeated pass (an upgrade with the same values) changes nothing; regions not listed (the
 * built-in ones, those added at run time) are never touched.
 */
export interface CatalogTarget {
  ingressUrl: string;
  operatorToken: string;
  deadlineMs: number;
  dryRun?: boolean;
}

/** Refusals (4xx) are final; an ingress not answering yet is retried until the deadline. */
const isFinal = (e: unknown): boolean => {
  const status = (e as { status?: number }).status;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
};

export async function convergeCatalog(
  catalog: Catalog,
  target: CatalogTarget,
  pass: ReconcileResult,
): Promise<ReconcileResult> {
  if (pass.outcome !== "converged" && pass.outcome !== "planned") return pass;
  if (catalog.regions.length === 0) return pass;
  if (target.dryRun) {
    const changes = [];
    for (const r of catalog.regions) {
      const live = await readCatalogRegion(target.ingressUrl, r.id).catch(() => null);
      changes.push(`${live ? "put" : "add"} catalog region ${r.id} (if it differs from the live one)`);
    }
    return { ...pass, changes: [...pass.changes, ...changes] };
  }
  const deadline = Date.now() + target.deadlineMs;
  for (;;) {
    try {
      const changed = await applyCatalog(target.ingressUrl, target.operatorToken, catalog);
      return {
        ...pass,
        changes: [...pass.changes, ...changed.map((c) => `put catalog region ${c.region} (version ${c.version})`)],
      };
    } catch (e) {
      if (isFinal(e) || Date.now() > deadline)
        return {
          ...pass,
          outcome: isFinal(e) ? "rejected" : "unavailable",
          problems: [
            ...pass.problems,
            { kind: isFinal(e) ? "rejected" : "unavailable", message: `catalog: ${(e as Error).message}` },
          ],
        };
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
