import { describe, expect, it } from "vitest";
import {
  bearerToken,
  driverCredential,
  matchesHash,
  newSecret,
  sameHash,
  Secret,
  secretHash,
  verifyDriverCredential,
} from "../../src/credentials.ts";
import { parseOrderEvent } from "../../src/order.ts";

describe("secrets and their hashes", () => {
  it("makes fresh 256-bit secrets in a form the request schemas accept", () => {
    const a = newSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Secret.safeParse(a).success).toBe(true);
    expect(new Set(Array.from({ length: 100 }, newSecret)).size).toBe(100);
  });

  it("matches a secret against its stored hash only", () => {
    const s = newSecret();
    expect(secretHash(s)).toMatch(/^[0-9a-f]{64}$/);
    expect(matchesHash(s, secretHash(s))).toBe(true);
    expect(matchesHash(newSecret(), secretHash(s))).toBe(false);
    expect(matchesHash(`${s}x`, secretHash(s))).toBe(false);
    // Nothing stored (an order placed without a capability, a driver never on shift): nothing matches.
    for (const stored of [undefined, null, ""]) expect(matchesHash(s, stored)).toBe(false);
  });

  it("compares hashes of the wrong length as unequal instead of throwing", () => {
    const h = secretHash("x");
    expect(sameHash(h, h)).toBe(true);
    expect(sameHash(h.slice(0, 62), h.slice(0, 62))).toBe(false);
    expect(sameHash(h, h.slice(0, 62))).toBe(false);
    expect(sameHash("zz", h)).toBe(false);
  });
});

describe("bearer tokens", () => {
  it.each([
    ["Bearer abc", "abc"],
    ["bearer abc", "abc"],
    ["Bearer   abc ", "abc"],
  ])("reads %j as %j", (header, token) => expect(bearerToken(header)).toBe(token));

  it.each([undefined, "", "Bearer", "Bearer ", "Basic abc", "abc", "Bearer a b", "Token abc"])(
    "reads no token from %j",
    (header) => expect(bearerToken(header)).toBeUndefined(),
  );
});

describe("driver enrollment credentials", () => {
  const key = "the-fleet-key";
  it("are the driver's own under the fleet's key", () => {
    const c = driverCredential(key, "amsterdam-1");
    expect(c).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyDriverCredential(key, "amsterdam-1", c)).toBe(true);
    expect(verifyDriverCredential(key, "amsterdam-2", c)).toBe(false);
    expect(verifyDriverCredential("another-key", "amsterdam-1", c)).toBe(false);
    expect(verifyDriverCredential(key, "amsterdam-1", c.slice(1))).toBe(false);
    expect(verifyDriverCredential(key, "amsterdam-1", `${c}0`)).toBe(false);
  });

  it("differ from the restaurants' keys derived from another key of the same value", () => {
    // Domain-separated ("driver:" prefix): a credential never equals a plain HMAC of the id.
    expect(driverCredential(key, "x")).not.toBe(driverCredential(key, "driver:x"));
  });
});

describe("the cancel capability's hash in the order event", () => {
  const event = (over: Record<string, unknown> = {}) => ({
    id: "o-1",
    restaurantId: "ams-pizzeria",
    region: "amsterdam",
    products: [{ productId: "ams-pz-1", quantity: 1 }],
    totalCost: 950,
    deliveryDelay: 0,
    ...over,
  });

  it("is optional, and must be a SHA-256 when present", () => {
    const hash = secretHash(newSecret());
    expect(parseOrderEvent(JSON.stringify(event()), "o-1")).toMatchObject({ ok: true });
    expect(parseOrderEvent(JSON.stringify(event({ cancelCapabilityHash: hash })), "o-1")).toMatchObject({
      ok: true,
      order: { cancelCapabilityHash: hash },
    });
    const bad = parseOrderEvent(JSON.stringify(event({ cancelCapabilityHash: "secret" })), "o-1");
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining("cancelCapabilityHash") });
    expect(bad).not.toHaveProperty("cancelCapabilityHash");
  });

  it("is kept with a rejection when readable, so its customer can still ask", () => {
    const hash = secretHash(newSecret());
    for (const over of [{ region: "atlantis" }, { totalCost: 1 }, { products: [] }])
      expect(parseOrderEvent(JSON.stringify(event({ ...over, cancelCapabilityHash: hash })), "o-1")).toMatchObject({
        ok: false,
        cancelCapabilityHash: hash,
      });
  });
});
