import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openOrderEvent, orderEventSignature, signingOrderEvents, signOrderEvent } from "../../src/order-signature.ts";

const KEY = "the-platform-order-signing-key";
const event = JSON.stringify({ id: "o-1", restaurantId: "ams-pizzeria", region: "amsterdam", totalCost: 1900 });

describe("order event signatures", () => {
  it("signs as the event's JSON object with the signature as its last member", () => {
    const signed = signOrderEvent(KEY, "o-1", event);
    // Written out here, not taken from the code: the documented format operators sign by hand.
    const mac = createHmac("sha256", KEY).update(`order-event:3:o-1:${event}`).digest("hex");
    expect(signed).toBe(`${event.slice(0, -1)},"signature":"${mac}"}`);
    expect(JSON.parse(signed)).toEqual({ ...JSON.parse(event), signature: mac });
    expect(orderEventSignature(KEY, "o-1", event)).toBe(mac);
  });

  it("opens a signed event to the exact bytes that were signed, from a string or bytes", () => {
    const signed = signOrderEvent(KEY, "o-1", event);
    for (const raw of [signed, Buffer.from(signed), new Uint8Array(Buffer.from(signed))]) {
      const opened = openOrderEvent(KEY, "o-1", raw);
      expect(opened.ok && opened.event.toString()).toBe(event);
    }
    const bytes = signOrderEvent(KEY, "o-1", Buffer.from(event));
    expect(Buffer.isBuffer(bytes) && bytes.toString()).toBe(signed);
  });

  it("refuses a signature under another key, for another order id, or over changed bytes (403)", () => {
    const signed = signOrderEvent(KEY, "o-1", event);
    const tampered = signed.replace('"totalCost":1900', '"totalCost":1');
    const tries = [
      openOrderEvent("another-key", "o-1", signed),
      openOrderEvent(KEY, "o-2", signed),
      openOrderEvent(KEY, "o-1", tampered),
    ];
    for (const t of tries) expect(t).toMatchObject({ ok: false, reason: "bad_signature", errorCode: 403 });
  });

  it("refuses an event without a signature member (401), also a member in another place or form", () => {
    const mac = orderEventSignature(KEY, "o-1", event);
    const unsigned = [
      event,
      "",
      "{not json",
      `{"signature":"${mac}",${event.slice(1)}`,
      `${event.slice(0, -1)}, "signature": "${mac}"}`,
      `${event.slice(0, -1)},"signature":"${mac.toUpperCase()}"}`,
      `${event.slice(0, -1)},"signature":"${mac}"}\n`,
    ];
    for (const raw of unsigned)
      expect(openOrderEvent(KEY, "o-1", raw), raw).toMatchObject({
        ok: false,
        reason: "unsigned_event",
        errorCode: 401,
      });
  });

  it("with no key checks nothing, but still removes a signature so the event parses", () => {
    expect(openOrderEvent("", "o-1", event)).toEqual({ ok: true, event: Buffer.from(event) });
    expect(openOrderEvent("", "o-9", signOrderEvent(KEY, "o-1", event))).toEqual({
      ok: true,
      event: Buffer.from(event),
    });
    expect(signOrderEvent("", "o-1", event)).toBe(event);
  });

  it("signs only non-empty JSON objects", () => {
    for (const v of ["[1,2]", "{}", "{ }", "42", "", `${event} `])
      expect(() => signOrderEvent(KEY, "o", v), v).toThrow(/object/);
  });

  it("signs what a publisher sends to the orders topic, and nothing else", () => {
    const encode = signingOrderEvents(KEY);
    expect(encode("orders", "o-1", event)).toBe(signOrderEvent(KEY, "o-1", event));
    expect(encode("driver-updates", "d-1", event)).toBe(event);
  });
});
