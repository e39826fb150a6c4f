import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  CATALOG_DIRECTORY_KEY,
  readCatalogRegion,
  writeCatalog,
  type OrderStatusView,
  type Region,
  type Restaurant,
} from "@food-ordering/contracts";
import {
  E2E_EXTRA_REGION,
  closeProducer,
  endpointCounter,
  ingressPost,
  ledger,
  orderAt,
  publishOrder,
  REPO_ROOT,
  uniqueId,
  waitForOrder,
} from "@food-ordering/testkit";

const stack = inject("stack");
afterAll(closeProducer);

/**
 * The catalog is operational data: a region the code does not know, added by configuration only
 * (the e2e stack's catalog file), restaurants and prices changed at run time through the durable
 * `catalog` object, bad data refused. Real Restate, Kafka and simulators throughout.
 */
const token = stack.credentials.operatorToken;
const region = async (): Promise<Region> => (await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION))!.region;

/** Order-status views of one region whose id starts with `prefix` (Restate's SQL over state). */
async function ordersOf(prefix: string): Promise<OrderStatusView[]> {
  const res = await fetch(`${stack.adminUrl}/query`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      query: `SELECT value_utf8 FROM state WHERE service_name = 'order-status' AND key = 'order' AND service_key LIKE '${prefix}%'`,
    }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { rows: Array<{ value_utf8: string }> }).rows.map(
    (r) => JSON.parse(r.value_utf8) as OrderStatusView,
  );
}

const setRate = (rate: number) =>
  fetch(`${stack.providerUrl}/rate`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rate }),
  });

