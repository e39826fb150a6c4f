import type { Catalog, Region } from "./catalog-schema.ts";
import {
  catalog,
  catalogDirectory,
  CATALOG_DIRECTORY_KEY,
  type CatalogEntry,
  type CatalogWriteResult,
} from "./services.ts";

/**
 * The live catalog over Restate's HTTP ingress, for the processes outside the endpoint (the web
 * UI, the simulators, the catalog command). Plain fetch: a reader needs no SDK client.
 */

const TIMEOUT_MS = 5000;

/** A call of a catalog handler; a refusal becomes an Error carrying Restate's message and status. */
async function call<T>(
  ingressUrl: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${ingressUrl.replace(/\/$/, "")}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: keep the raw text
    }
    throw Object.assign(new Error(`${path}: ${res.status} ${message}`), { status: res.status });
  }
  return (text ? JSON.parse(text) : null) as T;
}

export const readCatalogRegion = (ingressUrl: string, regionId: string): Promise<CatalogEntry | null> =>
  call<CatalogEntry | null>(ingressUrl, `${catalog.name}/${encodeURIComponent(regionId)}/get`);

/** The whole live catalog: the directory's regions, each at its current version. */
export async function readCatalog(ingressUrl: string): Promise<Catalog & { versions: Record<string, number> }> {
  const ids = await call<string[]>(ingressUrl, `${catalogDirectory.name}/${CATALOG_DIRECTORY_KEY}/list`);
  const entries = await Promise.all(ids.map((id) => readCatalogRegion(ingressUrl, id)));
  const present = entries.filter((e): e is CatalogEntry => e !== null);
  return {
    regions: present.map((e) => e.region),
    versions: Object.fromEntries(present.map((e) => [e.region.id, e.version])),
  };
}

export type CatalogWrite =
  | { op: "put"; region: Region }
  | { op: "upsertRestaurant"; region: string; restaurant: Region["restaurants"][number] }
  | { op: "setPrice"; region: string; restaurantId: string; productId: string; price: number }
  | { op: "retire"; region: string };

/** One write of the catalog, with the operator token; refusals (401/403/400) throw with Restate's message. */
export function writeCatalog(ingressUrl: string, operatorToken: string, w: CatalogWrite): Promise<CatalogWriteResult> {
  const auth = { authorization: `Bearer ${operatorToken}` };
  const at = (region: string, handler: string) => `${catalog.name}/${encodeURIComponent(region)}/${handler}`;
  switch (w.op) {
    case "put":
      return call(ingressUrl, at(w.region.id, "put"), w.region, auth);
    case "upsertRestaurant":
      return call(ingressUrl, at(w.region, "upsertRestaurant"), w.restaurant, auth);
    case "setPrice":
      return call(
        ingressUrl,
        at(w.region, "setPrice"),
        { restaurantId: w.restaurantId, productId: w.productId, price: w.price },
        auth,
      );
    case "retire":
      return call(ingressUrl, at(w.region, "retire"), undefined, auth);
  }
}

/**
 * The live catalog as a long-running reader keeps it: re-read at most every `maxAgeMs`, and the
 * last good copy kept when Restate does not answer (a reader degrades to slightly stale data,
 * never to none once it had some). `fallback` serves before the first successful read.
 */
export class CatalogCache {
  private value: Catalog | undefined;
  private readAt = 0;
  private pending: Promise<Catalog> | undefined;
  private readonly ingressUrl: string;
  private readonly maxAgeMs: number;
  private readonly fallback: Catalog | undefined;
  private readonly onError: (e: Error) => void;
  constructor(ingressUrl: string, maxAgeMs: number, fallback?: Catalog, onError: (e: Error) => void = () => {}) {
    this.ingressUrl = ingressUrl;
    this.maxAgeMs = maxAgeMs;
    this.fallback = fallback;
    this.onError = onError;
  }

  async get(): Promise<Catalog> {
    if (this.value && Date.now() - this.readAt < this.maxAgeMs) return this.value;
    this.pending ??= readCatalog(this.ingressUrl)
      .then(({ regions }) => {
        this.value = { regions };
        this.readAt = Date.now();
        return this.value;
      })
      .catch((e: unknown) => {
        this.onError(e as Error);
        const stale = this.value ?? this.fallback;
        if (!stale) throw e;
        return stale;
      })
      .finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The last catalog read, without waiting (the fallback before the first read). */
  peek(): Catalog | undefined {
    return this.value ?? this.fallback;
  }
}

/** Key order aside, the same data (JSON of plain data from one schema). */
const sameData = (a: unknown, b: unknown): boolean => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * Makes the live catalog hold each region of `desired` (checked already) as given: a region that
 * already equals it is left alone (its version, and so readers' caches, stay), others are put.
 * Regions not in `desired` are not touched. Answers what changed.
 */
export async function applyCatalog(
  ingressUrl: string,
  operatorToken: string,
  desired: Catalog,
): Promise<CatalogWriteResult[]> {
  const changed: CatalogWriteResult[] = [];
  for (const region of desired.regions) {
    const live = await readCatalogRegion(ingressUrl, region.id);
    if (live && sameData(live.region, region)) continue;
    changed.push(await writeCatalog(ingressUrl, operatorToken, { op: "put", region }));
  }
  return changed;
}
