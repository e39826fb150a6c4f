import { ensureKubectl, kubectl } from "@food-ordering/cluster";
import { env, run } from "./release.ts";

/**
 * TCP connections between pods on the node, to show what the NetworkPolicy enforcer lets
 * through: probe pods from the project image (a TCP listener, also used as a client) and one
 * connection attempt made inside any pod with `kubectl exec` (bash's /dev/tcp: every image of
 * the release, the Restate and Kafka stand-ins included, has bash and coreutils' timeout).
 */
export const PROBE_PORT = 7000;
export const PROJECT_IMAGE = "food-ordering:dev";

const kubectlBin = ensureKubectl();
export const kubectlIn = async (ns: string, ...args: string[]) =>
  (await run(kubectlBin, ["-n", ns, ...args], { env, maxBuffer: 16 << 20 })).stdout;

/** A pod that answers TCP on PROBE_PORT (and closes), with `labels`. */
export const probePod = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, labels: { "food-ordering.io/netpol-probe": name, ...labels } },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [
      {
        name: "probe",
        image: PROJECT_IMAGE,
        imagePullPolicy: "IfNotPresent",
        command: ["node", "-e", `require("net").createServer((s) => s.end()).listen(${PROBE_PORT})`],
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "96Mi" } },
      },
    ],
  },
});

export const applyIn = (ns: string, items: object[]) =>
  kubectl(["-n", ns, "apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));

export type Outcome = "connected" | "timed out" | "refused" | `failed: ${string}`;

/**
 * One TCP connect from inside `pod` to host:port, given `seconds`. A denied connection times
 * out: the enforcer drops its first packet (and every retry), nothing answers with a reset.
 */
export async function connect(ns: string, pod: string, host: string, port: number, seconds = 4): Promise<Outcome> {
  const script = `timeout ${seconds} bash -c 'exec 3<>/dev/tcp/$0/$1' "$0" "$1" 2>&1; echo "rc=$?"`;
  const out = await kubectlIn(ns, "exec", pod, "--", "bash", "-c", script, host, String(port));
  const rc = /rc=(\d+)\s*$/.exec(out)?.[1];
  if (rc === "0") return "connected";
  if (rc === "124") return "timed out";
  if (/Connection refused/.test(out)) return "refused";
  return `failed: ${out.trim()}`;
}

/** The name of a Running pod of the release's `component`. */
export async function podOf(ns: string, component: string): Promise<string> {
  const pods = JSON.parse(
    await kubectlIn(ns, "get", "pods", "-l", `app.kubernetes.io/component=${component}`, "-o", "json"),
  ).items as Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { phase: string } }>;
  const pod = pods.find((p) => p.status.phase === "Running" && !p.metadata.deletionTimestamp);
  if (!pod) throw new Error(`no Running pod of ${component} in ${ns}`);
  return pod.metadata.name;
}
