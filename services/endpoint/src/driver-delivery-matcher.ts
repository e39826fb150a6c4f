import * as restate from "@restatedev/restate-sdk";
import { driverDeliveryMatcher, deliveryManager } from "@food-ordering/contracts";
import { metrics } from "./metrics.ts";

/**
 * driver-delivery-matcher (virtual object, key = region): the region's free drivers and the
 * deliveries waiting for one, both FIFO. Whenever both are non-empty it pairs the heads and tells
 * the delivery manager, which asks the driver's twin to accept.
 */

export const matcherObject = restate.implement(driverDeliveryMatcher, {
  handlers: {
    setDriverAvailable: async (ctx, { driverId }) => {
      const roster = (await ctx.get<string[]>("roster")) ?? [];
      if (!roster.includes(driverId)) ctx.set("roster", [...roster, driverId]);
      const pending = (await ctx.get<string[]>("pending")) ?? [];
      const drivers = (await ctx.get<string[]>("drivers")) ?? [];
      const deliveryId = pending.shift();
      if (deliveryId) {
        ctx.set("pending", pending);
        ctx.sendClient(deliveryManager, deliveryId).driverMatched({ driverId });
      } else if (!drivers.includes(driverId)) {
        drivers.push(driverId);
        ctx.set("drivers", drivers);
      }
      report(ctx.key, drivers, pending);
    },

    removeDriver: async (ctx, { driverId }) => {
      const drivers = (await ctx.get<string[]>("drivers")) ?? [];
      const remaining = drivers.filter((d) => d !== driverId);
      if (remaining.length !== drivers.length) ctx.set("drivers", remaining);
      report(ctx.key, remaining, (await ctx.get<string[]>("pending")) ?? []);
    },

    requestDriverForDelivery: async (ctx, { deliveryId }) => {
      const drivers = (await ctx.get<string[]>("drivers")) ?? [];
      const pending = (await ctx.get<string[]>("pending")) ?? [];
      const driverId = drivers.shift();
      if (driverId) {
        ctx.set("drivers", drivers);
        ctx.sendClient(deliveryManager, deliveryId).driverMatched({ driverId });
      } else if (!pending.includes(deliveryId)) {
        pending.push(deliveryId);
        ctx.set("pending", pending);
      }
      report(ctx.key, drivers, pending);
    },

    get: async (ctx) => ({
      region: ctx.key,
      availableDrivers: (await ctx.get<string[]>("drivers")) ?? [],
      roster: (await ctx.get<string[]>("roster")) ?? [],
      pendingDeliveries: (await ctx.get<string[]>("pending")) ?? [],
    }),
  },
});

function report(region: string, drivers: string[], pending: string[]) {
  metrics.availableDrivers.set({ region }, drivers.length);
  metrics.waitingDeliveries.set({ region }, pending.length);
}
