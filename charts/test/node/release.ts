import { execFile, spawn, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { signOrderEvent, TOPICS, type OrderEvent, type OrderStatusView } from "@food-ordering/contracts";
import { clusterUp, CLUSTER_PATHS } from "@food-ordering/cluster";
import { ensureImages, loadImages } from "@food-ordering/images";
import { installKubeTools } from "@food-ordering/setup";
import { freePort, restatePublicKey, REPO_ROOT } from "@food-ordering/stack";
import { makeOrder, uniqueId } from "@food-ordering/testkit";

/**
 * One release of the chart on the local node (tools/cluster), in a namespace of its own, with
 * what a test needs around it: kubectl and helm bound to that namespace, port-forwards to
 * Restate, a Kafka producer to the bundled broker (its pod IP, which the node's host routes to).
 */
export const run = promisify(execFile);
export const env = { ...process.env, KUBECONFIG: CLUSTER_PATHS.kubeconfig };
export const CHART = path.join(REPO_ROOT, "charts/food-ordering");
export const KUBECTL_FOOD = path.join(REPO_ROOT, "tools/inspect/bin/kubectl-food");
const tools = installKubeTools();
export const say = (s: string) => console.log(`[node] ${s}`);

/** The node up and the images loaded: once per test file, cheap when already done. */
export async function nodeReady(): Promise<void> {
  await clusterUp({ say });
  await ensureImages([], { say });
  await loadImages(CLUSTER_PATHS.containerdSocket, [], say);
}

/** A values file (in `dir`) with a fresh request identity key pair (Restate signs, the endpoint checks). */
function identityValues(dir: string): string {
  const identity = generateKeyPairSync("ed25519");
  const file = path.join(dir, "identity.json");
  fs.writeFileSync(
    file,
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
  return file;
}

export class NodeRelease {
  readonly ns = `fo-${uniqueId("t").slice(2)}`;
  readonly name = "shop";
  ingress = "";
  admin = "";
  private kafkaBrokers: string[] = [];
  private readonly forwards: ChildProcess[] = [];

  full = (component: string) => `${this.name}-food-ordering-${component}`;

  kubectl = async (...args: string[]) =>
    (await run(tools.kubectl, ["-n", this.ns, ...args], { env, maxBuffer: 64 << 20 })).stdout;

  helm = async (...args: string[]) =>
    (await run(tools.helm, ["-n", this.ns, ...args], { env, maxBuffer: 64 << 20, timeout: 20 * 60_000 })).stdout;

  /** helm install with the local node's values (and `extra` ones), --wait; then the port-forwards. */
  async install(...extra: string[]): Promise<void> {
    const t = Date.now();
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "node-values-"));
    await this.helm(
      "install",
      this.name,
      CHART,
      "--create-namespace",
      "-f",
      path.join(REPO_ROOT, "k8s/values-local-node.yaml"),
      "-f",
      identityValues(scratch),
      // No NodePort: a node port is the node's, and a test release must not collide with
      // another release there (another test's, or the developer's own shop).
      "--set",
      "webui.service.type=ClusterIP",
      "--set",
      "webui.service.nodePort=null",
      ...extra,
      "--wait",
      "--timeout",
      "15m",
    ).finally(() => fs.rmSync(scratch, { recursive: true, force: true }));
    say(`${this.ns}: helm install --wait done in ${Math.round((Date.now() - t) / 1000)} s`);
    await this.connect();
  }

  /** Port-forwards to Restate's ingress and admin API, and the bundled broker's address. */
  async connect(): Promise<void> {
    for (const f of this.forwards.splice(0)) f.kill();
    this.ingress = await this.portForward(this.full("restate"), 8080);
    this.admin = await this.portForward(this.full("restate"), 9070);
    const pods = JSON.parse(await this.kubectl("get", "pods", "-l", "app.kubernetes.io/component=kafka", "-o", "json"));
    this.kafkaBrokers = [`${pods.items[0].status.podIP}:9092`];
  }

  /** `kubectl port-forward` to a Service (of the release's namespace, or `ns`), on a free local port; resolves once it listens. */
  async portForward(service: string, port: number, ns = this.ns): Promise<string> {
    const local = await freePort();
    const child = spawn(tools.kubectl, ["-n", ns, "port-forward", `svc/${service}`, `${local}:${port}`], { env });
    this.forwards.push(child);
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

  /** The release's pods that should be Ready (all but finished Job pods), and those of them that are not. */
  async readiness(): Promise<{ running: string[]; notReady: string[] }> {
    const pods = JSON.parse(await this.kubectl("get", "pods", "-o", "json")).items as Array<{
      metadata: { name: string };
      status: { phase: string; conditions?: Array<{ type: string; status: string }> };
    }>;
    const running = pods.filter((p) => p.status.phase !== "Succeeded");
    return {
      running: running.map((p) => p.metadata.name),
      notReady: running
        .filter((p) => !p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
        .map((p) => p.metadata.name),
    };
  }

  async uninstall(): Promise<void> {
    for (const f of this.forwards.splice(0)) f.kill();
    if (process.env.KEEP_NODE_RELEASE) return;
    await this.helm("uninstall", this.name, "--wait", "--timeout", "5m").catch((e) => say(`uninstall: ${e}`));
    await run(tools.kubectl, ["delete", "namespace", this.ns, "--wait=false"], { env }).catch(() => undefined);
  }

  private orderSigningKey?: string;

  /** Publishes an order event signed as the release's producers sign it (the key from its Secret). */
  async publish(key: string, value: string): Promise<void> {
    this.orderSigningKey ??= Buffer.from(
      await this.kubectl("get", "secret", this.full("order-signing-key"), "-o", "jsonpath={.data.key}"),
      "base64",
    ).toString();
    const signed = signOrderEvent(this.orderSigningKey, key, value);
    const producer = new Kafka({ brokers: this.kafkaBrokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({ topic: TOPICS.orders, messages: [{ key, value: signed }] });
    } finally {
      await producer.disconnect();
    }
  }

  async waitForStatus(id: string, done: (v: OrderStatusView) => boolean, ms: number): Promise<OrderStatusView> {
    const deadline = Date.now() + ms;
    let last: OrderStatusView | undefined;
    let failures = 0;
    while (Date.now() < deadline) {
      const res = await fetch(`${this.ingress}/order-status/${id}/get`, { method: "POST" }).catch(() => undefined);
      // A port-forward ends with the pod it picked (a Restate node deleted, say): forward again.
      if (!res && ++failures % 3 === 0) await this.connect().catch((e) => say(`reconnect: ${e}`));
      if (res?.ok) {
        last = (await res.json()) as OrderStatusView;
        if (done(last)) return last;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new Error(`order ${id} did not finish in ${ms} ms; last seen ${JSON.stringify(last)}`);
  }
}

/** An order in the local node's one region (berlin), at its catalog price. */
export const berlinOrder = (deliveryDelay = 0): OrderEvent =>
  makeOrder({
    region: "berlin",
    restaurantId: "ber-doner",
    products: [{ productId: "ber-dn-1", quantity: 1 }],
    totalCost: 700,
    deliveryDelay,
  });
