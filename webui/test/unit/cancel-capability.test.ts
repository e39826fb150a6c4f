import { describe, expect, it } from "vitest";
import { cancelCapabilityOf, keepCancelCapability } from "../../src/lib/cancel-capability.ts";

/** A Storage stand-in: a map, or one that refuses every access (storage disabled, quota exceeded). */
const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
};
const refusing = {
  getItem: (): string | null => {
    throw new Error("SecurityError");
  },
  setItem: () => {
    throw new Error("QuotaExceededError");
  },
};

describe("the browser's cancel capabilities", () => {
  it("keeps each order's capability under its id", () => {
    const store = memory();
    keepCancelCapability("web-1", "cap-1", store);
    keepCancelCapability("web-2", "cap-2", store);
    expect(cancelCapabilityOf("web-1", store)).toBe("cap-1");
    expect(cancelCapabilityOf("web-2", store)).toBe("cap-2");
    expect(cancelCapabilityOf("web-3", store)).toBeNull();
  });

  it("places and shows the order all the same where storage refuses", () => {
    expect(() => keepCancelCapability("web-1", "cap-1", refusing)).not.toThrow();
    expect(cancelCapabilityOf("web-1", refusing)).toBeNull();
    expect(cancelCapabilityOf("web-1", null)).toBeNull();
  });
});
