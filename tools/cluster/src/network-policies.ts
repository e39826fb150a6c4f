import fs from "node:fs";
import path from "node:path";
import type { Component } from "./components.ts";
import { httpOk } from "./health.ts";
import { kubectl } from "./kubectl.ts";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";
import { CA_CERT } from "./pki.ts";
import { ENFORCER_QUEUE } from "./policy-queue.ts";

/**
 * NetworkPolicy enforcement as on a kind node (kind >= 0.24): kube-network-policies, the
 * enforcer kindnetd embeds, which runs there as a host-network daemon and here as one more host
 * process. It reads only in-cluster configuration: KUBERNETES_SERVICE_HOST/PORT and a
 * ServiceAccount token at the fixed /var/run/secrets/kubernetes.io/serviceaccount. So it runs in
 * a mount namespace of its own whose /run is an empty tmpfs with just that directory, bound from
 * run/kube-network-policies/ (nothing is written to the host's /run).
 */
export const ENFORCER = "kube-network-policies";

const SA = { namespace: "kube-system", name: ENFORCER };
const credentials = path.join(CLUSTER_PATHS.run, ENFORCER);
/** runningPid knows the node's processes by a path under .data/cluster in their command line. */
const launcher = path.join(CLUSTER_PATHS.root, "bin", ENFORCER);

/** Upstream's install.yaml RBAC: it watches pods, namespaces and NetworkPolicies. */
function manifests(): object {
  const meta = { name: ENFORCER };
  return {
    apiVersion: "v1",
    kind: "List",
    items: [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SA.name, namespace: SA.namespace } },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: meta,
        rules: [
          { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["list", "watch"] },
          { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["list", "watch"] },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: meta,
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: ENFORCER },
        subjects: [{ kind: "ServiceAccount", ...SA }],
      },
    ],
  };
}

function writeAtomically(file: string, content: string): void {
  fs.writeFileSync(`${file}.tmp`, content, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Its ServiceAccount and RBAC, and a token with the cluster's CA where its mount namespace binds
 * them. Every `up` writes a fresh token (a year's): client-go rereads the file while it runs.
 */
export function prepareEnforcer(): void {
  kubectl(["apply", "--server-side", "--force-conflicts", "-f", "-"], JSON.stringify(manifests()));
  const token = kubectl(["-n", SA.namespace, "create", "token", SA.name, "--duration=8760h"]).trim();
  fs.mkdirSync(credentials, { recursive: true, mode: 0o700 });
  writeAtomically(path.join(credentials, "token"), token);
  writeAtomically(path.join(credentials, "ca.crt"), fs.readFileSync(CA_CERT, "utf8"));
  writeAtomically(path.join(credentials, "namespace"), SA.namespace);
}

/** Whether a process listens on the queue (/proc/net/netfilter/nfnetlink_queue: one line per bound queue). */
function queueBound(queue: number): boolean {
  try {
    const lines = fs.readFileSync("/proc/net/netfilter/nfnetlink_queue", "utf8").trim().split("\n");
    return lines.some((l) => l.trim().split(/\s+/)[0] === String(queue));
  } catch {
    return false;
  }
}

function linkTarget(link: string): string | undefined {
  try {
    return fs.readlinkSync(link);
  } catch {
    return undefined;
  }
}

/**
 * The enforcer as kindnetd configures it (fail-open, queue 102), its metrics on loopback. It
 * binds its queue after its informers synced: from then on it judges every new connection.
 */
export function enforcerComponent(binary: string): Component {
  fs.mkdirSync(path.dirname(launcher), { recursive: true });
  if (linkTarget(launcher) !== binary) {
    fs.rmSync(launcher, { force: true });
    fs.symlinkSync(binary, launcher);
  }
  const secrets = "/run/secrets/kubernetes.io/serviceaccount";
  const inNamespace = [
    "set -e",
    "mount -t tmpfs -o mode=0755 tmpfs /run",
    `mkdir -p ${secrets}`,
    `mount --bind "$0" ${secrets}`,
    'exec "$@"',
  ].join("; ");
  const metrics = `127.0.0.1:${CLUSTER.ports.networkPoliciesMetrics}`;
  return {
    name: ENFORCER,
    command: "unshare",
    args: [
      "--mount",
      "--propagation",
      "private",
      "/bin/sh",
      "-c",
      inNamespace,
      credentials,
      launcher,
      `--hostname-override=${CLUSTER.nodeName}`,
      `--nfqueue-id=${ENFORCER_QUEUE}`,
      "--fail-open",
      `--metrics-bind-address=${metrics}`,
    ],
    env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(CLUSTER.ports.apiserver) },
    ready: async () => queueBound(ENFORCER_QUEUE) && (await httpOk(`http://${metrics}/metrics`)),
    readyTimeoutMs: 60_000,
  };
}
