import path from "node:path";

/** The repository root (tools/cluster/src → ../../..). */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

const root = path.join(REPO_ROOT, ".data", "cluster");
const run = path.join(root, "run");

/**
 * Where the node keeps everything. The containerd socket and namespace are a contract with
 * tools/images, which imports images with `ctr --address <socket> -n k8s.io images import`.
 */
export const CLUSTER_PATHS = {
  root,
  logs: path.join(root, "logs"),
  run,
  pki: path.join(root, "pki"),
  config: path.join(root, "config"),
  /** The admin kubeconfig (system:masters), for kubectl and helm. */
  kubeconfig: path.join(root, "kubeconfig"),
  containerdSocket: path.join(run, "containerd.sock"),
  containerdNamespace: "k8s.io",
  containerdRoot: path.join(root, "containerd", "root"),
  containerdState: path.join(root, "containerd", "state"),
  etcdData: path.join(root, "etcd"),
  kubeletRoot: path.join(root, "kubelet"),
  podLogs: path.join(root, "pod-logs"),
  cniConfDir: path.join(root, "cni", "net.d"),
  cniIpamDir: path.join(root, "cni", "ipam"),
  /** What `up` changed on the host that `down` puts back (sysctls). */
  hostState: path.join(run, "host-state.json"),
  images: path.join(root, "images"),
} as const;

/** Built binaries live beside the registrar's kube-apiserver cache, outside the checkout (the stack's Go builder's). */
export { CACHE_DIR } from "@food-ordering/stack";

/** Addresses and names of the one node. */
export const CLUSTER = {
  nodeName: "food-ordering-node",
  /** The kubeconfig's cluster and context name (skaffold.yaml's local-node profile names it). */
  context: "food-ordering",
  clusterDomain: "cluster.local",
  podCidr: "10.244.0.0/24",
  /** The CNI bridge: its address is the pods' gateway and where CoreDNS listens. */
  bridge: "fo-cni0",
  bridgeIp: "10.244.0.1",
  cniNetwork: "food-ordering-pods",
  serviceCidr: "10.96.0.0/16",
  apiServiceIp: "10.96.0.1",
  dnsServiceIp: "10.96.0.10",
  ports: {
    apiserver: 6443,
    etcdClient: 2379,
    etcdPeer: 2380,
    controllerManager: 10257,
    scheduler: 10259,
    kubelet: 10250,
    kubeletHealthz: 10248,
    kubeProxyHealthz: 10256,
    kubeProxyMetrics: 10249,
    corednsHealth: 18080,
    corednsReady: 18181,
    networkPoliciesMetrics: 19180,
  },
} as const;
