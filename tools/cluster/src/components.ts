import fs from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import type { GoTool, KubeCommand } from "./binaries.ts";
import { corednsArgs, corednsReady } from "./coredns.ts";
import { containerdReady, httpOk } from "./health.ts";
import { componentKubeconfig } from "./kubeconfig.ts";
import { enforcerComponent } from "./network-policies.ts";
import { CNI_BIN_DIR } from "./packages.ts";
import { PAUSE_IMAGE } from "./pause.ts";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";
import { CA_CERT, CA_KEY, pkiFile, SA_KEY, SA_PUB } from "./pki.ts";

/** One long-running process of the node, in start order. */
export interface Component {
  name: string;
  command: string;
  args: string[];
  /** Added to its environment. */
  env?: NodeJS.ProcessEnv;
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
}

export const COMPONENT_NAMES = [
  "containerd",
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
  "kube-proxy",
  "kube-network-policies",
  "coredns",
] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];

/** The Go tools that run as node components (GO_TOOLS also holds developer tools, e.g. skaffold). */
export type Binaries = Record<KubeCommand, string> &
  Record<Extract<GoTool, "coredns" | "crictl" | "kube-network-policies">, string>;

const cfg = (file: string) => path.join(CLUSTER_PATHS.config, file);

/**
 * Writes a config file only when its content changes: kube-proxy watches its file and exits when
 * a rewrite (even of the same content) lands, so a second `up` would restart it.
 */
function writeConfig(file: string, content: string): void {
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === content) return;
  fs.writeFileSync(file, content);
}
const P = CLUSTER.ports;

function writeContainerdConfig(): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const file = cfg("containerd.toml");
  writeConfig(
    file,
    `version = 2
root = "${CLUSTER_PATHS.containerdRoot}"
state = "${CLUSTER_PATHS.containerdState}"

[grpc]
  address = "${CLUSTER_PATHS.containerdSocket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${path.join(CLUSTER_PATHS.root, "containerd", "opt")}"

[${cri}]
  # Built locally (nothing can be pulled), see pause.ts.
  sandbox_image = "${PAUSE_IMAGE}"
  # Root here lacks CAP_SYS_RESOURCE, so runc cannot lower a container's oom_score_adj (the
  # sandbox asks for -998) below containerd's own: cap it there instead of failing every pod.
  restrict_oom_score_adj = true

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

# cgroupfs, as the kubelet: no systemd runs here. runc, as crun refuses this hybrid cgroup host.
[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false
  BinaryName = "/usr/sbin/runc"

[${cri}.cni]
  bin_dir = "${CNI_BIN_DIR}"
  conf_dir = "${CLUSTER_PATHS.cniConfDir}"
`,
  );
  return file;
}

function writeKubeletConfig(nodeIp: string): string {
  const file = cfg("kubelet.yaml");
  const config = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    // From 1.35 the kubelet refuses cgroup v1 hosts unless told otherwise; this one is v1 (hybrid).
    failCgroupV1: false,
    cgroupDriver: "cgroupfs",
    containerRuntimeEndpoint: `unix://${CLUSTER_PATHS.containerdSocket}`,
    address: nodeIp,
    port: P.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: P.kubeletHealthz,
    // The API server reaches the kubelet (logs, exec, port-forward) with its client certificate;
    // anything else is checked against RBAC through the API server.
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: CA_CERT },
    },
    authorization: { mode: "Webhook" },
    tlsCertFile: pkiFile("kubelet-serving.crt"),
    tlsPrivateKeyFile: pkiFile("kubelet-serving.key"),
    rotateCertificates: false,
    serverTLSBootstrap: false,
    clusterDomain: CLUSTER.clusterDomain,
    clusterDNS: [CLUSTER.dnsServiceIp],
    resolvConf: "/etc/resolv.conf",
    failSwapOn: false,
    // 100 switches image GC off: the locally built pause image could never be pulled back.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 80,
    // A development node on a shared disk: evict only when really short.
    evictionHard: {
      "memory.available": "100Mi",
      "nodefs.available": "2%",
      "imagefs.available": "2%",
      "nodefs.inodesFree": "2%",
    },
    podLogsDir: CLUSTER_PATHS.podLogs,
    volumePluginDir: path.join(CLUSTER_PATHS.kubeletRoot, "volume-plugins"),
  };
  writeConfig(file, stringify(config));
  return file;
}

function writeKubeProxyConfig(): string {
  const file = cfg("kube-proxy.yaml");
  const config = {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: "iptables",
    clientConnection: { kubeconfig: componentKubeconfig("kube-proxy") },
    hostnameOverride: CLUSTER.nodeName,
    clusterCIDR: CLUSTER.podCidr,
    healthzBindAddress: `127.0.0.1:${P.kubeProxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${P.kubeProxyMetrics}`,
    // Leave the host's sysctls alone: no route_localnet for NodePorts on 127.0.0.1, and 0 keeps
    // the kernel's conntrack limits and timeouts.
    iptables: { localhostNodePorts: false },
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
  };
  writeConfig(file, stringify(config));
  return file;
}

