import { ensureStorage } from "./storage.ts";
import { ensureGoTool, ensureKubernetesBinaries, KUBE_COMMANDS } from "./binaries.ts";
import { corednsManifests } from "./coredns.ts";
import { components, type Binaries, type Component } from "./components.ts";
import { dnsAnswers } from "./health.ts";
import { portFree, requireRoot } from "./host.ts";
import { apiserverUrl, writeKubeconfigs } from "./kubeconfig.ts";
import { ensureKubectl, kubectl } from "./kubectl.ts";
import { applySysctls, detectNodeIp, ensureBridge, writeCniConfig } from "./network.ts";
import { prepareEnforcer } from "./network-policies.ts";
import { ensureClusterPackages } from "./packages.ts";
import { ensurePauseImage } from "./pause.ts";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";
import { ensurePki } from "./pki.ts";
import { ensurePolicyQueue } from "./policy-queue.ts";
import { ComponentError, logFile, runningPid, startDetached, waitReady } from "./processes.ts";
import { setTimeout as sleep } from "node:timers/promises";

export interface UpOptions {
  say?: (s: string) => void;
}

export interface ClusterInfo {
  kubeconfig: string;
  server: string;
  nodeName: string;
  nodeIp: string;
  containerdSocket: string;
  containerdNamespace: string;
  kubectl: string;
  components: { name: string; pid: number; log: string; started: boolean }[];
}

const P = CLUSTER.ports;
/** The TCP ports each component listens on, checked free before it starts. */
const PORTS: Record<string, number[]> = {
  etcd: [P.etcdClient, P.etcdPeer],
  "kube-apiserver": [P.apiserver],
  "kube-controller-manager": [P.controllerManager],
  "kube-scheduler": [P.scheduler],
  kubelet: [P.kubelet, P.kubeletHealthz],
  "kube-proxy": [P.kubeProxyHealthz, P.kubeProxyMetrics],
  "kube-network-policies": [P.networkPoliciesMetrics],
  coredns: [P.corednsHealth, P.corednsReady],
};

async function start(c: Component, say: (s: string) => void): Promise<{ pid: number; started: boolean }> {
  const running = runningPid(c.name);
  if (running !== undefined) {
    await waitReady(c.name, running, c.ready, c.readyTimeoutMs);
    return { pid: running, started: false };
  }
  for (const port of PORTS[c.name] ?? [])
    if (!(await portFree(port)))
      throw new Error(`cannot start ${c.name}: port ${port} is taken by another process (not this cluster's)`);
  const t0 = Date.now();
  const pid = startDetached(c.name, c.command, c.args, c.env);
  await waitReady(c.name, pid, c.ready, c.readyTimeoutMs);
  say(`  ${c.name} ready (pid ${pid}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return { pid, started: true };
}

async function until(what: string, component: string, check: () => boolean | Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  let last = "";
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new ComponentError(
        component,
        `runs, but ${what} did not happen within ${ms / 1000} s${last ? ` (${last})` : ""}`,
      );
    await sleep(500);
  }
}

function nodeReady(): boolean {
  const out = kubectl([
    "get",
    "node",
    CLUSTER.nodeName,
    "-o",
    'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
  ]);
  return out.trim() === "True";
}

/**
 * Brings the node up, idempotently: what already runs is kept, what is missing is installed,
 * built, generated or started. Resolves once the node is Ready and CoreDNS answers through the
 * kube-dns Service.
 */
export async function clusterUp(opts: UpOptions = {}): Promise<ClusterInfo> {
  const say = opts.say ?? console.log;
  requireRoot("cluster up");
  ensureClusterPackages(say);
  const bin: Binaries = {
    ...ensureKubernetesBinaries(KUBE_COMMANDS, say),
    coredns: ensureGoTool("coredns", say),
    crictl: ensureGoTool("crictl", say),
    "kube-network-policies": ensureGoTool("kube-network-policies", say),
  };
  const kubectlPath = ensureKubectl();
  const nodeIp = detectNodeIp();
  ensurePki(nodeIp);
  writeKubeconfigs();
  applySysctls();
  ensureBridge();
  writeCniConfig();
  say(`NetworkPolicies: new pod connections reach the enforcer through ${ensurePolicyQueue()}`);

  say(`Starting the node (${CLUSTER.nodeName}, ${nodeIp})...`);
  const started: ClusterInfo["components"] = [];
  for (const c of components(nodeIp, bin)) {
    const { pid, started: fresh } = await start(c, say);
    started.push({ name: c.name, pid, log: logFile(c.name), started: fresh });
    if (c.name === "containerd") ensurePauseImage();
    if (c.name === "kube-apiserver") {
      // kube-system appears a moment after /readyz; retry until the objects apply.
      await until(
        "creating the kube-dns Service, CoreDNS's and the NetworkPolicy enforcer's RBAC",
        "kube-apiserver",
        () => {
          kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify(corednsManifests()));
          prepareEnforcer();
          return true;
        },
        60_000,
      );
    }
    if (c.name === "kubelet") await until("the node becoming Ready", "kubelet", nodeReady, 120_000);
  }
  ensureStorage();
  await until(
    "CoreDNS answering through the kube-dns Service",
    "coredns",
    () => dnsAnswers(CLUSTER.dnsServiceIp, `kube-dns.kube-system.svc.${CLUSTER.clusterDomain}`),
    60_000,
  );
  return {
    kubeconfig: CLUSTER_PATHS.kubeconfig,
    server: apiserverUrl(),
    nodeName: CLUSTER.nodeName,
    nodeIp,
    containerdSocket: CLUSTER_PATHS.containerdSocket,
    containerdNamespace: CLUSTER_PATHS.containerdNamespace,
    kubectl: kubectlPath,
    components: started,
  };
}
