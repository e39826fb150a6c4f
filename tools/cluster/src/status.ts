import { COMPONENT_NAMES } from "./components.ts";
import { kubepodsLeft, mountsUnder } from "./host.ts";
import { kubectl } from "./kubectl.ts";
import { leftovers } from "./network.ts";
import { CLUSTER_PATHS } from "./paths.ts";
import { policyQueueLeftovers } from "./policy-queue.ts";
import { logFile, runningPid } from "./processes.ts";

export interface ClusterStatus {
  components: { name: string; pid: number | undefined; log: string }[];
  /** `kubectl get nodes` when the API server answers. */
  nodes?: string;
  /** Host objects of the node (bridge, chains, mounts, cgroups) that exist now. */
  hostObjects: string[];
  kubeconfig: string;
  running: boolean;
}

export function clusterStatus(): ClusterStatus {
  const components = COMPONENT_NAMES.map((name) => ({ name, pid: runningPid(name), log: logFile(name) }));
  let nodes: string | undefined;
  if (components.find((c) => c.name === "kube-apiserver")?.pid !== undefined) {
    try {
      nodes = kubectl(["get", "nodes", "-o", "wide"]).trim();
    } catch (err) {
      nodes = (err as Error).message;
    }
  }
  return {
    components,
    nodes,
    hostObjects: [
      ...leftovers(),
      ...policyQueueLeftovers(),
      ...mountsUnder().map((m) => `mount ${m}`),
      ...kubepodsLeft().map((c) => `cgroup ${c}`),
    ],
    kubeconfig: CLUSTER_PATHS.kubeconfig,
    running: components.every((c) => c.pid !== undefined),
  };
}
