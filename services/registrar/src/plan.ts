import type { DeploymentDetail, KafkaCluster, ServiceMetadata, Subscription } from "./admin-client.ts";
import { type DesiredState, type DesiredSubscription, normalizeUri, parseSink } from "./desired-state.ts";
import { ownsDeployment, ownsSubscription, subscriptionClientId } from "./ownership.ts";

/**
 * The planner is a pure function from (desired state, what Restate reports, what the endpoints
 * answered to discovery) to a list of actions, notes and blocking problems. All I/O happens
 * before (observe.ts) and after (apply.ts), so every decision here is unit-tested.
 */

export type Action =
  | { kind: "create-kafka-cluster"; cluster: KafkaCluster }
  | { kind: "update-kafka-cluster"; cluster: KafkaCluster; changed: string[] }
  | { kind: "register-endpoint"; uri: string; useHttp11: boolean; services: string[] }
  | {
      kind: "reregister-endpoint";
      uri: string;
      useHttp11: boolean;
      deploymentId: string;
      changes: string[];
      pinnedInvocations: number;
    }
  | { kind: "delete-subscription"; id: string; source: string; sink: string; reason: string }
  | { kind: "create-subscription"; source: string; sink: string; options: Record<string, string> }
  | { kind: "remove-old-deployment"; id: string; uri: string };

/**
 * Why something cannot be applied: `invalid` (the desired state is wrong), `rejected` (Restate
 * refused, or would refuse, it: waiting will not help) or `unavailable` (Restate or an endpoint
 * was not ready before the deadline).
 */
export interface Problem {
  kind: "invalid" | "rejected" | "unavailable";
  message: string;
}

export interface Plan {
  actions: Action[];
  /** Things deliberately left alone, with the reason (foreign objects, draining revisions...). */
  notes: string[];
  /** A plan with problems is never applied, not even in part. */
  problems: Problem[];
}

/** What Restate reports, gathered by observe.ts. */
export interface Observed {
  deployments: DeploymentDetail[];
  services: ServiceMetadata[];
  clusters: KafkaCluster[];
  subscriptions: Subscription[];
  /** Non-completed invocations pinned to each deployment (only asked for removal candidates). */
  pinned: Record<string, number>;
}

/** Per desired endpoint URI: the services its discovery returned, or why discovery failed. */
export type Discovered = Record<string, { services: ServiceMetadata[] } | { error: Problem }>;

export interface PlanOptions {
  owner: string;
  force: boolean;
  /**
   * librdkafka's statistics.interval.ms for every subscription of ours (0 or absent: none). Restate
   * exports restate_kafka_ingress_consumer_lag only from those statistics.
   */
  statisticsIntervalMs?: number;
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case "create-kafka-cluster":
      return `create Kafka cluster ${a.cluster.name} (${a.cluster.properties["bootstrap.servers"] ?? a.cluster.properties["metadata.broker.list"]})`;
    case "update-kafka-cluster":
      return `update Kafka cluster ${a.cluster.name} (${a.changed.join(", ")})`;
    case "register-endpoint":
      return `register endpoint ${a.uri} (${a.services.join(", ")})`;
    case "reregister-endpoint":
      return `re-register endpoint ${a.uri} with force (${a.changes.join("; ")})${a.pinnedInvocations ? `; ${a.pinnedInvocations} in-flight invocation(s) are pinned to it` : ""}`;
    case "delete-subscription":
      return `delete subscription ${a.id} ${a.source} -> ${a.sink} (${a.reason})`;
    case "create-subscription":
      return `create subscription ${a.source} -> ${a.sink}`;
    case "remove-old-deployment":
      return `remove old deployment ${a.id} (${a.uri}): superseded and no invocation pinned to it`;
  }
}

export function plan(desired: DesiredState, observed: Observed, discovered: Discovered, opts: PlanOptions): Plan {
  const out: Plan = { actions: [], notes: [], problems: [] };
  planClusters(desired, observed, opts, out);
  const after = planEndpoints(desired, observed, discovered, opts, out);
  planSubscriptions(desired, observed, after, opts, out);
  planOldDeployments(desired, observed, after, opts, out);
  out.actions.sort((a, b) => APPLY_ORDER[a.kind] - APPLY_ORDER[b.kind]); // stable: each stage keeps its order
  return out;
}

/**
 * The order a plan is applied in. Subscriptions that go (moved to another handler, replaced, no
 * longer wanted) stop before any endpoint is registered, so a record they still hand to Restate
 * does not meet new code that expects it elsewhere; their records wait in Kafka for the
 * replacement, in the same group. New subscriptions come once their handlers are registered, and
 * old revisions go last, once nothing new is routed to them.
 */
