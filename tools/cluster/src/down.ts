import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { goToolBinary, kubeBinary } from "./binaries.ts";
import { COMPONENT_NAMES, type ComponentName } from "./components.ts";
import { killOrphans, removeDevicePluginSocket, removeKubepodsCgroups, requireRoot, unmountAll } from "./host.ts";
import { removeBridge, removeIptablesChains, restoreSysctls } from "./network.ts";
import { CLUSTER_PATHS } from "./paths.ts";
import { removePolicyQueue } from "./policy-queue.ts";
import { runningPid, stopProcess } from "./processes.ts";

export interface DownOptions {
  /** Also delete .data/cluster (etcd's data, certificates, images). */
  purge?: boolean;
  say?: (s: string) => void;
}

const crictl = (...args: string[]) =>
  spawnSync(goToolBinary("crictl"), ["--runtime-endpoint", `unix://${CLUSTER_PATHS.containerdSocket}`, ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });

const ctr = (...args: string[]) =>
  spawnSync("ctr", ["--address", CLUSTER_PATHS.containerdSocket, "-n", CLUSTER_PATHS.containerdNamespace, ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });

/**
 * Stops and removes every pod sandbox through the CRI, so containerd runs CNI DEL for each (veth,
 * IP, masquerade chain) and its shims exit; then any task left outside the CRI.
 */
function removePods(say: (s: string) => void): void {
  if (runningPid("containerd") === undefined || !fs.existsSync(goToolBinary("crictl"))) return;
  const pods = crictl("pods", "-q").stdout.split("\n").filter(Boolean);
  if (pods.length) {
    say(`  removing ${pods.length} pod sandbox(es)...`);
    const r = crictl("rmp", "--force", "--all");
    if (r.status !== 0) say(`  crictl rmp failed: ${r.stderr.trim()}`);
  }
  for (const task of ctr("tasks", "ls", "-q").stdout.split("\n").filter(Boolean)) {
    ctr("tasks", "kill", "-s", "SIGKILL", task);
    ctr("tasks", "delete", "-f", task);
  }
}

const stop = async (name: ComponentName, say: (s: string) => void) => {
  if (await stopProcess(name)) say(`  stopped ${name}`);
};

/**
 * Stops everything `up` started, by the pids it recorded, and removes what it made on the host:
 * pod sandboxes, the bridge and veths, iptables chains, mounts, cgroups, sysctls. Data stays
 * unless `purge`.
 */
export async function clusterDown(opts: DownOptions = {}): Promise<void> {
  const say = opts.say ?? console.log;
  requireRoot("cluster down");
  // Nothing may recreate pods while they are removed: controllers and the kubelet go first.
  for (const name of ["kube-controller-manager", "kube-scheduler", "kubelet"] as const) await stop(name, say);
  removePods(say);
  const rest = COMPONENT_NAMES.filter((n) => !["kube-controller-manager", "kube-scheduler", "kubelet"].includes(n));
  for (const name of rest.reverse()) await stop(name, say);
  const orphans = killOrphans();
  if (orphans.length) say(`  killed ${orphans.length} container process(es) and shim(s) no containerd tracked`);

  // containerd leaves its ttrpc socket behind; a stale socket would look like a running node.
  for (const f of [CLUSTER_PATHS.containerdSocket, `${CLUSTER_PATHS.containerdSocket}.ttrpc`])
    fs.rmSync(f, { force: true });
  if (fs.existsSync(kubeBinary("kube-proxy")))
    spawnSync(kubeBinary("kube-proxy"), ["--cleanup"], { stdio: "ignore", timeout: 60_000 });
  for (const o of removePolicyQueue()) say(`  removed ${o}`);
  const chains = removeIptablesChains();
  if (chains.length) say(`  removed ${chains.length} iptables chain(s)`);
  const links = removeBridge();
  if (links.length) say(`  removed ${links.join(", ")}`);
  const stuckMounts = unmountAll();
  const busyCgroups = removeKubepodsCgroups();
  removeDevicePluginSocket();
  restoreSysctls();
  // host-local's reservations: every sandbox is gone, so every address is free again.
  fs.rmSync(CLUSTER_PATHS.cniIpamDir, { recursive: true, force: true });
  for (const problem of [
    ...stuckMounts.map((m) => `mount still busy: ${m}`),
    ...busyCgroups.map((c) => `cgroup still in use: ${c}`),
  ])
    say(`  warning: ${problem}`);
  if (opts.purge) {
    if (stuckMounts.length) throw new Error(`not purging ${CLUSTER_PATHS.root}: mounts under it are still busy`);
    fs.rmSync(CLUSTER_PATHS.root, { recursive: true, force: true });
    say(`  deleted ${CLUSTER_PATHS.root}`);
  }
}
