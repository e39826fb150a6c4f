import { describe, expect, it } from "vitest";
import type { OrderStatusView } from "@food-ordering/contracts";
import { timelineSteps } from "../../src/lib/timeline.ts";
import { segments, verdict } from "../../src/lib/fleet.ts";
import { gridLines, toSvg, viewBoxOf } from "../../src/lib/map.ts";
import { countByStatus } from "../../server/fleet.ts";
import type { DriverView } from "../../server/api-types.ts";

const view = (
  status: OrderStatusView["status"],
  timeline: OrderStatusView["timeline"],
): Pick<OrderStatusView, "status" | "timeline"> => ({ status, timeline });

describe("timeline", () => {
  it("lists what happened with times, then the steps to come", () => {
    const steps = timelineSteps(
      view("SCHEDULED", [
        { status: "SCHEDULED", at: 20 },
        { status: "CREATED", at: 10 },
      ]),
    );
    expect(steps.map((s) => [s.status, s.state, s.at])).toEqual([
      ["CREATED", "done", 10],
      ["SCHEDULED", "current", 20],
      ["IN_PREPARATION", "upcoming", undefined],
      ["SCHEDULING_DELIVERY", "upcoming", undefined],
      ["WAITING_FOR_DRIVER", "upcoming", undefined],
      ["IN_DELIVERY", "upcoming", undefined],
      ["DELIVERED", "upcoming", undefined],
    ]);
  });

  it("ends at a terminal status, keeping its detail", () => {
    const steps = timelineSteps(
      view("REJECTED", [
        { status: "CREATED", at: 1 },
        { status: "REJECTED", at: 2, detail: "payment declined" },
      ]),
    );
    expect(steps.map((s) => s.status)).toEqual(["CREATED", "REJECTED"]);
    expect(steps.every((s) => s.state === "done")).toBe(true);
    expect(steps[1]!.detail).toBe("payment declined");
  });
});

describe("fleet", () => {
  const driver = (driverId: string, status: DriverView["status"]): DriverView => ({
    driverId,
    status,
    deliveriesCompleted: 0,
  });
  const drivers = [
    driver("a", "DELIVERING"),
    driver("b", "DELIVERING"),
    driver("c", "OFFLINE"),
    driver("d", "WAITING_FOR_WORK"),
  ];

  it("counts drivers by state and sizes the bar's segments", () => {
    const counts = countByStatus(drivers);
    expect(counts).toEqual({ IDLE: 0, WAITING_FOR_WORK: 1, DELIVERING: 2, OFFLINE: 1 });
    expect(segments(counts).map((s) => [s.status, s.percent])).toEqual([
      ["WAITING_FOR_WORK", 25],
      ["DELIVERING", 50],
      ["OFFLINE", 25],
    ]);
  });

  it("calls a queue with no free driver the bottleneck", () => {
    const busy = drivers.slice(0, 3);
    const counts = countByStatus(busy);
    expect(
      verdict({ drivers: busy, counts, available: [], waiting: [{ deliveryId: "x" }, { deliveryId: "y" }] }),
    ).toEqual({
      level: "bottleneck",
      text: "Bottleneck: 2 deliveries wait and no driver is free (2 on shift).",
    });
    expect(verdict({ drivers, counts: countByStatus(drivers), available: ["d"], waiting: [] }).level).toBe("ok");
    expect(verdict({ drivers: [], counts: countByStatus([]), available: [], waiting: [] }).text).toBe(
      "No driver is on shift in this region.",
    );
  });
});

describe("map", () => {
  it("flips north up and clamps to the map", () => {
    expect(toSvg({ x: 2, y: 3 }, 10)).toEqual({ cx: 2, cy: 7 });
    expect(toSvg({ x: 12, y: 0 }, 10)).toEqual({ cx: 10, cy: 10 });
    expect(viewBoxOf(10)).toBe("-0.6 -0.6 11.2 11.2");
    expect(gridLines(3)).toEqual([0, 1, 2, 3]);
  });
});

describe("status flow", () => {
  it("follows the contract's order and its terminal statuses", async () => {
    const { ORDER_STATUSES, TERMINAL_STATUSES } = await import("@food-ordering/contracts");
    const { HAPPY_PATH } = await import("../../src/lib/timeline.ts");
    expect(HAPPY_PATH).toEqual(
      ORDER_STATUSES.filter((s) => s !== "NEW" && (s === "DELIVERED" || !TERMINAL_STATUSES.includes(s))),
    );
    for (const s of ORDER_STATUSES) {
      const steps = timelineSteps(view(s, [{ status: s, at: 1 }]));
      expect(
        steps.some((x) => x.state === "upcoming"),
        s,
      ).toBe(!TERMINAL_STATUSES.includes(s));
    }
  });
});