/** Writes every component's configuration and returns the components in start order. */
export function components(nodeIp: string, bin: Binaries): Component[] {
  fs.mkdirSync(CLUSTER_PATHS.config, { recursive: true });
  const pki = (f: string) => pkiFile(f);
  const kc = componentKubeconfig;
  const etcdUrl = `http://127.0.0.1:${P.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${P.etcdPeer}`;
  return [
    {
      name: "containerd",
      command: "containerd",
      args: ["--config", writeContainerdConfig()],
      ready: containerdReady,
      readyTimeoutMs: 30_000,
    },
    {
      name: "etcd",
      command: "etcd",
      // Plain HTTP on loopback only: the API server is its one client.
      args: [
        "--name=food-ordering",
        `--data-dir=${CLUSTER_PATHS.etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=food-ordering=${peerUrl}`,
      ],
      ready: () => httpOk(`${etcdUrl}/health`),
      readyTimeoutMs: 30_000,
    },
    {
      name: "kube-apiserver",
      command: bin["kube-apiserver"],
      args: [
        // On every address: pods reach it at the node IP through the kubernetes Service.
        `--advertise-address=${nodeIp}`,
        "--bind-address=0.0.0.0",
        `--secure-port=${P.apiserver}`,
        `--etcd-servers=${etcdUrl}`,
        `--client-ca-file=${CA_CERT}`,
        `--tls-cert-file=${pki("apiserver.crt")}`,
        `--tls-private-key-file=${pki("apiserver.key")}`,
        `--kubelet-client-certificate=${pki("apiserver-kubelet-client.crt")}`,
        `--kubelet-client-key=${pki("apiserver-kubelet-client.key")}`,
        `--kubelet-certificate-authority=${CA_CERT}`,
        "--kubelet-preferred-address-types=InternalIP",
        `--service-account-issuer=https://kubernetes.default.svc.${CLUSTER.clusterDomain}`,
        `--service-account-key-file=${SA_PUB}`,
        `--service-account-signing-key-file=${SA_KEY}`,
        `--service-cluster-ip-range=${CLUSTER.serviceCidr}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction",
        "--allow-privileged=true",
      ],
      ready: () => httpOk(`https://127.0.0.1:${P.apiserver}/readyz`, "admin"),
      readyTimeoutMs: 90_000,
    },
    {
      name: "kube-controller-manager",
      command: bin["kube-controller-manager"],
      args: [
        `--kubeconfig=${kc("kube-controller-manager")}`,
        `--authentication-kubeconfig=${kc("kube-controller-manager")}`,
        `--authorization-kubeconfig=${kc("kube-controller-manager")}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${P.controllerManager}`,
        `--cert-dir=${cfg("kube-controller-manager-certs")}`,
        `--cluster-signing-cert-file=${CA_CERT}`,
        `--cluster-signing-key-file=${CA_KEY}`,
        `--root-ca-file=${CA_CERT}`,
        `--service-account-private-key-file=${SA_KEY}`,
        "--use-service-account-credentials=true",
        `--service-cluster-ip-range=${CLUSTER.serviceCidr}`,
        // The same dir as the kubelet's, instead of a default under /usr/libexec.
        `--flex-volume-plugin-dir=${path.join(CLUSTER_PATHS.kubeletRoot, "volume-plugins")}`,
        // One replica: leader election would only add writes.
        "--leader-elect=false",
      ],
      ready: () => httpOk(`https://127.0.0.1:${P.controllerManager}/healthz`, "insecure"),
      readyTimeoutMs: 60_000,
    },
    {
      name: "kube-scheduler",
      command: bin["kube-scheduler"],
      args: [
        `--kubeconfig=${kc("kube-scheduler")}`,
        `--authentication-kubeconfig=${kc("kube-scheduler")}`,
        `--authorization-kubeconfig=${kc("kube-scheduler")}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${P.scheduler}`,
        `--cert-dir=${cfg("kube-scheduler-certs")}`,
        "--leader-elect=false",
      ],
      ready: () => httpOk(`https://127.0.0.1:${P.scheduler}/healthz`, "insecure"),
      readyTimeoutMs: 60_000,
    },
    {
      name: "kubelet",
      command: bin.kubelet,
      args: [
        `--config=${writeKubeletConfig(nodeIp)}`,
        `--kubeconfig=${kc("kubelet")}`,
        `--root-dir=${CLUSTER_PATHS.kubeletRoot}`,
        `--hostname-override=${CLUSTER.nodeName}`,
        `--node-ip=${nodeIp}`,
      ],
      ready: () => httpOk(`http://127.0.0.1:${P.kubeletHealthz}/healthz`),
      readyTimeoutMs: 90_000,
    },
    {
      name: "kube-proxy",
      command: bin["kube-proxy"],
      args: [`--config=${writeKubeProxyConfig()}`],
      ready: () => httpOk(`http://127.0.0.1:${P.kubeProxyHealthz}/healthz`),
      readyTimeoutMs: 60_000,
    },
    enforcerComponent(bin["kube-network-policies"]),
    {
      name: "coredns",
      command: bin.coredns,
      args: corednsArgs(),
      ready: corednsReady,
      readyTimeoutMs: 60_000,
    },
  ];
}
