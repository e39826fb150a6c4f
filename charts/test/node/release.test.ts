import { execFile, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOPICS, type OrderStatusView } from "@food-ordering/contracts";
import { clusterUp, CLUSTER_PATHS } from "@food-ordering/cluster";
import { ensureImages, loadImages } from "@food-ordering/images";
import { installKubeTools } from "@food-ordering/setup";
import { freePort, restatePublicKey, REPO_ROOT } from "@food-ordering/stack";
import { makeOrder, uniqueId } from "@food-ordering/testkit";

/**
 * The chart on a real Kubernetes node (tools/cluster: etcd, kube-apiserver, controller-manager,
 * scheduler, kubelet, containerd, CNI, kube-proxy, CoreDNS as local processes), with the images
 * built here from the Dockerfile and stand-ins for those that cannot be pulled (tools/images).
 * `helm install` with k8s/values-local-node.yaml (bundled Kafka), then what a platform engineer
 * checks: pods Ready, the registrar's hook converged, `helm test`, an order published from
 * outside delivered and a malformed one rejected, logs by component, `kubectl food`.
 */
const run = promisify(execFile);
const NS = `fo-${uniqueId("t").slice(2)}`;
const RELEASE = "shop";
const full = (component: string) => `${RELEASE}-food-ordering-${component}`;
const env = { ...process.env, KUBECONFIG: CLUSTER_PATHS.kubeconfig };
const tools = installKubeTools();
const kubectl = async (...args: string[]) =>
  (await run(tools.kubectl, ["-n", NS, ...args], { env, maxBuffer: 64 << 20 })).stdout;
const helm = async (...args: string[]) =>
  (await run(tools.helm, ["-n", NS, ...args], { env, maxBuffer: 64 << 20, timeout: 20 * 60_000 })).stdout;
const say = (s: string) => console.log(`[node] ${s}`);
const forwards: ChildProcess[] = [];

/** `kubectl port-forward` to a Service, on a free local port; resolves once it listens. */
async function portForward(service: string, port: number): Promise<string> {
  const local = await freePort();
  const child = spawn(tools.kubectl, ["-n", NS, "port-forward", `svc/${service}`, `${local}:${port}`], { env });
  forwards.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`port-forward to ${service}:${port} did not start`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("Forwarding from")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`port-forward to ${service} exited with ${code}`)));
  });
  return `http://127.0.0.1:${local}`;
}

let ingress: string;
let admin: string;
let kafkaBrokers: string[];

beforeAll(async () => {
  await clusterUp({ say });
  await ensureImages([], { say });
  await loadImages(CLUSTER_PATHS.containerdSocket, [], say);
  const identity = generateKeyPairSync("ed25519");
  const values = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "node-values-")), "identity.yaml");
  fs.writeFileSync(
    values,
    JSON.stringify({
      restate: {
        requestIdentity: {
          existingSecret: "",
          privateKeyPem: identity.privateKey.export({ type: "pkcs8", format: "pem" }),
          publicKey: restatePublicKey(identity.publicKey),
        },
      },
    }),
  );
  const t = Date.now();
  await helm(
    "install",
    RELEASE,
    path.join(REPO_ROOT, "charts/food-ordering"),
    "--create-namespace",
    "-f",
    path.join(REPO_ROOT, "k8s/values-local-node.yaml"),
    "-f",
    values,
    "--wait",
    "--timeout",
    "15m",
  );
  say(`helm install --wait done in ${Math.round((Date.now() - t) / 1000)} s`);
  ingress = await portForward(full("restate"), 8080);
  admin = await portForward(full("restate"), 9070);
  // The bundled broker advertises its pod IP, which the node's host routes to.
  const pod = JSON.parse(await kubectl("get", "pods", "-l", "app.kubernetes.io/component=kafka", "-o", "json"));
  kafkaBrokers = [`${pod.items[0].status.podIP}:9092`];
}, 45 * 60_000);

afterAll(async () => {
  for (const f of forwards) f.kill();
  if (!process.env.KEEP_NODE_RELEASE) {
    await helm("uninstall", RELEASE, "--wait", "--timeout", "5m").catch((e) => say(`uninstall: ${e}`));
    await run(tools.kubectl, ["delete", "namespace", NS, "--wait=false"], { env }).catch(() => undefined);
  }
}, 10 * 60_000);

async function publish(key: string, value: string) {
  const producer = new Kafka({ brokers: kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic: TOPICS.orders, messages: [{ key, value }] });
  } finally {
    await producer.disconnect();
  }
}

