import { expect, it } from "vitest";
import { SIM } from "@food-ordering/bench/settings";
import { TOPOLOGY } from "@food-ordering/stack/topology";
import { loadConfig } from "../../src/config-docs.ts";

/**
 * The benchmark computes drive and preparation times from the simulators' and the endpoint's
 * defaults; its copies must be those defaults, or its latency model measures another system.
 */
it("the benchmark's simulation settings are the processes' own defaults", async () => {
  const defaults = async (component: keyof typeof TOPOLOGY) => {
    const def = await loadConfig(TOPOLOGY[component].config);
    return Object.fromEntries(Object.entries(def.spec).map(([name, spec]) => [name, spec.default]));
  };
  const drivers = await defaults("drivers");
  const restaurant = await defaults("restaurant");
  const endpoint = await defaults("endpoint");
  expect({
    speedKmh: String(SIM.speedKmh),
    prepTimeMin: String(SIM.prepTimeMin),
    waitForWorkMs: String(SIM.waitForWorkMs),
    etaUpdateIntervalMs: String(SIM.etaUpdateIntervalMs),
    driverLeaseMs: String(SIM.driverLeaseMs),
  }).toEqual({
    speedKmh: drivers.SPEED_KMH,
    prepTimeMin: restaurant.PREP_TIME_MIN,
    waitForWorkMs: drivers.WAIT_FOR_WORK_MS,
    etaUpdateIntervalMs: endpoint.ETA_UPDATE_INTERVAL_MS,
    driverLeaseMs: endpoint.DRIVER_LEASE_MS,
  });
});
