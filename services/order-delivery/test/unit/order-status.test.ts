import { describe, expect, it } from "vitest";
import { ORDER_STATUSES, isTerminal, type OrderStatus } from "@food-ordering/contracts";
import { movesForward } from "../../src/order/order-status.ts";
import { DELIVERED_TIMELINE } from "@food-ordering/testkit";

describe("order-status: which status may follow which", () => {
  it("walks the flow forward, one step or several, never back", () => {
    const flow: OrderStatus[] = [...DELIVERED_TIMELINE];
    for (const [i, current] of flow.entries()) {
      for (const [j, next] of flow.entries()) {
        const reassignment =
          next === "WAITING_FOR_DRIVER" && (current === "WAITING_FOR_DRIVER" || current === "IN_DELIVERY");
        expect(movesForward(current, next), `${current} -> ${next}`).toBe(j > i || reassignment);
      }
    }
  });

  it("lets a delivery handed back by a lost driver wait for the next one, before or after pick-up", () => {
    expect(movesForward("IN_DELIVERY", "WAITING_FOR_DRIVER")).toBe(true);
    expect(movesForward("WAITING_FOR_DRIVER", "WAITING_FOR_DRIVER")).toBe(true);
    expect(movesForward("SCHEDULING_DELIVERY", "SCHEDULING_DELIVERY")).toBe(false);
  });

  it("moves no finished order anywhere", () => {
    for (const current of ORDER_STATUSES.filter(isTerminal)) {
      for (const next of ORDER_STATUSES) expect(movesForward(current, next), `${current} -> ${next}`).toBe(false);
    }
  });
});
