import { readCatalogRegion, type Region } from "@food-ordering/contracts";
import type { Logger } from "@food-ordering/kit";

/**
 * The simulated region's map, from the live catalog: a region added by configuration (the
 * chart's or the stack's catalog) has no built-in entry, so the simulator asks Restate. It waits
 * while Restate is not reachable yet, or the catalog not yet applied (the registrar applies it
 * after registration), saying which.
 */
export async function awaitCatalogRegion(ingressUrl: string, regionId: string, log: Logger): Promise<Region> {
  for (let attempt = 1; ; attempt++) {
    const problem = await readCatalogRegion(ingressUrl, regionId).then(
      (entry) => entry?.region ?? `the catalog has no region "${regionId}" (yet): add it to the catalog`,
      (e: unknown) => `the catalog cannot be read: ${(e as Error).message}`,
    );
    if (typeof problem !== "string") return problem;
    if (attempt === 1 || attempt % 15 === 0) log.warn({ attempt }, `${problem}; waiting`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}
