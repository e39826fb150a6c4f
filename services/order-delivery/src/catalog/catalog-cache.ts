import type { CatalogEntry } from "@food-ordering/contracts";

/**
 * The live catalog as this endpoint process last read it, so order intake does not call the
 * catalog object once per order: that call was a second invocation and two more trips through
 * restate-server's partition processor on the path to CREATED, which tripled publish → CREATED
 * under load.
 *
 * Only a region that exists is kept, and for `ttlMs` at most: another replica's edit reaches this
 * one's intake within that time. An edit made through this process drops the region at once and
 * refuses any older version read before the edit was stored, so the next order here sees the edit.
 * Order intake only accepts from the cache; a refusal is confirmed against the live catalog
 * (order-status.ts), so a product added or a price changed elsewhere is never refused for a
 * stale copy. Readers must go through a journaled step: the cache differs between processes and
 * over time, which a replay must not see. (Not contracts' CatalogCache, which readers outside
 * Restate such as the web UI refresh through the ingress.)
 */
export class IntakeCatalogCache {
  private readonly entries = new Map<string, { entry: CatalogEntry; at: number }>();
  /** Region id -> the lowest version a read may put in (the last edit this process made). */
  private readonly floor = new Map<string, number>();
  private readonly ttlMs: number;

  constructor(ttlMs: number) {
    this.ttlMs = ttlMs;
  }

  /** The region as read less than `ttlMs` before `now`, if any. */
  get(region: string, now: number): CatalogEntry | undefined {
    const e = this.entries.get(region);
    if (!e) return undefined;
    if (now - e.at < this.ttlMs) return e.entry;
    this.entries.delete(region);
    return undefined;
  }

  /** A read of the live catalog at `at`; a retired or unknown region (null) is not kept, nor one older than what is. */
  put(region: string, entry: CatalogEntry | null, at: number): void {
    if (this.ttlMs <= 0 || !entry || entry.version < (this.floor.get(region) ?? 0)) return;
    const kept = this.entries.get(region);
    if (kept && (kept.at > at || kept.entry.version > entry.version)) return;
    this.entries.set(region, { entry, at });
  }

  /** This process stored `version` of the region: older copies are gone and stay out. */
  edited(region: string, version: number): void {
    this.entries.delete(region);
    this.floor.set(region, Math.max(version, this.floor.get(region) ?? 0));
  }
}
