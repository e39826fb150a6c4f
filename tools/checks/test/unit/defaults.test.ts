import { expect, it } from "vitest";
import { SIM } from "@food-ordering/bench/settings";
import { TOPOLOGY } from "@food-ordering/stack/topology";
import { ETA_CHANGE_THRESHOLD_S } from "@food-ordering/stack";
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
    // The stack scales the threshold to its clock; at 1x it is both processes' default.
    endpointEtaThresholdMs: String(ETA_CHANGE_THRESHOLD_S * 1000),
    driversEtaThresholdMs: String(ETA_CHANGE_THRESHOLD_S * 1000),
    driverLeaseMs: String(SIM.driverLeaseMs),
  }).toEqual({
    speedKmh: drivers.SPEED_KMH,
    prepTimeMin: restaurant.PREP_TIME_MIN,
    waitForWorkMs: drivers.WAIT_FOR_WORK_MS,
    endpointEtaThresholdMs: endpoint.ETA_CHANGE_THRESHOLD_MS,
    driversEtaThresholdMs: drivers.ETA_CHANGE_THRESHOLD_MS,
    driverLeaseMs: endpoint.DRIVER_LEASE_MS,
  });
});
