import type { CoreV1Event, V1ConfigMap, V1Service } from "@kubernetes/client-node";
import { type DesiredState, DesiredStateError, normalizeUri, parseDesiredState } from "./desired-state.ts";
import { MANAGED_BY } from "./ownership.ts";
import { type Outcome, type ReconcileResult, summaryLine } from "./reconcile.ts";

/**
 * The Kubernetes side as pure functions over API objects: which URI a labelled Service stands
 * for, the desired state inside its ConfigMap, and the status ConfigMap and Events that report a
 * pass. kube-client.ts only moves these objects to and from the API server.
 */

const PREFIX = "registrar.restate.dev";
/** Annotations a labelled Service may carry to say where its Restate endpoint listens. */
export const ANNOTATIONS = {
  port: `${PREFIX}/port`,
  path: `${PREFIX}/path`,
  scheme: `${PREFIX}/scheme`,
} as const;

export type Discovery = { uri: string } | { problem: string };

/**
 * The endpoint URI of a Service: `<scheme>://<name>.<namespace>.svc:<port><path>`. Port: the
 * annotation (a number or a port name), else the port named "restate", else the only port.
 * The URI is built from the Service's DNS name (never its ClusterIP) so it stays the same across
 * re-creations: Restate identifies a deployment by its URI.
 */
export function endpointOfService(svc: V1Service): Discovery {
  const name = svc.metadata?.name;
  const ns = svc.metadata?.namespace;
  if (!name || !ns) return { problem: "Service without metadata.name/namespace" };
  const id = `Service ${ns}/${name}`;
  const ann = svc.metadata?.annotations ?? {};
  const ports = svc.spec?.ports ?? [];

  const scheme = ann[ANNOTATIONS.scheme] ?? "http";
  if (scheme !== "http" && scheme !== "https")
    return { problem: `${id}: annotation ${ANNOTATIONS.scheme}="${scheme}" must be http or https` };
  const path = ann[ANNOTATIONS.path] ?? "";
  if (path && !path.startsWith("/"))
    return { problem: `${id}: annotation ${ANNOTATIONS.path}="${path}" must start with /` };

  let port: number | undefined;
  const wanted = ann[ANNOTATIONS.port];
  if (wanted !== undefined) {
    port = /^\d+$/.test(wanted) ? Number(wanted) : ports.find((p) => p.name === wanted)?.port;
    if (!port || port > 65535)
      return {
        problem: `${id}: annotation ${ANNOTATIONS.port}="${wanted}" is neither a port number nor the name of one of its ports`,
      };
  } else {
    port = (ports.find((p) => p.name === "restate") ?? (ports.length === 1 ? ports[0] : undefined))?.port;
    if (!port)
      return {
        problem: `${id}: has ${ports.length} ports and none named "restate"; set annotation ${ANNOTATIONS.port}`,
      };
  }
  return { uri: normalizeUri(`${scheme}://${name}.${ns}.svc:${port}${path}`) };
}

/** Endpoint URIs of the discovered Services, and a problem for each Service that cannot be used. */
export function endpointsOfServices(services: V1Service[]): { uris: string[]; problems: string[] } {
  const uris: string[] = [];
  const problems: string[] = [];
  for (const s of services) {
    const d = endpointOfService(s);
    if ("uri" in d) uris.push(d.uri);
    else problems.push(d.problem);
  }
  return { uris: [...new Set(uris)].sort(), problems };
}

/** The desired state stored under `key` of a ConfigMap (the chart renders it there). */
export function desiredStateOfConfigMap(cm: V1ConfigMap, key: string): DesiredState {
  const origin = `ConfigMap ${cm.metadata?.namespace}/${cm.metadata?.name} key ${key}`;
  const text = cm.data?.[key];
  if (text === undefined)
    throw new DesiredStateError(origin, [`no key "${key}" (keys: ${Object.keys(cm.data ?? {}).join(", ") || "none"})`]);
  return parseDesiredState(text, origin);
}

/**
 * The status ConfigMap, readable with `kubectl get configmap <name> -o yaml`. `lastChangeTime`
 * survives passes that changed nothing, so a drift repair stays visible under periodic passes.
 */
export function statusConfigMap(
  name: string,
  namespace: string,
  r: ReconcileResult,
  previous?: V1ConfigMap,
): V1ConfigMap {
  const changed = r.changes.length > 0 && r.outcome !== "planned";
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace,
      labels: { "app.kubernetes.io/managed-by": MANAGED_BY },
      // Keeps the write a replace of the version just read (optimistic concurrency).
      ...(previous?.metadata?.resourceVersion ? { resourceVersion: previous.metadata.resourceVersion } : {}),
    },
    data: {
      lastReconcileTime: r.startedAt.toISOString(),
      result: r.outcome,
      summary: summaryLine(r),
      changes: r.changes.join("\n"),
      problems: r.problems.map((p) => `${p.kind}: ${p.message}`).join("\n"),
      notes: r.notes.join("\n"),
      lastChangeTime: changed ? r.startedAt.toISOString() : (previous?.data?.lastChangeTime ?? ""),
    },
  };
}

const REASONS: Record<Outcome, string> = {
  converged: "Converged",
  planned: "DryRun",
  invalid: "InvalidDesiredState",
  rejected: "Rejected",
  unavailable: "Unavailable",
  "apply-failed": "ApplyFailed",
};

/**
 * Events are for what a person should notice: a change, a failure, or a recovery. A periodic
 * pass that changed nothing and succeeded like the one before it emits none (no Event spam).
 */
export function shouldEmitEvent(r: ReconcileResult, previousOutcome?: Outcome): boolean {
  return (
    r.changes.length > 0 ||
    r.outcome !== "converged" ||
    (previousOutcome !== undefined && previousOutcome !== r.outcome)
  );
}

// Event messages beyond 1 KiB are rejected by events.k8s.io and cut by tools; keep within it.
const MAX_MESSAGE = 1024;

/** A core/v1 Event about a pass, on the desired-state ConfigMap. */
export function reconcileEvent(
  r: ReconcileResult,
  on: { name: string; namespace: string; uid?: string },
  opts: { now: Date; instance: string },
): CoreV1Event {
  const message = summaryLine(r);
  const time = opts.now;
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: {
      name: `${on.name}.${time.getTime().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`,
      namespace: on.namespace,
    },
    involvedObject: {
      apiVersion: "v1",
      kind: "ConfigMap",
      name: on.name,
      namespace: on.namespace,
      ...(on.uid ? { uid: on.uid } : {}),
    },
    reason: r.outcome === "converged" && r.changes.length ? "Changed" : REASONS[r.outcome],
    message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message,
    type: r.outcome === "converged" || r.outcome === "planned" ? "Normal" : "Warning",
    source: { component: MANAGED_BY },
    reportingComponent: MANAGED_BY,
    reportingInstance: opts.instance,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
  };
}
