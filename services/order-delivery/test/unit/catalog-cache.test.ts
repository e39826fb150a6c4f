import { describe, expect, it } from "vitest";
import { findRegion, type CatalogEntry } from "@food-ordering/contracts";
import { IntakeCatalogCache } from "../../src/catalog/catalog-cache.ts";

const TTL = 5000;
const T0 = 1_000_000;
const paris = (version: number): CatalogEntry => ({ region: findRegion("paris")!, version });

describe("order intake's copy of the live catalog", () => {
  it("serves a region read less than its time to live ago, then asks again", () => {
    const c = new IntakeCatalogCache(TTL);
    expect(c.get("paris", T0)).toBeUndefined();
    c.put("paris", paris(3), T0);
    expect(c.get("paris", T0 + TTL - 1)).toEqual(paris(3));
    expect(c.get("paris", T0 + TTL)).toBeUndefined();
  });

  it("keeps no region that is unknown or retired, and nothing with a time to live of 0", () => {
    const c = new IntakeCatalogCache(TTL);
    c.put("atlantis", null, T0);
    expect(c.get("atlantis", T0)).toBeUndefined();
    const off = new IntakeCatalogCache(0);
    off.put("paris", paris(1), T0);
    expect(off.get("paris", T0)).toBeUndefined();
  });

  it("drops a region this process edited and refuses copies read before the edit was stored", () => {
    const c = new IntakeCatalogCache(TTL);
    c.put("paris", paris(3), T0);
    c.edited("paris", 4);
    expect(c.get("paris", T0 + 1)).toBeUndefined();
    c.put("paris", paris(3), T0 + 2); // a read that raced the edit
    expect(c.get("paris", T0 + 3)).toBeUndefined();
    c.put("paris", paris(4), T0 + 4);
    expect(c.get("paris", T0 + 5)).toEqual(paris(4));
  });

  it("never replaces a copy with an older read (a replayed intake step)", () => {
    const c = new IntakeCatalogCache(TTL);
    c.put("paris", paris(5), T0 + 1000);
    c.put("paris", paris(5), T0); // read earlier, stamped with its journaled time
    expect(c.get("paris", T0 + TTL + 500)).toEqual(paris(5));
    c.put("paris", paris(4), T0 + 2000); // a later stamp on an older version
    expect(c.get("paris", T0 + 2001)).toEqual(paris(5));
  });
});
