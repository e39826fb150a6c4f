import { afterAll, describe, expect, inject, it } from "vitest";
import { TOPICS, signOrderEvent } from "@food-ordering/contracts";
import {
  closeProducer,
  endpointCounter,
  getStatus,
  ledger,
  makeOrder,
  publishRaw,
  uniqueId,
  waitForOrder,
} from "@food-ordering/testkit";

/**
 * Only the platform's producers can start an order: `order-status/receive` (public on Restate's
 * ingress, as the `orders` subscription's target) drops an order event that does not carry their
 * signature, whether it came over Kafka or over the ingress. A dropped event is counted and
 * changes nothing — the order stays NEW, so an attacker cannot claim (pre-reject) an order id —
 * and never holds up the events behind it.
 */
const stack = inject("stack");
afterAll(closeProducer);

const key = () => stack.credentials.orderSigningKey;
const dropped = async () => ({
  unsigned: await endpointCounter(stack, "food_ordering_order_rejections_total", { reason: "unsigned_event" }),
  forged: await endpointCounter(stack, "food_ordering_order_rejections_total", { reason: "bad_signature" }),
});

/** The ways to get an order event wrong without the key, for the order `id`. */
function forgeries(id: string) {
  const json = JSON.stringify(makeOrder({ id }));
  const signed = signOrderEvent(key(), id, json);
  return {
    unsigned: [json, "", "[1,2]", "null", "{not json", Buffer.from([0xff, 0xfe, 0x7b])],
    forged: [
      signOrderEvent("not-the-platform-key", id, json),
      signOrderEvent(key(), `${id}-other`, json),
      signed.replace(/"totalCost":\d+/, '"totalCost":1'),
    ],
  };
}

describe("order events without the platform's signature", () => {
  it("over Kafka: dropped and counted, the order stays NEW, and its signed event right behind is delivered", async () => {
    const before = await dropped();
    const id = uniqueId("order");
    const { unsigned, forged } = forgeries(id);
    const good = makeOrder({ id });
    // One key, so one partition, in this order: the forgeries first, then the producer's event.
    await publishRaw(
      stack,
      TOPICS.orders,
      [...unsigned, ...forged, signOrderEvent(key(), id, JSON.stringify(good))].map((value) => ({ key: id, value })),
      { unsigned: true },
    );
    // Had a forgery recorded anything (CREATED or REJECTED), the signed event would be a duplicate.
    const { final } = await waitForOrder(stack, id);
    expect(final.status).toBe("DELIVERED");
    expect(final.timeline[0]!.status).toBe("CREATED");
    expect(await dropped()).toEqual({
      unsigned: before.unsigned + unsigned.length,
      forged: before.forged + forged.length,
    });
    expect((await ledger(stack, id)).filter((e) => e.kind === "charge")).toHaveLength(1);
  });

  it("over Kafka: an order id that only forgeries named stays NEW, with nothing charged", async () => {
    const before = await dropped();
    const id = uniqueId("victim");
    const { unsigned, forged } = forgeries(id);
    await publishRaw(
      stack,
      TOPICS.orders,
      [...unsigned, ...forged].map((value) => ({ key: id, value })),
      { unsigned: true },
    );
    await expect
      .poll(dropped, { timeout: 30_000 })
      .toEqual({ unsigned: before.unsigned + unsigned.length, forged: before.forged + forged.length });
    expect(await getStatus(stack, id)).toEqual({ id, status: "NEW", eta: null, timeline: [] });
    expect(await ledger(stack, id)).toEqual([]);
  });

  it("over the ingress: 401 unsigned, 403 forged, counted, and the order stays NEW until its producer's event", async () => {
    const before = await dropped();
    const id = uniqueId("order");
    const { unsigned, forged } = forgeries(id);
    const receive = (body: string | Buffer) =>
      fetch(`${stack.ingressUrl}/order-status/${id}/receive`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: new Uint8Array(Buffer.from(body)),
      });
    for (const body of unsigned) {
      const res = await receive(body);
      expect([res.status, await res.text()]).toEqual([401, expect.stringMatching(/not signed/)]);
    }
    for (const body of forged) {
      const res = await receive(body);
      expect([res.status, await res.text()]).toEqual([403, expect.stringMatching(/does not verify/)]);
    }
    expect(await dropped()).toEqual({
      unsigned: before.unsigned + unsigned.length,
      forged: before.forged + forged.length,
    });
    expect((await getStatus(stack, id)).status).toBe("NEW");
    // The producer's event for the same id still starts the order.
    await publishRaw(stack, TOPICS.orders, [{ key: id, value: JSON.stringify(makeOrder({ id })) }]);
    expect((await waitForOrder(stack, id)).final.status).toBe("DELIVERED");
  });
});
