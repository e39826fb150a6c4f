import { describe, expect, inject, it } from "vitest";
import type { OrderStatusView } from "@food-ordering/contracts";
import { DELIVERED_TIMELINE, makeOrder, publishOrder, uniqueId } from "@food-ordering/testkit";
import { watchEveryOrder } from "../../src/watching.ts";

/**
 * The bench's tracking pages on the shared stack: each order published on `orders` while
 * watching gets its page (the web UI's live-update stream), followed to its end with every
 * status pushed to it.
 */
const stack = inject("stack");

describe("a tracking page per order (the bench's watcher)", () => {
  it("opens a page for each order published while watching and follows it to DELIVERED", async () => {
    const prefix = uniqueId("page");
    const lines: string[] = [];
    const ended = new Map<string, { ended: boolean; orderEvents: number; lastView?: string }>();
    const pages = await watchEveryOrder(stack.kafkaBrokers, stack.webuiUrl!, (l) => lines.push(l), {
      // Other tests publish on the shared stack too: pages for ours only.
      only: (id) => id.startsWith(prefix),
      onPage: (id, page) => ended.set(id, page),
    });
    const orders = [makeOrder({ id: `${prefix}-1` }), makeOrder({ id: `${prefix}-2` })];
    let counts;
    try {
      for (const order of orders) await publishOrder(stack, order);
      await expect.poll(() => ended.size, { timeout: 90_000, interval: 250 }).toBe(2);
    } finally {
      counts = await pages.stop();
    }
    expect(lines).toEqual([]);
    expect(counts).toMatchObject({ pages: 2, ended: 2, failed: 0 });
    expect(counts.openedAt).toHaveLength(2);
    for (const order of orders) {
      const page = ended.get(order.id)!;
      expect(page.ended).toBe(true);
      const last = JSON.parse(page.lastView!) as OrderStatusView;
      expect(last.timeline.map((e) => e.status)).toEqual(DELIVERED_TIMELINE);
      // Pushed as it changed: several views, not just the final one.
      expect(page.orderEvents).toBeGreaterThanOrEqual(4);
    }
    expect(counts.orderEvents).toBe([...ended.values()].reduce((n, p) => n + p.orderEvents, 0));
  });
});
