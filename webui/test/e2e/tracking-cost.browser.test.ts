import { describe, expect, inject, it } from "vitest";
import {
  farCustomerLocation,
  getStatus,
  invocationsByHandler,
  placeShopOrder,
  processMetric,
} from "@food-ordering/testkit";
import { browserPerFile, driverMarkerPosition, openPage } from "./browser.ts";

/**
 * What watching an order costs Restate: the tracking page open in Chromium from the moment the
 * order is placed until it is delivered, then Restate's own record of the invocations on the
 * order's key (sys_invocation). The page's stream reads `order-status/get` when it opens; every
 * change after that is pushed from the order-updates topic, so the reads stay at most one per
 * status change (polling every 500 ms, as before, cost several per change), while the driver's
 * marker moves with the fixes the web UI reads from driver-updates.
 */
const stack = inject("stack");
const { webui, browser: current } = browserPerFile();

describe("a watched order's cost in Restate invocations", () => {
  it("costs at most one invocation per status change, while the map shows the driver moving", async () => {
    // Pushed updates flow (a consumer still joining would have streams read Restate meanwhile).
    await expect
      .poll(() => processMetric(stack, "webui", "food_ordering_webui_live_updates_up"), { timeout: 60_000 })
      .toBe(1);
    // A customer across the map: a trip of several location ticks, so the marker is seen moving.
    const { id } = await placeShopOrder(webui, { customerLocation: farCustomerLocation("amsterdam", "ams-pizzeria") });

    const { page } = await openPage(current());
    await page.goto(`${webui}/orders/${encodeURIComponent(id)}`);
    const seen = new Set<string>();
    const driverPositions = new Set<string>();
    const deadline = Date.now() + 90_000;
    for (;;) {
      const status = await page
        .getByTestId("order-status")
        .getAttribute("data-status", { timeout: 15_000 })
        .catch(() => null);
      if (status) seen.add(status);
      if (status === "DELIVERED") break;
      if (status === "WAITING_FOR_DRIVER" || status === "IN_DELIVERY") {
        const at = await driverMarkerPosition(page);
        if (at) driverPositions.add(at);
      }
      expect(Date.now(), `order ${id} did not reach DELIVERED in time`).toBeLessThan(deadline);
      await page.waitForTimeout(100);
    }
    await expect.poll(() => page.getByTestId("stream-state").textContent()).toBe("Final");

    const invocations = await invocationsByHandler(stack, "order-status", id);
    const view = await getStatus(stack, id); // read after counting: it is an invocation too
    const statusChanges = view.timeline.length;
    const reads = invocations.get ?? 0;
    console.log(
      `[tracking cost] order ${id}: ${reads} order-status/get for ${statusChanges} status changes ` +
        `(${view.version} view changes incl. ETAs); the page showed ${[...seen].join(", ")} ` +
        `and the driver in ${driverPositions.size} places`,
    );
    expect(reads, "the page's stream read the order when it opened").toBeGreaterThanOrEqual(1);
    expect(reads, "at most one read per status change").toBeLessThanOrEqual(statusChanges);
    // The positions came from driver-updates, pushed: none of them cost an invocation.
    expect(driverPositions.size, "the driver's marker moved on the map").toBeGreaterThan(1);
    // One save per status message: SCHEDULED travels with IN_PREPARATION, at the same time.
    const statusMessages = new Set(view.timeline.map((t) => t.at)).size;
    expect(view.version, "every change of the view was counted").toBeGreaterThanOrEqual(statusMessages);
  });
});
