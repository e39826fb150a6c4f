import * as restate from "@restatedev/restate-sdk";
import { driverDeliveryMatcher, deliveryManager } from "@food-ordering/contracts";
import { driverAvailable, driverGone, deliveryRequested, type MatcherState, type Step } from "./matching.ts";
import { metrics } from "../metrics.ts";
import { internalHandlers } from "../internal-handlers.ts";

/**
 * driver-delivery-matcher (virtual object, key = region): the region's free drivers, the
 * deliveries waiting for one, and the roster of every driver that ever worked here (for the fleet
 * view). The rules are in matching.ts; this object keeps the state and tells the delivery
 * manager about each match.
 */

/**
 * Reads the state a handler needs. The roster (every driver ever seen here) only matters when a
 * driver shows up and for the fleet view, so the per-delivery handlers skip reading it: each
 * read is a journal entry. save() writes only what changed, so a skipped roster stays as it is.
 */
async function load(
  ctx: restate.ObjectSharedContext | restate.ObjectContext,
  withRoster = true,
): Promise<MatcherState> {
  const [drivers, pending, roster] = await Promise.all([
    ctx.get<string[]>("drivers"),
    ctx.get<string[]>("pending"),
    withRoster ? ctx.get<string[]>("roster") : undefined,
  ]);
  return { drivers: drivers ?? [], pending: pending ?? [], roster: roster ?? [] };
}

function save(ctx: restate.ObjectContext, before: MatcherState, { state, match }: Step) {
  if (state.drivers !== before.drivers) ctx.set("drivers", state.drivers);
  if (state.pending !== before.pending) ctx.set("pending", state.pending);
  if (state.roster !== before.roster) ctx.set("roster", state.roster);
  if (match) ctx.sendClient(deliveryManager, match.deliveryId).driverMatched({ driverId: match.driverId });
  metrics.availableDrivers.set({ region: ctx.key }, state.drivers.length);
  metrics.waitingDeliveries.set({ region: ctx.key }, state.pending.length);
}

export const matcherObject = restate.implement(driverDeliveryMatcher, {
  handlers: {
    setDriverAvailable: async (ctx, { driverId }) => {
      const s = await load(ctx);
      save(ctx, s, driverAvailable(s, driverId));
    },

    removeDriver: async (ctx, { driverId }) => {
      const s = await load(ctx, false);
      save(ctx, s, { state: driverGone(s, driverId) });
    },

    requestDriverForDelivery: async (ctx, { deliveryId }) => {
      const s = await load(ctx, false);
      save(ctx, s, deliveryRequested(s, deliveryId));
    },

    get: async (ctx) => {
      const s = await load(ctx);
      return { region: ctx.key, availableDrivers: s.drivers, pendingDeliveries: s.pending, roster: s.roster };
    },
  },
  options: { handlers: internalHandlers(driverDeliveryMatcher) },
});
