import { ensureSystemPackages, type SystemPackage } from "@food-ordering/stack";

export const CNI_BIN_DIR = "/usr/lib/cni";

/** Debian packages the node runs on, each proved present by a command that must succeed. */
export const CLUSTER_PACKAGES: SystemPackage[] = [
  { command: "containerd", args: ["--version"], pkg: "containerd", why: "the node's container runtime (CRI)" },
  // crun refuses this kind of host (cgroup v1 with a cgroup2 tree beside it); runc copes.
  { command: "runc", args: ["--version"], pkg: "runc", why: "the OCI runtime containerd starts containers with" },
  { command: "etcd", args: ["--version"], pkg: "etcd-server", why: "the API server's storage" },
  {
    command: `${CNI_BIN_DIR}/bridge`,
    args: [],
    pkg: "containernetworking-plugins",
    why: "pod networking (bridge, host-local, loopback, portmap)",
  },
  { command: "iptables", args: ["--version"], pkg: "iptables", why: "kube-proxy's Services and the pods' masquerade" },
  {
    command: "nft",
    args: ["--version"],
    pkg: "nftables",
    why: "probes the kernel for the NetworkPolicy enforcer's nft rules and removes its table",
  },
  { command: "conntrack", args: ["--version"], pkg: "conntrack", why: "kube-proxy clears stale UDP flows with it" },
  { command: "ip", args: ["-V"], pkg: "iproute2", why: "the pods' bridge" },
  { command: "openssl", args: ["version"], pkg: "openssl", why: "the cluster's certificates" },
  { command: "gcc", args: ["--version"], pkg: "gcc", why: "compiles the pause (pod sandbox) program" },
  {
    command: "test",
    args: ["-f", "/usr/lib/x86_64-linux-gnu/libc.a"],
    pkg: "libc6-dev",
    why: "links the pause program statically",
  },
];

/** Installs what is missing (apt-get as root), or fails naming the packages. */
export function ensureClusterPackages(say: (s: string) => void = console.log): void {
  ensureSystemPackages(undefined, say, CLUSTER_PACKAGES);
}