const APPLY_ORDER: Record<Action["kind"], number> = {
  "create-kafka-cluster": 0,
  "update-kafka-cluster": 0,
  "delete-subscription": 1,
  "register-endpoint": 2,
  "reregister-endpoint": 2,
  "create-subscription": 3,
  "remove-old-deployment": 4,
};

// Restate answers sensitive properties (passwords, SASL user) as "***": those cannot be compared.
const REDACTED = "***";

function planClusters(desired: DesiredState, observed: Observed, opts: PlanOptions, out: Plan): void {
  for (const want of desired.kafkaClusters) {
    const have = observed.clusters.find((c) => c.name === want.name);
    if (!have) {
      out.actions.push({ kind: "create-kafka-cluster", cluster: want });
      continue;
    }
    const keys = new Set([...Object.keys(want.properties), ...Object.keys(have.properties)]);
    const changed = [...keys]
      .filter((k) => have.properties[k] !== REDACTED && have.properties[k] !== want.properties[k])
      .sort();
    // --force re-sends the properties too: the only way to refresh a redacted secret.
    if (changed.length || opts.force)
      out.actions.push({ kind: "update-kafka-cluster", cluster: want, changed: changed.length ? changed : ["forced"] });
  }
  for (const c of observed.clusters)
    if (!desired.kafkaClusters.some((w) => w.name === c.name))
      out.notes.push(`Kafka cluster ${c.name} is not in the desired state; left alone`);
}

/** Service name -> its handlers and the URI that will serve its latest revision after applying. */
type ServicesAfter = Map<string, { handlers: string[]; uri: string }>;

function planEndpoints(
  desired: DesiredState,
  observed: Observed,
  discovered: Discovered,
  opts: PlanOptions,
  out: Plan,
): ServicesAfter {
  const uriOf = new Map(observed.deployments.map((d) => [d.id, d.uri ? normalizeUri(d.uri) : d.id]));
  const after: ServicesAfter = new Map(
    observed.services.map((s) => [
      s.name,
      { handlers: s.handlers.map((h) => h.name), uri: uriOf.get(s.deployment_id) ?? s.deployment_id },
    ]),
  );
  for (const ep of desired.endpoints) {
    const found = discovered[ep.uri];
    if (!found || "error" in found) {
      out.problems.push(found ? found.error : { kind: "unavailable", message: `endpoint ${ep.uri}: not discovered` });
      continue;
    }
    // Only a registration moves a service's latest revision: an endpoint left as it is stays where Restate has it.
    const becomesCurrent = () => {
      for (const s of found.services) after.set(s.name, { handlers: s.handlers.map((h) => h.name), uri: ep.uri });
    };
    const existing = observed.deployments.find((d) => d.uri && normalizeUri(d.uri) === ep.uri);
    if (!existing) {
      out.actions.push({
        kind: "register-endpoint",
        uri: ep.uri,
        useHttp11: ep.useHttp11,
        services: found.services.map((s) => s.name).sort(),
      });
      becomesCurrent();
      continue;
    }
    const diff = diffServices(existing.services, found.services);
    if (diff.breaking.length && !opts.force) {
      out.problems.push({
        kind: "rejected",
        message:
          `endpoint ${ep.uri}: incompatible change (${diff.breaking.join("; ")}); Restate rejects this without force. ` +
          `Rerun with --force (FORCE=true) to overwrite deployment ${existing.id}; in-flight invocations on it may fail`,
      });
      continue;
    }
    const changes = [...diff.breaking, ...diff.compatible];
    if (changes.length || opts.force) {
      out.actions.push({
        kind: "reregister-endpoint",
        uri: ep.uri,
        useHttp11: ep.useHttp11,
        deploymentId: existing.id,
        changes: changes.length ? changes : ["forced"],
        pinnedInvocations: observed.pinned[existing.id] ?? 0,
      });
      becomesCurrent();
    }
  }
  refuseWhereTheLastEndpointWouldNotBeCurrent(desired, discovered, after, out);
  return after;
}

/**
 * The desired state lists endpoints oldest first (the chart's draining revisions, then the current
 * one): for every service, the last endpoint serving it must be the one Restate sends its new
 * invocations to after this plan. Where it would not be — an earlier endpoint registered while the
 * later one is left as it is (e.g. a draining revision Restate never had), or Restate already
 * pointing elsewhere — the plan is refused and nothing applied.
 */
