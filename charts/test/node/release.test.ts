import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueId } from "@food-ordering/testkit";
import { berlinOrder, CHART, env, KUBECTL_FOOD, NodeRelease, nodeReady, run } from "./release.ts";

/**
 * The chart on a real Kubernetes node (tools/cluster: etcd, kube-apiserver, controller-manager,
 * scheduler, kubelet, containerd, CNI, kube-proxy, CoreDNS as local processes), with the images
 * built here from the Dockerfile and stand-ins for those that cannot be pulled (tools/images).
 * `helm install` with k8s/values-local-node.yaml (bundled Kafka), then what a platform engineer
 * checks: pods Ready, the registrar's hook converged, `helm test`, an order published from
 * outside delivered and a malformed one rejected, logs by component, `kubectl food`.
 */
const release = new NodeRelease();
const { full } = release;

beforeAll(async () => {
  await nodeReady();
  await release.install();
}, 45 * 60_000);
afterAll(() => release.uninstall(), 10 * 60_000);

describe("the release on the node", () => {
  it("runs every pod Ready", async () => {
    const { running, notReady } = await release.readiness();
    expect(running.length).toBeGreaterThanOrEqual(8);
    expect(notReady).toEqual([]);
  });

  it("has the registrar's hook Job converge Restate (its status ConfigMap)", async () => {
    const cm = JSON.parse(await release.kubectl("get", "configmap", full("registrar-state"), "-o", "json"));
    expect(JSON.stringify(cm.data)).toMatch(/converged/);
  });

  it(
    "passes helm test",
    async () => {
      const out = await release.helm("test", release.name, "--timeout", "10m", "--logs");
      expect(out).toMatch(/Phase:\s+Succeeded/);
    },
    15 * 60_000,
  );

  it(
    "delivers an order published into the cluster's Kafka from outside, and rejects a malformed one",
    async () => {
      const order = berlinOrder();
      await release.publish(order.id, JSON.stringify(order));
      const bad = uniqueId("bad");
      await release.publish(bad, JSON.stringify({ ...order, id: bad, totalCost: 1 }));
      const rejected = await release.waitForStatus(bad, (v) => v.status === "REJECTED", 120_000);
      expect(rejected.rejectionReason).toMatch(/does not match the catalog price/);
      const delivered = await release.waitForStatus(order.id, (v) => v.status === "DELIVERED", 300_000);
      expect(delivered.timeline.map((e) => e.status)).toContain("IN_DELIVERY");
    },
    10 * 60_000,
  );

  it("shows each component's logs by its label", async () => {
    for (const component of ["restate", "kafka", "endpoint", "payment", "restaurant", "drivers", "provider", "webui"]) {
      const logs = await release.kubectl(
        "logs",
        "-l",
        `app.kubernetes.io/component=${component}`,
        "--tail",
        "20",
        "--prefix",
      );
      expect(logs.trim().length, component).toBeGreaterThan(0);
    }
  });

  it("answers kubectl food orders and order <id> against the cluster", async () => {
    const plugin = KUBECTL_FOOD;
    const orders = (await run(plugin, ["--admin-url", release.admin, "orders"], { env })).stdout;
    expect(orders).toMatch(/DELIVERED/);
    const id = orders.match(/^(\S+)\s+DELIVERED/m)?.[1];
    expect(id).toBeTruthy();
    const one = (await run(plugin, ["--admin-url", release.admin, "order", id!], { env })).stdout;
    expect(one).toContain(id!);
  });
});

describe("an endpoint revision upgrade with orders in flight, as docs/kubernetes.md gives it", () => {
  const plugin = KUBECTL_FOOD;
  const deployments = async () =>
    JSON.parse((await run(plugin, ["--admin-url", release.admin, "--json", "deployments"], { env })).stdout) as Array<{
      state: string;
      pinned: number;
      uri: string;
    }>;
  /** `helm upgrade` as docs/kubernetes.md gives it: the release's values kept, these changed. */
  const upgrade = (...changes: string[]) =>
    release.helm("upgrade", release.name, CHART, "--reuse-values", "--wait", "--timeout", "10m", ...changes);
  const revision = (rows: Awaited<ReturnType<typeof deployments>>, r: number) =>
    rows.filter((d) => d.uri.includes(`${full(`endpoint-${r}`)}`));

  it(
    "drains revision 1 while revision 2 takes new orders, then drops it; every order is delivered",
    async () => {
      // Orders waiting 40 s for their delivery time sit in a durable timer, pinned to revision 1.
      const inFlight = Array.from({ length: 3 }, () => berlinOrder(40_000));
      for (const o of inFlight) await release.publish(o.id, JSON.stringify(o));
      for (const o of inFlight) await release.waitForStatus(o.id, (v) => v.status === "SCHEDULED", 120_000);

      await upgrade(
        "--set",
        "endpoint.revision=2",
        "--set-json",
        'endpoint.drainingRevisions=[{"revision":1,"image":"food-ordering:dev"}]',
      );
      const during = await deployments();
      expect(revision(during, 2).map((d) => d.state)).toEqual(["current"]);
      expect(revision(during, 1).map((d) => d.state)).toEqual(["draining"]);
      expect(revision(during, 1)[0]!.pinned).toBeGreaterThanOrEqual(1);

      // A new order starts on revision 2; the pinned ones finish on revision 1.
      const fresh = berlinOrder(0);
      await release.publish(fresh.id, JSON.stringify(fresh));
      for (const o of [...inFlight, fresh])
        expect((await release.waitForStatus(o.id, (v) => v.status === "DELIVERED", 300_000)).status).toBe("DELIVERED");
      await expect.poll(async () => revision(await deployments(), 1)[0]?.state, { timeout: 60_000 }).toBe("drained");

      await upgrade("--set-json", "endpoint.drainingRevisions=[]");
      const after = await deployments();
      expect(revision(after, 1)).toEqual([]);
      expect(revision(after, 2).map((d) => d.state)).toEqual(["current"]);
      const endpointDeployments = JSON.parse(
        await release.kubectl("get", "deployments", "-l", "app.kubernetes.io/component=endpoint", "-o", "json"),
      ).items.map((d: { metadata: { name: string } }) => d.metadata.name);
      expect(endpointDeployments).toEqual([full("endpoint-2")]);
    },
    20 * 60_000,
  );
});
