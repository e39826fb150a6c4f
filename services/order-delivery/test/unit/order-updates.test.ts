import { describe, expect, it } from "vitest";
import { TOPICS, type OrderUpdate } from "@food-ordering/contracts";
import { orderUpdates } from "../../src/order/order-updates.ts";

const update: OrderUpdate = { id: "o1", status: "CREATED", eta: null, timeline: [], version: 1 };

describe("order-updates publishing (never blocks an order on Kafka)", () => {
  it("publishes the view keyed by order id to order-updates", async () => {
    const sent: Array<[string, unknown]> = [];
    const updates = orderUpdates(
      { publish: async (topic, messages) => void sent.push([topic, messages]) },
      { timeoutMs: 1000, pauseMs: 1000 },
    );
    expect(await updates.publish(update)).toBe("published");
    expect(sent).toEqual([[TOPICS.orderUpdates, [{ key: "o1", value: update }]]]);
  });

  it("gives up after timeoutMs, then skips publishes for pauseMs, then tries again", async () => {
    let now = 0;
    let calls = 0;
    const failures: unknown[] = [];
    const updates = orderUpdates(
      {
        publish: () => {
          calls += 1;
          return new Promise<void>(() => undefined); // a broker that never answers
        },
      },
      { timeoutMs: 20, pauseMs: 5000, now: () => now, onFailure: (e) => failures.push(e) },
    );
    expect(await updates.publish(update)).toBe("failed");
    expect(String(failures[0])).toMatch(/no acknowledgement within 20 ms/);
    now = 4000;
    expect(await updates.publish(update)).toBe("paused");
    expect(calls).toBe(1);
    now = 5001;
    expect(await updates.publish(update)).toBe("failed");
    expect(calls).toBe(2);
  });

  it("reports a refused publish as failed instead of throwing", async () => {
    const updates = orderUpdates(
      { publish: async () => Promise.reject(new Error("KafkaJSConnectionError")) },
      { timeoutMs: 1000, pauseMs: 10 },
    );
    await expect(updates.publish(update)).resolves.toBe("failed");
  });
});