function refuseWhereTheLastEndpointWouldNotBeCurrent(
  desired: DesiredState,
  discovered: Discovered,
  after: ServicesAfter,
  out: Plan,
): void {
  const intended = new Map<string, string>();
  for (const ep of desired.endpoints) {
    const found = discovered[ep.uri];
    if (found && "services" in found) for (const s of found.services) intended.set(s.name, ep.uri);
  }
  const written = new Set(
    out.actions.flatMap((a) => (a.kind === "register-endpoint" || a.kind === "reregister-endpoint" ? [a.uri] : [])),
  );
  const wrong = new Map<string, { current: string; wanted: string; services: string[] }>();
  for (const [service, wanted] of intended) {
    const current = after.get(service)?.uri;
    if (!current || current === wanted) continue;
    const key = `${current} ${wanted}`;
    if (!wrong.has(key)) wrong.set(key, { current, wanted, services: [] });
    wrong.get(key)!.services.push(service);
  }
  for (const { current, wanted, services } of wrong.values())
    out.problems.push({
      kind: "rejected",
      message: written.has(current)
        ? `endpoint ${current}: registering it would make it the current deployment of ${services.join(", ")}, ahead of ${wanted}, ` +
          `which is listed after it and already registered. An earlier (draining) revision must be one Restate already has: ` +
          `remove it from the desired state, or list it last if it is meant to be the current one`
        : `Restate sends new invocations of ${services.join(", ")} to ${current}, not to ${wanted}, the last endpoint listed for them; ` +
          `rerun with --force (FORCE=true) to register ${wanted} again`,
    });
}

/**
 * What changed between the services a deployment has registered and what its endpoint serves now.
 * Changing a service's type is the change Restate refuses without force (META0006); at a URI that
 * is already registered Restate cannot be asked (force is the only way to re-discover there), so
 * the rule is mirrored here. Added or removed handlers and services are accepted by Restate.
 */
export function diffServices(
  registered: ServiceMetadata[],
  discovered: ServiceMetadata[],
): { breaking: string[]; compatible: string[] } {
  const breaking: string[] = [];
  const compatible: string[] = [];
  const before = new Map(registered.map((s) => [s.name, s]));
  const now = new Map(discovered.map((s) => [s.name, s]));
  for (const [name, s] of now) {
    const old = before.get(name);
    if (!old) {
      compatible.push(`+service ${name}`);
      continue;
    }
    if (old.ty !== s.ty) breaking.push(`${name}: service type ${old.ty} -> ${s.ty}`);
    const oldHandlers = new Map(old.handlers.map((h) => [h.name, h.ty ?? null]));
    const newHandlers = new Map(s.handlers.map((h) => [h.name, h.ty ?? null]));
    for (const [h, ty] of newHandlers) {
      if (!oldHandlers.has(h)) compatible.push(`+${name}/${h}`);
      else if (oldHandlers.get(h) !== ty) compatible.push(`${name}/${h}: handler type ${oldHandlers.get(h)} -> ${ty}`);
    }
    for (const h of oldHandlers.keys()) if (!newHandlers.has(h)) compatible.push(`-${name}/${h}`);
  }
  for (const name of before.keys()) if (!now.has(name)) compatible.push(`-service ${name}`);
  return { breaking: breaking.sort(), compatible: compatible.sort() };
}

/**
 * The options a subscription of ours carries: the registrar's statistics interval (which a
 * subscription's own statistics.interval.ms overrides), the desired ones and the ownership marker.
 */
export function subscriptionOptions(
  s: DesiredSubscription,
  opts: Pick<PlanOptions, "owner" | "statisticsIntervalMs">,
): Record<string, string> {
  const stats: Record<string, string> = opts.statisticsIntervalMs
    ? { "statistics.interval.ms": String(opts.statisticsIntervalMs) }
    : {};
  return { ...stats, ...s.options, "client.id": subscriptionClientId(opts.owner) };
}

/** A subscription's consumer group: its group.id, which Restate sets to the subscription id when none is given. */
const groupOf = (s: Subscription): string => s.options["group.id"] ?? s.id;

/**
 * Whether a subscription has the options we want. The consumer group only counts when the
 * desired state names one: otherwise it is Restate's default or a predecessor's (see below).
 */
function hasOptions(s: Subscription, want: Record<string, string>): boolean {
  const { "group.id": _have, ...have } = s.options;
  const { "group.id": group, ...rest } = want;
  return sameOptions(have, rest) && (group === undefined || group === groupOf(s));
}

