import * as restate from "@restatedev/restate-sdk";
import { catalogDirectory, DEFAULT_CATALOG } from "@food-ordering/contracts";
import { internalHandlers } from "../internal-handlers.ts";

/**
 * catalog-directory (virtual object, one key): the ids of the regions the live catalog has, so
 * that readers can list regions added at run time. No state: the built-in regions. Only the
 * catalog object writes it (ingress-private), after a region appears or is retired.
 */
const regions = async (ctx: restate.ObjectSharedContext): Promise<string[]> =>
  (await ctx.get<string[]>("regions")) ?? DEFAULT_CATALOG.regions.map((r) => r.id);

export const catalogDirectoryObject = restate.implement(catalogDirectory, {
  handlers: {
    list: async (ctx) => regions(ctx),
    add: async (ctx, { region }) => {
      const list = await regions(ctx);
      if (!list.includes(region)) ctx.set("regions", [...list, region]);
    },
    remove: async (ctx, { region }) => {
      const list = await regions(ctx);
      if (list.includes(region))
        ctx.set(
          "regions",
          list.filter((r) => r !== region),
        );
    },
  },
  options: { handlers: internalHandlers(catalogDirectory) },
});
