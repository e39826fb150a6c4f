import { describe, expect, it } from "vitest";
import { kraftClusterId } from "../../src/kafka.ts";

describe("kraftClusterId", () => {
  it("is a KRaft cluster id: 16 bytes in URL-safe base64 without padding, never starting with '-'", () => {
    const ids = Array.from({ length: 2000 }, kraftClusterId);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, "base64url")).toHaveLength(16);
    }
    // Random, not a constant: 2000 draws of 128 bits never collide.
    expect(new Set(ids).size).toBe(ids.length);
  });
});
