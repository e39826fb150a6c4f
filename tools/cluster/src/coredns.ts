import fs from "node:fs";
import path from "node:path";
import { dnsAnswers } from "./health.ts";
import { componentKubeconfig } from "./kubeconfig.ts";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";

/**
 * CoreDNS as a host process, as the cluster's DNS: it listens on the pods' gateway address and
 * the kube-dns Service (10.96.0.10) points there through a hand-made EndpointSlice, since no
 * pod backs it.
 */
const corefile = () => path.join(CLUSTER_PATHS.config, "Corefile");

export function corednsArgs(): string[] {
  const d = CLUSTER.clusterDomain;
  fs.writeFileSync(
    corefile(),
    `.:53 {
    bind ${CLUSTER.bridgeIp}
    errors
    health 127.0.0.1:${CLUSTER.ports.corednsHealth}
    ready 127.0.0.1:${CLUSTER.ports.corednsReady}
    kubernetes ${d} in-addr.arpa ip6.arpa {
        kubeconfig ${componentKubeconfig("coredns")} food-ordering
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    # Everything else goes to the host's resolvers (CoreDNS runs on the host).
    forward . /etc/resolv.conf
    cache 30
}
`,
  );
  return ["-conf", corefile()];
}

export const corednsReady = () => dnsAnswers(CLUSTER.bridgeIp, `kubernetes.default.svc.${CLUSTER.clusterDomain}`);

const MANAGED_BY = "food-ordering-cluster";

/** RBAC for CoreDNS's client identity, and the kube-dns Service with its EndpointSlice. */
export function corednsManifests(): object {
  const dnsPorts = [
    { name: "dns", port: 53, protocol: "UDP" },
    { name: "dns-tcp", port: 53, protocol: "TCP" },
  ];
  return {
    apiVersion: "v1",
    kind: "List",
    items: [
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "system:coredns" },
        rules: [
          { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
          { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
        ],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "system:coredns" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:coredns" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "system:coredns" }],
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: "kube-dns",
          namespace: "kube-system",
          labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS" },
        },
        // No selector: the EndpointSlice below is managed here, not by the endpoint controllers.
        spec: { clusterIP: CLUSTER.dnsServiceIp, ports: dnsPorts.map((p) => ({ ...p, targetPort: 53 })) },
      },
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: "kube-dns-host",
          namespace: "kube-system",
          labels: { "kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": MANAGED_BY },
        },
        addressType: "IPv4",
        endpoints: [{ addresses: [CLUSTER.bridgeIp], conditions: { ready: true }, nodeName: CLUSTER.nodeName }],
        ports: dnsPorts,
      },
    ],
  };
}
