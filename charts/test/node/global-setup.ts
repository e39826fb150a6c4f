import { clusterDown, clusterStatus } from "@food-ordering/cluster";
import { nodeReady, say } from "./release.ts";

/**
 * The node project's global setup: the local node up and the images built and loaded, once per
 * run, before any node test file. A node this run started is taken down after it, and must
 * leave nothing behind (no component, bridge, chain, mount or cgroup); a node that was already
 * running (a developer's) is left running.
 */
let started = false;

export async function setup(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error(
      "the node tests need root: they run a real kubelet, containerd, bridges and iptables (run npm test as root)",
    );
  // Only a node with no component running is this run's to take down: a half-up one (a
  // component that exited) is someone's node being repaired by the clusterUp below.
  started = clusterStatus().components.every((c) => c.pid === undefined);
  const t0 = Date.now();
  await nodeReady();
  say(`node ready with the images loaded in ${Math.round((Date.now() - t0) / 1000)} s`);
}

export async function teardown(): Promise<void> {
  if (!started || process.env.KEEP_NODE) return;
  await clusterDown({ say });
  const after = clusterStatus();
  const left = [
    ...after.components.filter((c) => c.pid !== undefined).map((c) => `${c.name} (pid ${c.pid})`),
    ...after.hostObjects,
  ];
  if (left.length) throw new Error(`npm run cluster -- down left behind: ${left.join(", ")}`);
  say("node taken down; nothing left behind");
}
