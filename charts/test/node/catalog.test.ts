import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCatalogRegion, type Region } from "@food-ordering/contracts";
import { orderAt } from "@food-ordering/testkit";
import { env, KUBECTL_FOOD, NodeRelease, nodeReady, run } from "./release.ts";

/**
 * A city the code does not know, added by values only, on the real node: the chart renders its
 * driver Deployment, the registrar hook puts its catalog entry into the live catalog, an order
 * there is delivered by its own drivers, and `kubectl food catalog` changes a price at run time.
 */
const release = new NodeRelease();
const EU_WEST: Region = {
  id: "eu-west",
  name: "EU West",
  sizeKm: 7,
  restaurants: [
    {
      id: "euw-deli",
      name: "Deli",
      cuisine: "Sandwiches",
      location: { x: 2, y: 3 },
      menu: [{ productId: "euw-deli-1", name: "Club sandwich", price: 750 }],
    },
  ],
};

beforeAll(async () => {
  await nodeReady();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-catalog-"));
  const values = path.join(dir, "catalog.json");
  fs.writeFileSync(
    values,
    JSON.stringify({
      regions: [{ name: EU_WEST.id, drivers: 3, replicas: 1 }],
      catalog: { regions: [EU_WEST] },
    }),
  );
  await release.install("-f", values).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}, 1_800_000);
afterAll(() => release.uninstall(), 600_000);

describe("a region added by values only", () => {
  it("has its driver Deployment and its catalog entry, put by the registrar hook", async () => {
    const deployments = JSON.parse(await release.kubectl("get", "deployments", "-o", "json")).items.map(
      (d: { metadata: { name: string } }) => d.metadata.name,
    );
    expect(deployments).toContain(release.full("drivers-eu-west"));
    expect(await readCatalogRegion(release.ingress, EU_WEST.id)).toEqual({ region: EU_WEST, version: 1 });
  });

  it("takes an order, DELIVERED by its own drivers", async () => {
    const order = orderAt(EU_WEST.id, EU_WEST.restaurants[0]!);
    await release.publish(order.id, JSON.stringify(order));
    const done = await release.waitForStatus(order.id, (v) => v.status === "DELIVERED", 240_000);
    expect(done.driverId).toMatch(/^eu-west-/);
  });

  it("changes a price at run time with kubectl food catalog, with the release's operator token", async () => {
    const token = Buffer.from(
      await release.kubectl("get", "secret", release.full("operator-token"), "-o", "jsonpath={.data.key}"),
      "base64",
    ).toString();
    const food = (...args: string[]) =>
      run(KUBECTL_FOOD, ["catalog", "--ingress-url", release.ingress, ...args], {
        env: { ...env, OPERATOR_TOKEN: token },
      });
    expect((await food("set-price", "eu-west", "euw-deli", "euw-deli-1", "800")).stdout).toBe(
      "eu-west: now version 2\n",
    );
    const refused = await run(
      KUBECTL_FOOD,
      ["catalog", "--ingress-url", release.ingress, "--token", "x".repeat(20), "retire", "eu-west"],
      {
        env,
      },
    ).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(refused).toMatch(/403 not the operator token/);
    expect((await readCatalogRegion(release.ingress, EU_WEST.id))?.region.restaurants[0]!.menu[0]!.price).toBe(800);
  });
});