async function waitForStatus(id: string, done: (v: OrderStatusView) => boolean, ms: number): Promise<OrderStatusView> {
  const deadline = Date.now() + ms;
  let last: OrderStatusView | undefined;
  while (Date.now() < deadline) {
    const res = await fetch(`${ingress}/order-status/${id}/get`, { method: "POST" }).catch(() => undefined);
    if (res?.ok) {
      last = (await res.json()) as OrderStatusView;
      if (done(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`order ${id} did not finish in ${ms} ms; last seen ${JSON.stringify(last)}`);
}

describe("the release on the node", () => {
  it("runs every pod Ready", async () => {
    const pods = JSON.parse(await kubectl("get", "pods", "-o", "json")).items as Array<{
      metadata: { name: string };
      status: { phase: string; conditions?: Array<{ type: string; status: string }> };
    }>;
    const running = pods.filter((p) => p.status.phase !== "Succeeded");
    expect(running.length).toBeGreaterThanOrEqual(8);
    const notReady = running
      .filter((p) => !p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
      .map((p) => p.metadata.name);
    expect(notReady).toEqual([]);
  });

  it("has the registrar's hook Job converge Restate (its status ConfigMap)", async () => {
    const cm = JSON.parse(await kubectl("get", "configmap", full("registrar-state"), "-o", "json"));
    expect(JSON.stringify(cm.data)).toMatch(/converged/);
  });

  it(
    "passes helm test",
    async () => {
      const out = await helm("test", RELEASE, "--timeout", "10m", "--logs");
      expect(out).toMatch(/Phase:\s+Succeeded/);
    },
    15 * 60_000,
  );

  it(
    "delivers an order published into the cluster's Kafka from outside, and rejects a malformed one",
    async () => {
      const order = makeOrder({
        region: "berlin",
        restaurantId: "ber-doner",
        products: [{ productId: "ber-dn-1", quantity: 1 }],
        totalCost: 700,
      });
      await publish(order.id, JSON.stringify(order));
      const bad = uniqueId("bad");
      await publish(bad, JSON.stringify({ ...order, id: bad, totalCost: 1 }));
      const rejected = await waitForStatus(bad, (v) => v.status === "REJECTED", 120_000);
      expect(rejected.rejectionReason).toMatch(/does not match the catalog price/);
      const delivered = await waitForStatus(order.id, (v) => v.status === "DELIVERED", 300_000);
      expect(delivered.timeline.map((e) => e.status)).toContain("IN_DELIVERY");
    },
    10 * 60_000,
  );

  it("shows each component's logs by its label", async () => {
    for (const component of ["restate", "kafka", "endpoint", "payment", "restaurant", "drivers", "provider", "webui"]) {
      const logs = await kubectl("logs", "-l", `app.kubernetes.io/component=${component}`, "--tail", "20", "--prefix");
      expect(logs.trim().length, component).toBeGreaterThan(0);
    }
  });

  it("answers kubectl food orders and order <id> against the cluster", async () => {
    const plugin = path.join(REPO_ROOT, "tools/inspect/bin/kubectl-food");
    const orders = (await run(plugin, ["--admin-url", admin, "orders"], { env })).stdout;
    expect(orders).toMatch(/DELIVERED/);
    const id = orders.match(/^(\S+)\s+DELIVERED/m)?.[1];
    expect(id).toBeTruthy();
    const one = (await run(plugin, ["--admin-url", admin, "order", id!], { env })).stdout;
    expect(one).toContain(id!);
  });
});

describe("an endpoint revision upgrade with orders in flight, as docs/kubernetes.md gives it", () => {
  const plugin = path.join(REPO_ROOT, "tools/inspect/bin/kubectl-food");
  const chart = path.join(REPO_ROOT, "charts/food-ordering");
  const deployments = async () =>
    JSON.parse((await run(plugin, ["--admin-url", admin, "--json", "deployments"], { env })).stdout) as Array<{
      state: string;
      pinned: number;
      uri: string;
    }>;
  const revision = (rows: Awaited<ReturnType<typeof deployments>>, r: number) =>
    rows.filter((d) => d.uri.includes(`${full(`endpoint-${r}`)}`));
  const berlinOrder = (deliveryDelay: number) =>
    makeOrder({
      region: "berlin",
      restaurantId: "ber-doner",
      products: [{ productId: "ber-dn-1", quantity: 1 }],
      totalCost: 700,
      deliveryDelay,
    });

  it(
    "drains revision 1 while revision 2 takes new orders, then drops it; every order is delivered",
    async () => {
      // Orders waiting 40 s for their delivery time sit in a durable timer, pinned to revision 1.
      const inFlight = Array.from({ length: 3 }, () => berlinOrder(40_000));
      for (const o of inFlight) await publish(o.id, JSON.stringify(o));
      for (const o of inFlight) await waitForStatus(o.id, (v) => v.status === "SCHEDULED", 120_000);

      await helm(
        "upgrade",
        RELEASE,
        chart,
        "--reuse-values",
        "--wait",
        "--timeout",
        "10m",
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
      await publish(fresh.id, JSON.stringify(fresh));
      for (const o of [...inFlight, fresh])
        expect((await waitForStatus(o.id, (v) => v.status === "DELIVERED", 300_000)).status).toBe("DELIVERED");
      await expect.poll(async () => revision(await deployments(), 1)[0]?.state, { timeout: 60_000 }).toBe("drained");

      await helm(
        "upgrade",
        RELEASE,
        chart,
        "--reuse-values",
        "--wait",
        "--timeout",
        "10m",
        "--set-json",
        "endpoint.drainingRevisions=[]",
      );
      const after = await deployments();
      expect(revision(after, 1)).toEqual([]);
      expect(revision(after, 2).map((d) => d.state)).toEqual(["current"]);
      const endpointDeployments = JSON.parse(
        await kubectl("get", "deployments", "-l", "app.kubernetes.io/component=endpoint", "-o", "json"),
      ).items.map((d: { metadata: { name: string } }) => d.metadata.name);
      expect(endpointDeployments).toEqual([full("endpoint-2")]);
    },
    20 * 60_000,
  );
});
