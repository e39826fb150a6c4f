import { describe, expect, it } from "vitest";
import {
  checkReportPlace,
  fromTheFuture,
  MAX_CLOCK_SKEW_MS,
  newTwin,
} from "../../src/delivery/driver-digital-twin-rules.ts";

const onShift = { ...newTwin(), status: "WAITING_FOR_WORK" as const, region: "paris" };
const at = (x: number, y: number, region = "paris") => ({ region, location: { x, y } });

describe("location reports", () => {
  it("takes a report inside the shift region's map, edges included", () => {
    for (const [x, y] of [
      [0, 0],
      [4, 7.5],
      [8, 8],
    ] as const)
      expect(checkReportPlace(onShift, at(x, y), 8)).toBeUndefined();
  });

  it("refuses a report for another region, or when the shift region is not in the catalog", () => {
    expect(checkReportPlace(onShift, at(1, 1, "berlin"), 8)).toBe("wrong_region");
    expect(checkReportPlace(onShift, at(1, 1), undefined)).toBe("wrong_region");
  });

  it("refuses a report off the map on any side", () => {
    for (const [x, y] of [
      [-0.1, 1],
      [1, -0.1],
      [8.01, 1],
      [1, 999],
    ] as const)
      expect(checkReportPlace(onShift, at(x, y), 8)).toBe("outside_map");
  });

  it("allows a phone clock a minute ahead, not more", () => {
    const now = 1_800_000_000_000;
    expect(fromTheFuture(now + MAX_CLOCK_SKEW_MS, now)).toBe(false);
    expect(fromTheFuture(now + MAX_CLOCK_SKEW_MS + 1, now)).toBe(true);
    expect(fromTheFuture(now - 3_600_000, now)).toBe(false);
  });
});
