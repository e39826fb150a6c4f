import { describe, expect, inject, it } from "vitest";
import { writeCatalog } from "@food-ordering/contracts";
import { E2E_EXTRA_REGION, uniqueId, waitForOrder } from "@food-ordering/testkit";
import { browserPerFile, openPage, screenshot } from "./browser.ts";

/**
 * The shop shows catalog data that changed after its bundle was built: a region that is not
 * built in (added by the e2e stack's catalog file) and a restaurant added at run time through
 * the durable catalog, both orderable in Debian's Chromium without a rebuild or restart.
 */
const stack = inject("stack");
const { webui, browser: current } = browserPerFile();

describe("the shop and the live catalog", () => {
  it("shows a new region and a restaurant added at run time, and takes an order there", async () => {
    const id = uniqueId("hb-bakery");
    const name = `Harbour Bakery ${id.slice(-4)}`;
    await writeCatalog(stack.ingressUrl, stack.credentials.operatorToken, {
      op: "upsertRestaurant",
      region: E2E_EXTRA_REGION,
      restaurant: {
        id,
        name,
        cuisine: "Bakery",
        location: { x: 3, y: 2 },
        menu: [{ productId: `${id}-1`, name: "Cinnamon bun", price: 350 }],
      },
    });
    const { page, errors } = await openPage(current());
    // The shop re-reads the catalog within seconds: reload until the new restaurant is listed.
    const deadline = Date.now() + 20_000;
    for (;;) {
      await page.goto(webui);
      await page.getByLabel("Region").selectOption(E2E_EXTRA_REGION);
      await expect.poll(() => page.locator("#shop-title").textContent()).toBe("Order food in Harbour");
      if ((await page.getByRole("button", { name: new RegExp(name) }).count()) > 0) break;
      expect(Date.now(), `the shop never listed ${name}`).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 1000));
    }
    await page.getByRole("button", { name: new RegExp(name) }).click();
    await page.getByRole("button", { name: "Add Cinnamon bun to the cart" }).click();
    await page.getByRole("button", { name: "Add Cinnamon bun to the cart" }).click();
    await expect.poll(() => page.getByTestId("cart-total").textContent()).toBe("€7.00");
    await screenshot(page, "shop-new-region");
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\/web-[0-9a-f-]{36}$/, { timeout: 15_000 });
    const orderId = decodeURIComponent(page.url().split("/orders/")[1]!);
    const { final } = await waitForOrder(stack, orderId, undefined, 90_000);
    expect(final).toMatchObject({ status: "DELIVERED", region: E2E_EXTRA_REGION, restaurantId: id, totalCost: 700 });
    expect(errors).toEqual([]);
  });
});
