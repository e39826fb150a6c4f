import { describe, expect, inject, it } from "vitest";
import path from "node:path";
import * as clients from "@restatedev/restate-sdk-clients";
import { driverDeliveryMatcher } from "@food-ordering/contracts";
import { HAPPY_PATH } from "../../src/lib/timeline.ts";
import { REPO_ROOT, browserPerFile, driverMarkerPosition, openPage, screenshot } from "./browser.ts";

/**
 * The shop in Debian's Chromium against the shared stack: an order placed through the UI is
 * followed to DELIVERED, a bad checkout shows the server's error, and the fleet page lists the
 * region's drivers. Orders are the test's own (fresh ids); other tests may use the stack too.
 */
const stack = inject("stack");
const { webui, browser: current } = browserPerFile();

describe("the shop in a browser", () => {
  it("places an order through the UI and follows it to DELIVERED with the timeline filled", async () => {
    const { page, errors } = await openPage(current());
    await page.goto(webui);
    await page.getByLabel("Region").selectOption("amsterdam");
    await page.getByRole("button", { name: /Pizzeria Napoli/ }).click();
    await page.getByRole("button", { name: "Add Margherita to the cart" }).click();
    await page.getByRole("button", { name: "Add Margherita to the cart" }).click();
    await page.getByRole("button", { name: "Add Tiramisu to the cart" }).click();
    await expect.poll(() => page.getByTestId("cart-total").textContent()).toBe("€24.50");
    await screenshot(page, "shop-cart", path.join(REPO_ROOT, "docs/images/webui.png"));

    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\/web-[0-9a-f-]{36}$/, { timeout: 15_000 });
    const id = decodeURIComponent(page.url().split("/orders/")[1]!);

    // While a driver is on it, sample what the map shows: the driver's marker must appear and move.
    const driverPositions = new Set<string>();
    let sawEta = false;
    let shotInDelivery = false;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const status = await page.getByTestId("order-status").getAttribute("data-status", { timeout: 15_000 });
      if (status === "DELIVERED") break;
      expect([
        "CREATED",
        "SCHEDULED",
        "IN_PREPARATION",
        "SCHEDULING_DELIVERY",
        "WAITING_FOR_DRIVER",
        "IN_DELIVERY",
      ]).toContain(status);
      if (status === "WAITING_FOR_DRIVER" || status === "IN_DELIVERY") {
        sawEta ||= (await page.getByTestId("eta").count()) > 0;
        const at = await driverMarkerPosition(page);
        if (at) driverPositions.add(at);
        if (status === "IN_DELIVERY" && !shotInDelivery)
          shotInDelivery = !!(await screenshot(page, "order-in-delivery"));
      }
      expect(Date.now(), `order ${id} did not reach DELIVERED in time`).toBeLessThan(deadline);
      await page.waitForTimeout(100);
    }
    const timeline = page.getByTestId("timeline");
    for (const status of HAPPY_PATH) {
      const step = timeline.locator(`li[data-status="${status}"]`);
      await expect.poll(() => step.count(), { message: `timeline lists ${status}` }).toBe(1);
      expect(await step.locator("time").count(), `${status} has its time`).toBe(1);
    }
    expect(await timeline.locator("li.step-upcoming").count()).toBe(0);
    expect(await page.getByTestId("stream-state").textContent()).toBe("Final");
    expect(await page.getByRole("button", { name: "Cancel order" }).count()).toBe(0);
    expect(sawEta, "an ETA countdown was shown while the driver was on the way").toBe(true);
    // At the test time scale a whole drive can fit in one or two location ticks, so a second
    // sampled position is not guaranteed; the marker's placement is unit-tested (lib/map).
    expect(driverPositions.size, "the driver was shown on the map").toBeGreaterThanOrEqual(1);
    await screenshot(page, "order-delivered");
    expect(errors).toEqual([]);
  });

  it("shows the server's field error for a checkout in the past, and places nothing", async () => {
    const { page, errors } = await openPage(current(), 390, 844);
    await page.goto(webui);
    await page.getByLabel("Region").selectOption("berlin");
    await page.getByRole("button", { name: /Currywurst 36/ }).click();
    await page.getByRole("button", { name: "Add Currywurst to the cart" }).click();
    await page.getByLabel("Later").check();
    await page.getByLabel("Delivery time").fill("2020-01-01T10:00");
    const answer = page.waitForResponse((r) => r.url().endsWith("/api/orders") && r.request().method() === "POST");
    await page.getByRole("button", { name: "Place order" }).click();
    expect((await answer).status()).toBe(400);
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.textContent()).toContain("Delivery time: lies in the past");
    expect(await page.getByLabel("Delivery time").getAttribute("aria-invalid")).toBe("true");
    expect(new URL(page.url()).pathname).toBe("/");
    await screenshot(page, "checkout-invalid-mobile");
    // Chromium reports the 400 itself as a console error; anything else would be a real problem.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it("cancels an order for later from the browser it was placed in; another browser has no cancel", async () => {
    const { page, errors } = await openPage(current());
    await page.goto(webui);
    await page.getByLabel("Region").selectOption("berlin");
    await page.getByRole("button", { name: /Currywurst 36/ }).click();
    await page.getByRole("button", { name: "Add Currywurst to the cart" }).click();
    await page.getByLabel("Later").check();
    // Noon two days ahead: in the future in any zone, within the week an order may wait.
    const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel("Delivery time").fill(`${day}T12:00`);
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\/web-[0-9a-f-]{36}$/, { timeout: 15_000 });
    const status = page.getByTestId("order-status");
    await expect.poll(() => status.getAttribute("data-status"), { timeout: 20_000 }).toBe("SCHEDULED");

    // Someone with the link but not the capability (another browser) is offered no cancel.
    const other = await openPage(current());
    await other.page.goto(page.url());
    await expect
      .poll(() => other.page.getByTestId("order-status").getAttribute("data-status"), { timeout: 20_000 })
      .toBe("SCHEDULED");
    expect(await other.page.getByRole("button", { name: "Cancel order" }).count()).toBe(0);
    expect(await other.page.getByText("only from the browser it was placed in").count()).toBe(1);

    // The button goes with the status it offers to leave: check the shop's answer itself.
    const answered = page.waitForResponse((r) => r.url().endsWith("/cancel") && r.request().method() === "POST");
    await page.getByRole("button", { name: "Cancel order" }).click();
    const answer = await answered;
    expect([answer.status(), await answer.json()]).toEqual([200, { cancelled: true }]);
    await expect.poll(() => status.getAttribute("data-status"), { timeout: 20_000 }).toBe("CANCELLED");
    await screenshot(page, "order-cancelled");
    expect([...errors, ...other.errors]).toEqual([]);
  });

  it("lists the drivers of a region on the fleet page", async () => {
    const region = stack.regions[0]!;
    const matcher = await clients.connect({ url: stack.ingressUrl }).client(driverDeliveryMatcher, region).get();
    expect(matcher.roster.length, `drivers of ${region} are on shift`).toBeGreaterThan(0);
    const { page, errors } = await openPage(current());
    await page.goto(`${webui}/fleet/${region}`);
    const rows = page.getByTestId("drivers").locator("tbody tr");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(matcher.roster.length);
    const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-driver")));
    for (const driverId of matcher.roster) expect(shown).toContain(driverId);
    const counts = await page.getByTestId("driver-counts").locator("li strong").allTextContents();
    expect(counts.reduce((a, b) => a + Number(b), 0)).toBe(await rows.count());
    expect(await page.getByTestId("fleet-verdict").textContent()).toMatch(/free|waiting|Bottleneck|on shift/);
    expect(await page.getByRole("link", { name: "Berlin" }).getAttribute("href")).toBe("/fleet/berlin");
    await screenshot(page, `fleet-${region}`);
    expect(errors).toEqual([]);
  });
});
