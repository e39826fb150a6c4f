import { describe, expect, it } from "vitest";
import { placeShopOrder } from "@food-ordering/testkit";
import { browserPerFile, openPage, screenshot } from "./browser.ts";

/**
 * The tracking page of a delivered order shows its trace as a waterfall, read by the shop's
 * backend from the shared stack's Jaeger: the order placed through the shop's API, followed to
 * DELIVERED in the browser, then the spans of the processes it went through, one table row each,
 * with a link to Jaeger. The trace starts at Restate's Kafka ingress: restate-server 1.7 does not
 * continue the traceparent the shop's backend puts on the record (docs/observability.md).
 */
const { webui, browser: current } = browserPerFile();

describe("the order's trace on the tracking page", () => {
  it("shows a delivered order's spans from several services as a waterfall", async () => {
    const { id } = await placeShopOrder(webui);

    const { page, errors } = await openPage(current());
    await page.goto(`${webui}/orders/${id}`);
    const section = page.getByTestId("trace");
    await expect
      .poll(() => page.getByTestId("order-status").getAttribute("data-status"), { timeout: 120_000 })
      .toBe("DELIVERED");

    // Delivered: the trace loads by itself (retrying while the last spans are still in flight).
    await expect.poll(() => section.getAttribute("data-state"), { timeout: 30_000 }).toBe("loaded");
    // restate-server exports its spans last: the page asks again until no span misses its parent.
    await expect.poll(() => section.getAttribute("data-complete"), { timeout: 30_000 }).toBe("true");
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, "order-trace");
    const table = page.getByRole("table", { name: /Spans of the order's trace/ });
    const rows = table.locator("tbody tr");
    expect(await rows.count()).toBeGreaterThanOrEqual(5);
    const services = new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-service"))));
    expect(services.size, [...services].join(", ")).toBeGreaterThanOrEqual(3);
    // The shop's publish to Kafka is the trace's first row, at depth 0.
    expect(await rows.first().locator("th").textContent()).toMatch(/send orders/);
    expect(await rows.first().getAttribute("data-service")).toBe("webui");
    expect(await rows.first().getAttribute("data-depth")).toBe("0");
    // The endpoint's handlers, Restate's work on the callbacks, the kitchen's callback and the
    // driver app's reports (drivers-<region>).
    for (const service of [/^endpoint$/, /^Restate$/, /^restaurant$/, /^drivers-/])
      expect(
        [...services].some((s) => s !== null && service.test(s)),
        `${service} among ${[...services]}`,
      ).toBe(true);
    const depths = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute("data-depth"))));
    expect(Math.max(...depths), "spans nest under the spans that caused them").toBeGreaterThanOrEqual(2);
    // Every row names its span in a row header and draws a bar.
    expect(await table.locator("tbody th[scope=row]").count()).toBe(await rows.count());
    expect(await table.locator("tbody svg rect").count()).toBe(await rows.count());
    expect(await page.getByTestId("trace-summary").textContent()).toMatch(/^\d+ spans from \d+ services over /);
    const link = page.getByTestId("trace-link");
    expect(await link.getAttribute("href")).toMatch(/\/trace\/[0-9a-f]{32}$/);
    // A 404 is the trace not in Jaeger yet, asked again (Chromium logs each): nothing else may fail.
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });

  it("loads nothing by itself while the order runs, and the spans so far on demand", async () => {
    // Wanted in an hour: the order waits SCHEDULED, its trace holds publish, receive and payment.
    const { id } = await placeShopOrder(webui, { deliveryDelayMs: 3_600_000 });
    const { page, errors } = await openPage(current());
    const traceRequests: string[] = [];
    page.on("request", (r) => {
      if (r.url().endsWith(`/api/orders/${id}/trace`)) traceRequests.push(r.url());
    });
    await page.goto(`${webui}/orders/${id}`);
    await expect
      .poll(() => page.getByTestId("order-status").getAttribute("data-status"), { timeout: 30_000 })
      .toBe("SCHEDULED");
    const section = page.getByTestId("trace");
    await page.waitForTimeout(1500);
    expect(await section.getAttribute("data-state")).toBe("idle");
    expect(traceRequests).toEqual([]);

    await page.getByRole("button", { name: "Load trace" }).click();
    await expect.poll(() => section.getAttribute("data-state"), { timeout: 30_000 }).toBe("loaded");
    expect(await section.locator("tbody tr").count()).toBeGreaterThanOrEqual(2);
    expect(traceRequests.length).toBeGreaterThanOrEqual(1);
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  });
});
