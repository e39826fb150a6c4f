import path from "node:path";
import { CLUSTER_PATHS } from "@food-ordering/cluster";
import { ensureImages, loadImages, MONITORING } from "@food-ordering/images";
import { ensureOperatorCrds, installKubeTools } from "@food-ordering/setup";
import { REPO_ROOT } from "@food-ordering/stack";
import { env, run, say } from "./release.ts";

/**
 * prometheus-operator and one Prometheus on the local node, from k8s/monitoring/ (the manifests
 * docs/kubernetes.md applies by hand), in the namespace the chart's NetworkPolicies let scrape.
 */
export const MONITORING_NS = "monitoring";
/** The Service the operator puts in front of the Prometheus pods. */
export const PROMETHEUS_SERVICE = "prometheus-operated";
const MANIFESTS = ["operator.yaml", "prometheus.yaml"].map((f) => path.join(REPO_ROOT, "k8s/monitoring", f));
const PROMETHEUS_STATEFULSET = "prometheus-food-ordering";

const kubectl = async (...args: string[]) =>
  (await run(installKubeTools().kubectl, args, { env, maxBuffer: 64 << 20, timeout: 10 * 60_000 })).stdout;

/**
 * The operator's CRDs (tools/setup), its images and Prometheus's (tools/images, opt-in group),
 * then the operator and the Prometheus CR; resolves once Prometheus runs. Idempotent.
 */
export async function installMonitoring(): Promise<void> {
  const t = Date.now();
  const crds = ensureOperatorCrds(say);
  await ensureImages([MONITORING], { say });
  await loadImages(CLUSTER_PATHS.containerdSocket, [MONITORING], say);
  // Server-side: the Prometheus CRD is larger than client-side apply's annotation may be.
  await kubectl("apply", "--server-side", "--force-conflicts", "-f", crds);
  await kubectl("wait", "--for=condition=Established", "--timeout=60s", "-f", crds);
  await kubectl("apply", "--server-side", "--force-conflicts", "-f", MANIFESTS[0]!);
  await kubectl("-n", MONITORING_NS, "rollout", "status", "deployment/prometheus-operator", "--timeout=5m");
  await kubectl("apply", "--server-side", "--force-conflicts", "-f", MANIFESTS[1]!);
  // The operator creates the StatefulSet a moment after the Prometheus object appears.
  const deadline = Date.now() + 120_000;
  while (!(await kubectl("-n", MONITORING_NS, "get", "statefulsets", "-o", "name")).includes(PROMETHEUS_STATEFULSET)) {
    if (Date.now() > deadline) {
      const logs = await kubectl("-n", MONITORING_NS, "logs", "deployment/prometheus-operator", "--tail=30");
      throw new Error(`the operator made no StatefulSet ${PROMETHEUS_STATEFULSET} within 120 s:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  await kubectl("-n", MONITORING_NS, "rollout", "status", `statefulset/${PROMETHEUS_STATEFULSET}`, "--timeout=5m");
  say(`monitoring: operator and Prometheus ready in ${Math.round((Date.now() - t) / 1000)} s`);
}

/** Removes what installMonitoring applied but the CRDs, which stay as Helm leaves them (other releases' monitors). */
export async function removeMonitoring(): Promise<void> {
  if (process.env.KEEP_NODE_RELEASE) return;
  await kubectl("delete", "--ignore-not-found", "--wait", "--timeout=5m", "-f", MANIFESTS[1]!, "-f", MANIFESTS[0]!);
}

export interface Monitor {
  kind: "ServiceMonitor" | "PodMonitor";
  metadata: { name: string; namespace: string };
  spec: {
    selector: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    namespaceSelector?: unknown;
    endpoints?: Array<{ port?: string }>;
    podMetricsEndpoints?: Array<{ port?: string }>;
  };
}
export interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { containers: Array<{ ports?: Array<{ name?: string }> }> };
  status: { phase: string };
}
export interface Service {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { selector?: Record<string, string>; ports: Array<{ name?: string }> };
}
/** One target a monitor should give: its scrape pool (as the operator names it) and pod. */
export interface Expected {
  pool: string;
  pod: string;
}

const matches = (labels: Record<string, string> | undefined, want: Record<string, string>) =>
  Object.entries(want).every(([k, v]) => labels?.[k] === v);
const hasPort = (pod: Pod, port: string) => pod.spec.containers.some((c) => c.ports?.some((p) => p.name === port));

/**
 * The targets the chart's monitors should make Prometheus scrape, from what runs in the release's
 * namespace: a PodMonitor endpoint gives each running pod it selects that has the named port; a
 * ServiceMonitor endpoint gives each running pod behind each Service it selects that has the
 * named port. Only the selector forms the chart uses are read; anything else throws, so a monitor
 * this cannot follow is noticed rather than expected to have no targets.
 */
export function expectedTargets(monitors: Monitor[], pods: Pod[], services: Service[]): Expected[] {
  const running = pods.filter((p) => p.status.phase === "Running");
  return monitors.flatMap((m) => {
    const { selector, namespaceSelector } = m.spec;
    if (selector.matchExpressions?.length || namespaceSelector || !selector.matchLabels)
      throw new Error(`${m.kind} ${m.metadata.name}: only matchLabels in its own namespace is followed here`);
    const want = selector.matchLabels;
    const endpoints = m.kind === "PodMonitor" ? m.spec.podMetricsEndpoints : m.spec.endpoints;
    return (endpoints ?? []).flatMap((e, i) => {
      if (!e.port) throw new Error(`${m.kind} ${m.metadata.name}: endpoint ${i} has no port name`);
      const pool = `${m.kind.charAt(0).toLowerCase()}${m.kind.slice(1)}/${m.metadata.namespace}/${m.metadata.name}/${i}`;
      const selected =
        m.kind === "PodMonitor"
          ? running.filter((p) => matches(p.metadata.labels, want))
          : services
              .filter((s) => matches(s.metadata.labels, want) && s.spec.ports.some((p) => p.name === e.port))
              .flatMap((s) => running.filter((p) => s.spec.selector && matches(p.metadata.labels, s.spec.selector)));
      return selected.filter((p) => hasPort(p, e.port!)).map((p) => ({ pool, pod: p.metadata.name }));
    });
  });
}