describe("a region that is not built in, added by configuration only", () => {
  it("is in the live catalog and the web UI's", async () => {
    expect((await region()).restaurants.map((r) => r.id)).toEqual(["hb-fish", "hb-noodle"]);
    const dir = await ingressPost(stack, `catalog-directory/${CATALOG_DIRECTORY_KEY}/list`, null);
    expect(await dir.json()).toContain(E2E_EXTRA_REGION);
    const shop = (await (await fetch(`${stack.webuiUrl}/api/catalog`)).json()) as { regions: Region[] };
    expect(shop.regions.map((r) => r.id)).toEqual(["amsterdam", "berlin", E2E_EXTRA_REGION]);
  });

  it("gets orders from the provider, DELIVERED by its own driver simulator", async () => {
    // The provider spreads orders over its regions; a few seconds at 6/s put several in harbour.
    expect((await setRate(6)).status).toBe(200);
    let harbour: OrderStatusView[] = [];
    try {
      const deadline = Date.now() + 30_000;
      while (harbour.length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        harbour = (await ordersOf("prov-")).filter((v) => v.region === E2E_EXTRA_REGION);
      }
    } finally {
      expect((await setRate(0)).status).toBe(200);
    }
    expect(harbour.length).toBeGreaterThanOrEqual(2);
    for (const v of harbour.slice(0, 2)) {
      const { final } = await waitForOrder(stack, v.id, undefined, 90_000);
      // A provider order may be paid with a declined card (DECLINED_FRACTION): that is a rejection, not a catalog problem.
      if (final.status === "REJECTED") expect(final.rejectionReason).toMatch(/^payment declined/);
      else expect(final).toMatchObject({ status: "DELIVERED", driverId: expect.stringMatching(/^harbour-/) });
    }
  });

  it("gets orders from the web UI's API, DELIVERED by its own driver simulator", async () => {
    const res = await fetch(`${stack.webuiUrl}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        region: E2E_EXTRA_REGION,
        restaurantId: "hb-fish",
        items: [{ productId: "hb-fish-1", quantity: 2 }],
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const { final } = await waitForOrder(stack, id, undefined, 90_000);
    expect(final).toMatchObject({ status: "DELIVERED", totalCost: 2400, driverId: expect.stringMatching(/^harbour-/) });
  });
});

describe("changes at run time", () => {
  const stall = (): Restaurant => ({
    id: uniqueId("hb-stall"),
    name: "Quay Stall",
    cuisine: "Snacks",
    location: { x: 5, y: 5 },
    menu: [{ productId: "hb-stall-1", name: "Crab roll", price: 900 }],
  });

  it("a restaurant added at run time takes an order, from the web UI as well", async () => {
    const r = stall();
    const before = (await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION))!.version;
    const written = await writeCatalog(stack.ingressUrl, token, {
      op: "upsertRestaurant",
      region: E2E_EXTRA_REGION,
      restaurant: r,
    });
    expect(written.version).toBe(before + 1);
    const order = orderAt(E2E_EXTRA_REGION, r, [{ productId: "hb-stall-1", quantity: 3 }]);
    await publishOrder(stack, order);
    const { final } = await waitForOrder(stack, order.id, undefined, 90_000);
    expect(final).toMatchObject({ status: "DELIVERED", totalCost: 2700, restaurantLocation: r.location });
    // The shop re-reads the catalog within seconds: no restart, no rebuild.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const shop = (await (await fetch(`${stack.webuiUrl}/api/catalog`)).json()) as { regions: Region[] };
      const restaurants = shop.regions.find((x) => x.id === E2E_EXTRA_REGION)?.restaurants ?? [];
      if (restaurants.some((x) => x.id === r.id)) break;
      expect(Date.now(), "the web UI never showed the new restaurant").toBeLessThan(deadline);
      await new Promise((res) => setTimeout(res, 500));
    }
  });

  it("checks orders against the endpoint's copy of the region, not a catalog call per order", async () => {
    const r = stall();
    await writeCatalog(stack.ingressUrl, token, { op: "upsertRestaurant", region: E2E_EXTRA_REGION, restaurant: r });
    const checks = async () => ({
      cache: await endpointCounter(stack, "food_ordering_catalog_checks_total", { source: "cache" }),
      catalog: await endpointCounter(stack, "food_ordering_catalog_checks_total", { source: "catalog" }),
    });
    const before = await checks();
    // The edit dropped this process's copy: the first order asks the catalog, the next ones do not.
    const first = orderAt(E2E_EXTRA_REGION, r);
    await publishOrder(stack, first);
    await waitForOrder(stack, first.id, (v) => v.status !== "NEW", 30_000);
    // One after another: the copy's 5 s would have to run out twice for a third ask.
    for (let i = 0; i < 7; i++) {
      const o = orderAt(E2E_EXTRA_REGION, r);
      await publishOrder(stack, o);
      const { final } = await waitForOrder(stack, o.id, (v) => v.status !== "NEW", 30_000);
      expect(final.rejectionReason).toBeUndefined();
    }
    const after = await checks();
    // The first order asks, and at most one more where the copy's 5 s ran out meanwhile.
    expect(after.catalog - before.catalog).toBeLessThanOrEqual(2);
    expect(after.cache - before.cache).toBeGreaterThanOrEqual(6);
  });

  it("a price changed at run time does not change an order in flight; the next order sees it", async () => {
    const r = stall();
    await writeCatalog(stack.ingressUrl, token, { op: "upsertRestaurant", region: E2E_EXTRA_REGION, restaurant: r });
    // Wanted in 4 s: accepted and charged at 900, then the price doubles while it waits.
    const inFlight = orderAt(E2E_EXTRA_REGION, r, undefined, { deliveryDelay: 4000 });
    await publishOrder(stack, inFlight);
    await waitForOrder(stack, inFlight.id, (v) => v.status === "SCHEDULED", 30_000);
    await writeCatalog(stack.ingressUrl, token, {
      op: "setPrice",
      region: E2E_EXTRA_REGION,
      restaurantId: r.id,
      productId: "hb-stall-1",
      price: 1800,
    });
    const { final } = await waitForOrder(stack, inFlight.id, undefined, 90_000);
    expect(final).toMatchObject({ status: "DELIVERED", totalCost: 900 });
    expect(await ledger(stack, inFlight.id)).toEqual([expect.objectContaining({ kind: "charge", amount: 900 })]);

    const stale = { ...orderAt(E2E_EXTRA_REGION, r), totalCost: 900 };
    await publishOrder(stack, stale);
    const { final: refused } = await waitForOrder(stack, stale.id, undefined, 30_000);
    expect(refused.rejectionReason).toBe("totalCost 900 does not match the catalog price 1800 (cents)");
    const current = { ...orderAt(E2E_EXTRA_REGION, r), totalCost: 1800 };
    await publishOrder(stack, current);
    expect((await waitForOrder(stack, current.id, undefined, 90_000)).final.status).toBe("DELIVERED");
  });

  it("refuses bad data and writes without the operator token, with a clear message, changing nothing", async () => {
    const before = await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION);
    const put = (body: unknown, bearer?: string) => ingressPost(stack, `catalog/${E2E_EXTRA_REGION}/put`, body, bearer);
    const good = before!.region;
    const answers = [
      [await put(good), 401, /operator token is required/],
      [await put(good, "not-the-operator-token"), 403, /not the operator token/],
      [
        await put({ ...good, restaurants: [good.restaurants[0], good.restaurants[0]] }, token),
        400,
        /catalog unchanged: region harbour: duplicate restaurant id "hb-fish"/,
      ],
      [
        await put({ ...good, restaurants: [{ ...good.restaurants[0]!, location: { x: 7, y: 1 } }] }, token),
        400,
        /restaurant hb-fish at \(7, 1\) lies outside the region's 6 km map/,
      ],
      [
        await ingressPost(
          stack,
          `catalog/${E2E_EXTRA_REGION}/setPrice`,
          { restaurantId: "hb-fish", productId: "hb-fish-1", price: -100 },
          token,
        ),
        400,
        /price: must be at least 1 cent/,
      ],
      [await put({ ...good, id: "Not A Label" }, token), 400, /must be a DNS-1123 label/],
    ] as const;
    for (const [res, status, message] of answers) {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect(await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION)).toEqual(before);
  });

  it("a region retired while an order is in flight lets the order finish, and refuses new ones", async () => {
    const r = (await region()).restaurants[0]!;
    const inFlight = orderAt(E2E_EXTRA_REGION, r, undefined, { deliveryDelay: 3000 });
    await publishOrder(stack, inFlight);
    await waitForOrder(stack, inFlight.id, (v) => v.status === "SCHEDULED", 30_000);
    const kept = await region();
    await writeCatalog(stack.ingressUrl, token, { op: "retire", region: E2E_EXTRA_REGION });
    try {
      expect(await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION)).toBeNull();
      const late = orderAt(E2E_EXTRA_REGION, r);
      await publishOrder(stack, late);
      expect((await waitForOrder(stack, late.id, undefined, 30_000)).final.rejectionReason).toBe(
        `unknown region "${E2E_EXTRA_REGION}"`,
      );
      expect((await waitForOrder(stack, inFlight.id, undefined, 90_000)).final.status).toBe("DELIVERED");
    } finally {
      // Back as it was, for whatever runs next on the shared stack.
      await writeCatalog(stack.ingressUrl, token, { op: "put", region: kept });
    }
  });
});

describe("npm run catalog / kubectl food catalog", () => {
  const cli = (...args: string[]) =>
    promisify(execFile)(
      process.execPath,
      [path.join(REPO_ROOT, "tools/stack/src/catalog-cli.ts"), "--ingress-url", stack.ingressUrl, ...args],
      { env: { ...process.env, OPERATOR_TOKEN: token } },
    );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-cli-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("shows the live catalog, sets a price and adds a restaurant from a file", async () => {
    const shown = JSON.parse((await cli("--json", "show")).stdout) as { regions: Region[] };
    expect(shown.regions.map((r) => r.id)).toEqual(expect.arrayContaining(["amsterdam", "berlin", E2E_EXTRA_REGION]));
    const before = (await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION))!;
    expect((await cli("set-price", E2E_EXTRA_REGION, "hb-noodle", "hb-noodle-1", "1150")).stdout).toBe(
      `${E2E_EXTRA_REGION}: now version ${before.version + 1}\n`,
    );
    const file = path.join(tmp, "kiosk.yaml");
    fs.writeFileSync(
      file,
      "id: hb-kiosk\nname: Kiosk\ncuisine: Coffee\nlocation: { x: 3, y: 3 " +
        "}\nmenu:\n  - { productId: hb-kiosk-1, name: Espresso, price: 250 }\n",
    );
    await cli("add-restaurant", E2E_EXTRA_REGION, file);
    const after = (await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION))!;
    expect(after.version).toBe(before.version + 2);
    expect(after.region.restaurants.find((r) => r.id === "hb-noodle")!.menu[0]!.price).toBe(1150);
    expect(after.region.restaurants.map((r) => r.id)).toContain("hb-kiosk");
  });

  it("refuses a bad catalog file before sending anything, naming each problem", async () => {
    const before = await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION);
    const file = path.join(tmp, "bad.yaml");
    fs.writeFileSync(
      file,
      `regions:\n  - id: ${E2E_EXTRA_REGION}\n    name: Harbour\n    sizeKm: 6\n    restaurants:\n` +
        "      - { id: a, name: A, cuisine: X, location: { x: 1, y: 1 }, menu: [{ productId: p, name: P, price: -3 }] }\n" +
        "      - { id: a, name: B, cuisine: X, location: { x: 1, y: 1 }, menu: [{ productId: q, name: Q, price: 3 }] }\n",
    );
    const failed = await cli("apply", file).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain("regions.0.restaurants.0.menu.0.price: must be at least 1 cent");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("price: -3", "price: 3"));
    const dup = await cli("apply", file).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(dup).toContain('region harbour: duplicate restaurant id "a"');
    expect(await readCatalogRegion(stack.ingressUrl, E2E_EXTRA_REGION)).toEqual(before);
  });
});
