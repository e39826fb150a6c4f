import * as restate from "@restatedev/restate-sdk";
import {
  catalog,
  catalogDirectory,
  findRegion,
  CATALOG_DIRECTORY_KEY,
  type CatalogEntry,
  type CatalogWriteResult,
  type Region,
} from "@food-ordering/contracts";
import { authorizationOf } from "../delivery/driver-auth.ts";
import { internalHandlers } from "../internal-handlers.ts";
import { operatorCheck } from "./operator-auth.ts";
import { putRegion, setPrice, upsertRestaurant, type Edit } from "./catalog-edits.ts";
import type { IntakeCatalogCache } from "./catalog-cache.ts";

/**
 * catalog (virtual object, key = region id): the live catalog, one region per key. Restate state
 * makes a change durable, versioned and seen by every endpoint replica, with no reload protocol;
 * per-region keys keep order intake free of contention. Intake reads a region through each
 * process's IntakeCatalogCache: an edit applies at once to orders this process receives and within
 * CATALOG_CACHE_TTL to other replicas' (catalog-cache.ts).
 *
 * State `entry`: the region and its version, or `retired`. No state: the built-in entry
 * (DEFAULT_CATALOG) at version 0. Every write checks the operator token first, then the region
 * as it would be against the catalog's schema: a refusal changes nothing.
 */
type Stored = CatalogEntry | { retired: true; version: number };

const current = (stored: Stored | null, key: string): CatalogEntry | null => {
  if (!stored) {
    const builtIn = findRegion(key);
    return builtIn ? { region: builtIn, version: 0 } : null;
  }
  return "retired" in stored ? null : stored;
};

export function createCatalogObject(deps: { operatorToken: string; catalogCache: IntakeCatalogCache }) {
  const operator = operatorCheck(deps.operatorToken);

  const refuseUnlessOperator = (ctx: restate.ObjectContext) => {
    const refusal = operator(authorizationOf(ctx.request().headers));
    if (refusal) throw new restate.TerminalError(refusal.message, { errorCode: refusal.errorCode });
  };

  /**
   * Stores the region's next version: the one place `entry` is written, so this process's intake
   * copy (catalog-cache.ts) can never miss an edit.
   */
  const store = (ctx: restate.ObjectContext, stored: Stored | null, next: { region: Region } | { retired: true }) => {
    const version = (stored?.version ?? 0) + 1;
    ctx.set<Stored>("entry", { ...next, version });
    deps.catalogCache.edited(ctx.key, version);
    return version;
  };

  /** Checks the credential, applies the edit to the current region, stores it: one version more. */
  const write = async (
    ctx: restate.ObjectContext,
    edit: (region: Region | undefined) => Edit,
  ): Promise<CatalogWriteResult> => {
    refuseUnlessOperator(ctx);
    const stored = await ctx.get<Stored>("entry");
    const entry = current(stored, ctx.key);
    const next = edit(entry?.region);
    if (next.errors)
      throw new restate.TerminalError(`catalog unchanged: ${next.errors.join("; ")}`, { errorCode: 400 });
    const version = store(ctx, stored, { region: next.region });
    if (!entry) ctx.sendClient(catalogDirectory, CATALOG_DIRECTORY_KEY).add({ region: ctx.key });
    ctx.console.info(`catalog: region ${ctx.key} is now at version ${version}`);
    return { region: ctx.key, version };
  };

  return restate.implement(catalog, {
    handlers: {
      get: async (ctx) => current(await ctx.get<Stored>("entry"), ctx.key),
      // Inputs are typed by the contract but arrive as any JSON: each edit checks them.
      put: async (ctx, region) => write(ctx, () => putRegion(ctx.key, region)),
      upsertRestaurant: async (ctx, restaurant) => write(ctx, (r) => upsertRestaurant(r, ctx.key, restaurant)),
      setPrice: async (ctx, change) => write(ctx, (r) => setPrice(r, ctx.key, change)),
      retire: async (ctx) => {
        refuseUnlessOperator(ctx);
        const stored = await ctx.get<Stored>("entry");
        if (!current(stored, ctx.key))
          throw new restate.TerminalError(`catalog unchanged: region "${ctx.key}" is not in the catalog`, {
            errorCode: 404,
          });
        // Orders in flight carry what they were accepted with (ValidOrder), so they finish.
        const version = store(ctx, stored, { retired: true });
        ctx.sendClient(catalogDirectory, CATALOG_DIRECTORY_KEY).remove({ region: ctx.key });
        return { region: ctx.key, version };
      },
    },
    options: { handlers: internalHandlers(catalog) },
  });
}