function sameOptions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function planSubscriptions(
  desired: DesiredState,
  observed: Observed,
  after: ServicesAfter,
  opts: PlanOptions,
  out: Plan,
): void {
  const kept = new Set<string>();
  const wanted = new Set(desired.subscriptions.map((w) => `${w.source} ${w.sink}`));
  /** Ours on `source` feeding a sink nobody wants any more: the subscription a new sink takes over from. */
  const movedFrom = (source: string) =>
    observed.subscriptions.find(
      (s) =>
        s.source === source &&
        !wanted.has(`${s.source} ${s.sink}`) &&
        !kept.has(s.id) &&
        ownsSubscription(s, opts.owner),
    );
  for (const want of desired.subscriptions) {
    const { service, handler } = parseSink(want.sink);
    const target = after.get(service);
    if (!target) {
      out.problems.push({
        kind: "invalid",
        message: `subscription ${want.source} -> ${want.sink}: no endpoint serves service "${service}" (known: ${[...after.keys()].sort().join(", ") || "none"})`,
      });
      continue;
    }
    if (!target.handlers.includes(handler)) {
      out.problems.push({
        kind: "invalid",
        message: `subscription ${want.source} -> ${want.sink}: service "${service}" has no handler "${handler}" (it has: ${target.handlers.join(", ")})`,
      });
      continue;
    }
    const options = subscriptionOptions(want, opts);
    const same = observed.subscriptions.filter((s) => s.source === want.source && s.sink === want.sink);
    const mine = same.filter((s) => ownsSubscription(s, opts.owner));
    const exact = mine.find((s) => hasOptions(s, options));
    if (exact) {
      kept.add(exact.id);
      continue;
    }
    const foreign = same.find((s) => !ownsSubscription(s, opts.owner));
    if (foreign && !mine.length) {
      // Creating ours as well would consume every record twice.
      kept.add(foreign.id);
      out.notes.push(
        `subscription ${want.source} -> ${want.sink} is served by ${foreign.id}, which this registrar does not own; left alone`,
      );
      continue;
    }
    // Restate cannot update a subscription: ours with other options, or ours on the same topic
    // whose sink is no longer wanted (the topic moved to another handler), is replaced. It is
    // deleted first, and the replacement joins its consumer group, so it goes on from the
    // committed offsets: nothing is read twice by both, nor again from auto.offset.reset.
    const moved = mine.length ? undefined : movedFrom(want.source);
    const predecessors = moved ? [moved] : mine;
    for (const s of predecessors) {
      kept.add(s.id);
      out.actions.push({
        kind: "delete-subscription",
        id: s.id,
        source: s.source,
        sink: s.sink,
        reason: moved ? `moved to ${want.sink}` : "options changed, replaced",
      });
    }
    const predecessor = predecessors[0];
    const inherited: Record<string, string> =
      predecessor && options["group.id"] === undefined ? { "group.id": groupOf(predecessor) } : {};
    out.actions.push({
      kind: "create-subscription",
      source: want.source,
      sink: want.sink,
      options: { ...options, ...inherited },
    });
  }
  for (const s of observed.subscriptions) {
    if (kept.has(s.id)) continue;
    if (ownsSubscription(s, opts.owner))
      out.actions.push({
        kind: "delete-subscription",
        id: s.id,
        source: s.source,
        sink: s.sink,
        reason: "no longer desired",
      });
    else out.notes.push(`subscription ${s.id} ${s.source} -> ${s.sink} is not owned by this registrar; left alone`);
  }
}

/**
 * Old revisions: deployments this registrar registered that are no longer desired. One is removed
 * only when every service it exposes has its latest revision elsewhere (after this plan) and no
 * unfinished invocation is pinned to it; Restate only supports forced deletion, so that check is
 * what keeps in-flight invocations safe.
 */
function planOldDeployments(
  desired: DesiredState,
  observed: Observed,
  after: ServicesAfter,
  opts: PlanOptions,
  out: Plan,
): void {
  const wanted = new Set(desired.endpoints.map((e) => e.uri));
  for (const d of observed.deployments) {
    const uri = d.uri ? normalizeUri(d.uri) : d.id;
    const stillLatest = d.services.filter((s) => after.get(s.name)?.uri === uri).map((s) => s.name);
    if (wanted.has(uri)) {
      // A revision kept on purpose (the chart's endpoint.drainingRevisions): say when it may go.
      if (d.services.length && !stillLatest.length) {
        const pinned = observed.pinned[d.id] ?? 0;
        out.notes.push(
          pinned
            ? `deployment ${d.id} (${uri}) is an earlier revision, still draining: ${pinned} unfinished invocation(s) pinned to it`
            : `deployment ${d.id} (${uri}) is an earlier revision and drained: no invocation is pinned to it any more; it can leave the desired state`,
        );
      }
      continue;
    }
    if (!ownsDeployment(d, opts.owner)) continue;
    if (stillLatest.length) {
      out.notes.push(
        `deployment ${d.id} (${uri}) is no longer desired but still serves the latest revision of ${stillLatest.join(", ")}; left registered`,
      );
      continue;
    }
    const pinned = observed.pinned[d.id] ?? 0;
    if (pinned)
      out.notes.push(
        `old deployment ${d.id} (${uri}) is draining: ${pinned} unfinished invocation(s) pinned to it; removed on a later run`,
      );
    else out.actions.push({ kind: "remove-old-deployment", id: d.id, uri });
  }
}
