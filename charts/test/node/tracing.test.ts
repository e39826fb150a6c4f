import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WaterfallRow } from "@food-ordering/contracts";
import { CLUSTER_PATHS } from "@food-ordering/cluster";
import { ensureImages, loadImages, TRACING } from "@food-ordering/images";
import { placeShopOrder } from "@food-ordering/testkit";
import { NodeRelease, nodeReady, say } from "./release.ts";

/**
 * Tracing on the node: `tracing.enabled` deploys the chart's bundled Jaeger (here a stand-in
 * image of the Jaeger binary built from its Go module, which has no UI assets: its API only),
 * restate-server and every Node process send it spans, and the shop draws an order's trace from
 * it. An order placed in the shop is one trace from the shop's publish to DELIVERED, and so is
 * `helm test`'s from the smoke test's.
 */
const release = new NodeRelease();
let shop = "";

beforeAll(async () => {
  await nodeReady();
  await ensureImages([TRACING], { say });
  await loadImages(CLUSTER_PATHS.containerdSocket, [TRACING], say);
  await release.install("--set", "tracing.enabled=true");
  shop = await release.portForward(release.full("webui"), 3000);
}, 45 * 60_000);
afterAll(() => release.uninstall(), 10 * 60_000);

interface TraceAnswer {
  traceId: string;
  services: string[];
  rows: WaterfallRow[];
  link?: string;
}

describe("tracing on the node (values tracing.enabled, the bundled Jaeger)", () => {
  let traceId = "";

  it(
    "shows the trace of an order placed in the shop: its publish first, then every component's spans",
    async () => {
      const { id } = await placeShopOrder(shop, {
        region: "berlin",
        restaurantId: "ber-doner",
        items: [{ productId: "ber-dn-1", quantity: 1 }],
      });
      const delivered = await release.waitForStatus(id, (v) => v.status === "DELIVERED", 300_000);
      expect(delivered.traceId).toMatch(/^[0-9a-f]{32}$/);
      traceId = delivered.traceId!;

      // Every span in, restate-server's (exported last) and the payment provider's included.
      let trace: TraceAnswer | undefined;
      const wanted = ["webui", "Restate", "endpoint", "payment", "restaurant", "drivers"];
      const deadline = Date.now() + 60_000;
      for (;;) {
        const res = await fetch(`${shop}/api/orders/${id}/trace`);
        if (res.ok) trace = (await res.json()) as TraceAnswer;
        const complete = trace && !trace.rows.some((r) => r.missingParent);
        if (complete && wanted.every((s) => trace!.services.includes(s))) break;
        if (Date.now() > deadline)
          throw new Error(`trace of ${id} incomplete after 60 s: ${res.status} ${JSON.stringify(trace?.services)}`);
        await new Promise((r) => setTimeout(r, 2000));
      }
      expect(trace!.traceId).toBe(traceId);
      const [first] = trace!.rows;
      expect(first).toMatchObject({ name: "send orders", service: "webui", depth: 0 });
      expect(trace!.rows.filter((r) => r.depth === 0)).toHaveLength(1);
      const names = trace!.rows.map((r) => r.name);
      for (const name of ["run (charge payment)", "payment charge", "prepare order", "report delivery"])
        expect(names, name).toContain(name);
    },
    10 * 60_000,
  );

  it("answers on Jaeger's query port through kubectl port-forward, as the docs tell users", async () => {
    expect(traceId, "the test before placed an order").not.toBe("");
    const jaeger = await release.portForward(release.full("jaeger"), 16686);
    const services = (await (await fetch(`${jaeger}/api/services`)).json()) as { data: string[] };
    expect(services.data).toEqual(expect.arrayContaining(["Restate", "endpoint", "webui"]));
    const res = await fetch(`${jaeger}/api/traces/${traceId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ traceID: string; spans: unknown[] }> };
    expect(body.data[0]!.traceID).toBe(traceId);
    expect(body.data[0]!.spans.length).toBeGreaterThanOrEqual(10);
  });

  it(
    "traces `helm test`'s order from its publish, and the test's log names the trace",
    async () => {
      const out = await release.helm("test", release.name, "--timeout", "10m", "--logs");
      expect(out).toMatch(/Phase:\s+Succeeded/);
      const smokeTrace = /order smoke-\S+ DELIVERED \(trace ([0-9a-f]{32})\)/.exec(out)?.[1];
      expect(smokeTrace, out).toBeDefined();
      const jaeger = await release.portForward(release.full("jaeger"), 16686);
      const body = (await (await fetch(`${jaeger}/api/traces/${smokeTrace}`)).json()) as {
        data: Array<{
          spans: Array<{ operationName: string; processID: string }>;
          processes: Record<string, { serviceName: string }>;
        }>;
      };
      const [trace] = body.data;
      const services = new Set(trace!.spans.map((sp) => trace!.processes[sp.processID]!.serviceName));
      expect([...services]).toEqual(expect.arrayContaining(["smoke-test", "endpoint"]));
      expect(trace!.spans.map((sp) => sp.operationName)).toContain("send orders");
    },
    15 * 60_000,
  );
});
