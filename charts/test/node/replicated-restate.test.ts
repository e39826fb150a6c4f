import { afterAll, beforeAll, expect, it } from "vitest";
import { berlinOrder, NodeRelease, nodeReady, say } from "./release.ts";

/**
 * `restate.replicas: 3` on the node: three Restate pods form one cluster (replicated metadata
 * and log, provisioned once by the pod with ordinal 0), and deleting one Restate pod while
 * orders flow loses nothing: every order published before, during and after is delivered.
 */
const release = new NodeRelease();
const { full } = release;

beforeAll(async () => {
  await nodeReady();
  await release.install("--set", "restate.replicas=3", "--set", "restate.defaultReplication=2");
}, 45 * 60_000);
afterAll(() => release.uninstall(), 10 * 60_000);

it(
  "forms a three-node Restate cluster and loses no order when a Restate pod is deleted under load",
  async () => {
    const pods = JSON.parse(
      await release.kubectl("get", "pods", "-l", "app.kubernetes.io/component=restate", "-o", "json"),
    ).items as Array<{ metadata: { name: string }; status: { conditions?: Array<{ type: string; status: string }> } }>;
    expect(pods.map((p) => p.metadata.name).sort()).toEqual([0, 1, 2].map((i) => `${full("restate")}-${i}`));
    expect(pods.every((p) => p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"))).toBe(true);

    // Orders before, during and after the loss of one node (not the one the port-forward uses: 0).
    const orders = [];
    for (let i = 0; i < 4; i++) {
      const o = berlinOrder(i % 2 ? 5000 : 0);
      await release.publish(o.id, JSON.stringify(o));
      orders.push(o);
    }
    const victim = `${full("restate")}-2`;
    say(`deleting ${victim} while ${orders.length} orders are in flight`);
    await release.kubectl("delete", "pod", victim, "--wait=false");
    for (let i = 0; i < 4; i++) {
      const o = berlinOrder(0);
      await release.publish(o.id, JSON.stringify(o));
      orders.push(o);
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const o of orders)
      expect((await release.waitForStatus(o.id, (v) => v.status === "DELIVERED", 600_000)).status, o.id).toBe(
        "DELIVERED",
      );
    // The deleted node came back and rejoined.
    await release.kubectl("wait", "pod", victim, "--for=condition=Ready", "--timeout=300s");
  },
  30 * 60_000,
);
