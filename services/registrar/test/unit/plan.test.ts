import { describe, expect, it } from "vitest";
import type { DeploymentDetail, ServiceMetadata, ServiceType, Subscription } from "../../src/admin-client.ts";
import { parseDesiredState } from "../../src/desired-state.ts";
import { deploymentMarker, subscriptionClientId } from "../../src/ownership.ts";
import { type Action, describeAction, diffServices, type Discovered, type Observed, plan } from "../../src/plan.ts";

const OWNER = "test";
const EP = "http://127.0.0.1:9080/";
const MARKER = subscriptionClientId(OWNER);

const desired = parseDesiredState(
  `
kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "127.0.0.1:9092" } }]
endpoints: [{ uri: "${EP}" }]
subscriptions:
  - { source: kafka://kafka/orders, sink: service://greeter/greet, options: { auto.offset.reset: earliest } }
`,
  "test",
);

function svc(
  name: string,
  handlers: string[],
  deploymentId = "dp_1",
  ty: ServiceType = "Service",
  revision = 1,
): ServiceMetadata {
  return { name, ty, revision, deployment_id: deploymentId, handlers: handlers.map((h) => ({ name: h })) };
}
function deployment(id: string, uri: string, services: ServiceMetadata[], owned = true): DeploymentDetail {
  return { id, uri, services, ...(owned ? { metadata: deploymentMarker(OWNER) } : {}) };
}
function sub(
  id: string,
  options: Record<string, string>,
  source = "kafka://kafka/orders",
  sink = "service://greeter/greet",
): Subscription {
  return { id, source, sink, options: { ...options, "group.id": id } };
}

/** Restate as it looks after a successful run: the state every case below departs from. */
function converged(): Observed {
  const greeter = svc("greeter", ["greet"]);
  return {
    deployments: [deployment("dp_1", EP, [greeter])],
    services: [greeter],
    clusters: [{ name: "kafka", properties: { "bootstrap.servers": "127.0.0.1:9092" } }],
    subscriptions: [sub("sub_1", { "auto.offset.reset": "earliest", "client.id": MARKER })],
    pinned: {},
  };
}
const discoveredV1: Discovered = { [EP]: { services: [svc("greeter", ["greet"], "dp_1", "Service", 2)] } };
const kinds = (actions: Action[]) => actions.map((a) => a.kind);
const opts = { owner: OWNER, force: false };

describe("plan", () => {
  it("from an empty Restate: cluster, endpoint, then subscription, in that order", () => {
    const p = plan(
      desired,
      { deployments: [], services: [], clusters: [], subscriptions: [], pinned: {} },
      discoveredV1,
      opts,
    );
    expect(p.problems).toEqual([]);
    expect(kinds(p.actions)).toEqual(["create-kafka-cluster", "register-endpoint", "create-subscription"]);
    expect(p.actions[2]).toEqual({
      kind: "create-subscription",
      source: "kafka://kafka/orders",
      sink: "service://greeter/greet",
      options: { "auto.offset.reset": "earliest", "client.id": MARKER },
    });
  });

  it("nothing to do once converged (the generated group.id is not a difference)", () => {
    const p = plan(desired, converged(), discoveredV1, opts);
    expect(p).toEqual({ actions: [], notes: [], problems: [] });
  });

  it("recreates a subscription deleted behind its back", () => {
    const o = converged();
    o.subscriptions = [];
    expect(kinds(plan(desired, o, discoveredV1, opts).actions)).toEqual(["create-subscription"]);
  });

  it("deletes a stale subscription it owns and leaves a foreign one alone", () => {
    const o = converged();
    o.subscriptions.push(
      sub("sub_stale", { "client.id": MARKER }, "kafka://kafka/old"),
      sub("sub_foreign", {}, "kafka://kafka/manual"),
    );
    o.subscriptions.push(
      sub("sub_other_owner", { "client.id": subscriptionClientId("someone-else") }, "kafka://kafka/x"),
    );
    const p = plan(desired, o, discoveredV1, opts);
    expect(p.actions).toEqual([
      {
        kind: "delete-subscription",
        id: "sub_stale",
        source: "kafka://kafka/old",
        sink: "service://greeter/greet",
        reason: "no longer desired",
      },
    ]);
    expect(p.notes).toEqual([
      expect.stringContaining("sub_foreign kafka://kafka/manual -> service://greeter/greet is not owned"),
      expect.stringContaining("sub_other_owner"),
    ]);
  });

  it("does not duplicate a desired subscription that a foreign one already serves", () => {
    const o = converged();
    o.subscriptions = [sub("sub_manual", { "auto.offset.reset": "latest" })];
    const p = plan(desired, o, discoveredV1, opts);
    expect(p.actions).toEqual([]);
    expect(p.notes).toEqual([expect.stringContaining("served by sub_manual, which this registrar does not own")]);
  });

  it("replaces its own subscription whose options changed (Restate cannot update them)", () => {
    const o = converged();
    o.subscriptions = [sub("sub_1", { "auto.offset.reset": "latest", "client.id": MARKER })];
    const p = plan(desired, o, discoveredV1, opts);
    expect(kinds(p.actions)).toEqual(["delete-subscription", "create-subscription"]);
    expect(describeAction(p.actions[0]!)).toContain("options changed, replaced");
  });

  it("lets a replacement join its predecessor's consumer group, and takes that group for no difference afterwards", () => {
    const o = converged();
    o.subscriptions = [sub("sub_1", { "auto.offset.reset": "latest", "client.id": MARKER })];
    const p = plan(desired, o, discoveredV1, opts);
    // Same group, so it resumes from sub_1's committed offsets rather than from the earliest record.
    expect(p.actions[1]).toMatchObject({
      kind: "create-subscription",
      options: { "auto.offset.reset": "earliest", "client.id": MARKER, "group.id": "sub_1" },
    });
    o.subscriptions = [
      {
        id: "sub_2",
        source: "kafka://kafka/orders",
        sink: "service://greeter/greet",
        options: { "auto.offset.reset": "earliest", "client.id": MARKER, "group.id": "sub_1" },
      },
    ];
    expect(plan(desired, o, discoveredV1, opts).actions).toEqual([]);
  });

  it("moves a topic to another handler: deletes the old subscription first and goes on in its consumer group", () => {
    const d = parseDesiredState(
      `kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "127.0.0.1:9092" } }]
endpoints: [{ uri: "${EP}" }]
subscriptions:
  - { source: kafka://kafka/orders, sink: service://greeter/farewell, options: { auto.offset.reset: earliest } }`,
      "t",
    );
    const discovered: Discovered = {
      [EP]: { services: [svc("greeter", ["greet", "farewell"], "dp_1", "Service", 2)] },
    };
    const o = converged();
    o.services = [svc("greeter", ["greet", "farewell"])];
    o.deployments = [deployment("dp_1", EP, o.services)];
    const p = plan(d, o, discovered, opts);
    expect(p.problems).toEqual([]);
    expect(p.actions).toEqual([
      {
        kind: "delete-subscription",
        id: "sub_1",
        source: "kafka://kafka/orders",
        sink: "service://greeter/greet",
        reason: "moved to service://greeter/farewell",
      },
      {
        kind: "create-subscription",
        source: "kafka://kafka/orders",
        sink: "service://greeter/farewell",
        options: { "auto.offset.reset": "earliest", "client.id": MARKER, "group.id": "sub_1" },
      },
    ]);
    // With the new handler arriving in the same plan: the old subscription stops before the
    // endpoint's new revision becomes current, so nothing it still hands over meets the new code.
    const before = converged();
    expect(kinds(plan(d, before, discovered, opts).actions)).toEqual([
      "delete-subscription",
      "reregister-endpoint",
      "create-subscription",
    ]);
    const fresh = {
      kind: "create-subscription",
      source: "kafka://kafka/orders",
      sink: "service://greeter/farewell",
      options: { "auto.offset.reset": "earliest", "client.id": MARKER },
    };
    // A topic that gains a second sink keeps the first (in its own group).
    const both = parseDesiredState(
      `kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "127.0.0.1:9092" } }]
endpoints: [{ uri: "${EP}" }]
subscriptions:
  - { source: kafka://kafka/orders, sink: service://greeter/greet, options: { auto.offset.reset: earliest } }
  - { source: kafka://kafka/orders, sink: service://greeter/farewell, options: { auto.offset.reset: earliest } }`,
      "t",
    );
    expect(plan(both, o, discovered, opts).actions).toEqual([fresh]);
    // A foreign subscription on the topic is never taken over: it is only noted.
    o.subscriptions = [sub("sub_manual", {}, "kafka://kafka/orders", "service://greeter/greet")];
    expect(plan(d, o, discovered, opts).actions).toEqual([fresh]);
  });

  it("keeps a group.id the desired state names: a subscription in another group is replaced", () => {
    const d = parseDesiredState(
      `kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "127.0.0.1:9092" } }]
endpoints: [{ uri: "${EP}" }]
subscriptions:
  - { source: kafka://kafka/orders, sink: service://greeter/greet, options: { auto.offset.reset: earliest, group.id: orders-workflow } }`,
      "t",
    );
    const p = plan(d, converged(), discoveredV1, opts);
    expect(kinds(p.actions)).toEqual(["delete-subscription", "create-subscription"]);
    expect(p.actions[1]).toMatchObject({ options: { "group.id": "orders-workflow" } });
    const o = converged();
    o.subscriptions = [
      {
        id: "sub_9",
        source: "kafka://kafka/orders",
        sink: "service://greeter/greet",
        options: { "auto.offset.reset": "earliest", "client.id": MARKER, "group.id": "orders-workflow" },
      },
    ];
    expect(plan(d, o, discoveredV1, opts).actions).toEqual([]);
  });

  it("creates a missing cluster and updates a changed one, ignoring redacted secrets", () => {
    const d = parseDesiredState(
      `kafkaClusters:
  - { name: kafka, properties: { bootstrap.servers: "new:9092", sasl.password: s3cret } }
  - { name: second, properties: { bootstrap.servers: "b:9092" } }`,
      "t",
    );
    const o = converged();
    o.subscriptions = [];
    o.clusters = [{ name: "kafka", properties: { "bootstrap.servers": "old:9092", "sasl.password": "***" } }];
    const p = plan(d, o, {}, opts);
    expect(p.actions).toEqual([
      { kind: "update-kafka-cluster", cluster: d.kafkaClusters[0], changed: ["bootstrap.servers"] },
      { kind: "create-kafka-cluster", cluster: d.kafkaClusters[1] },
    ]);
    o.clusters = [
      { name: "kafka", properties: { "bootstrap.servers": "new:9092", "sasl.password": "***" } },
      { name: "second", properties: { "bootstrap.servers": "b:9092" } },
    ];
    expect(plan(d, o, {}, opts).actions).toEqual([]);
  });

  it("re-registers an endpoint whose handlers changed, reporting pinned invocations", () => {
    const o = converged();
    o.pinned = { dp_1: 3 };
    const p = plan(
      desired,
      o,
      { [EP]: { services: [svc("greeter", ["greet", "farewell"]), svc("extra", ["run"])] } },
      opts,
    );
    expect(p.actions).toEqual([
      {
        kind: "reregister-endpoint",
        uri: EP,
        useHttp11: false,
        deploymentId: "dp_1",
        changes: ["+greeter/farewell", "+service extra"],
        pinnedInvocations: 3,
      },
    ]);
    expect(describeAction(p.actions[0]!)).toContain("3 in-flight invocation(s) are pinned to it");
  });

  it("refuses an incompatible change (service type) unless forced, and forces unchanged endpoints on --force", () => {
    const changedType: Discovered = { [EP]: { services: [svc("greeter", ["greet"], "dp_1", "VirtualObject")] } };
    const refused = plan(desired, converged(), changedType, opts);
    expect(refused.actions).toEqual([]);
    expect(refused.problems).toEqual([
      {
        kind: "rejected",
        message: expect.stringMatching(
          /incompatible change \(greeter: service type Service -> VirtualObject\).*--force/,
        ),
      },
    ]);
    expect(kinds(plan(desired, converged(), changedType, { ...opts, force: true }).actions)).toEqual([
      "update-kafka-cluster",
      "reregister-endpoint",
    ]);
    const forced = plan(desired, converged(), discoveredV1, { ...opts, force: true });
    expect(forced.actions).toEqual([
      expect.objectContaining({ kind: "update-kafka-cluster" }),
      expect.objectContaining({ kind: "reregister-endpoint", changes: ["forced"] }),
    ]);
  });

  it("blocks the whole plan when a subscription's service or handler will not exist", () => {
    const d = parseDesiredState(
      `kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "k:9092" } }]
endpoints: [{ uri: "${EP}" }]
subscriptions:
  - { source: kafka://kafka/a, sink: service://nope/run }
  - { source: kafka://kafka/b, sink: service://greeter/nope }`,
      "t",
    );
    const p = plan(
      d,
      { deployments: [], services: [], clusters: [], subscriptions: [], pinned: {} },
      discoveredV1,
      opts,
    );
    expect(p.problems).toEqual([
      {
        kind: "invalid",
        message:
          'subscription kafka://kafka/a -> service://nope/run: no endpoint serves service "nope" (known: greeter)',
      },
      {
        kind: "invalid",
        message:
          'subscription kafka://kafka/b -> service://greeter/nope: service "greeter" has no handler "nope" (it has: greet)',
      },
    ]);
  });

  it("accepts a sink served by a deployment it does not manage", () => {
    const d = parseDesiredState(
      `kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "127.0.0.1:9092" } }]
subscriptions: [{ source: kafka://kafka/a, sink: service://other/run }]`,
      "t",
    );
    const other = svc("other", ["run"], "dp_x");
    const p = plan(
      d,
      {
        ...converged(),
        deployments: [deployment("dp_x", "http://x:1/", [other], false)],
        services: [other],
        subscriptions: [],
      },
      {},
      opts,
    );
    expect(p.problems).toEqual([]);
    expect(kinds(p.actions)).toEqual(["create-subscription"]);
  });

  it("passes discovery failures through as problems", () => {
    const p = plan(desired, converged(), { [EP]: { error: { kind: "unavailable", message: "endpoint down" } } }, opts);
    expect(p.problems).toEqual([{ kind: "unavailable", message: "endpoint down" }]);
  });

  describe("old revisions", () => {
    const OLD = "http://127.0.0.1:9081/";
    function moved(pinned: Record<string, number>, oldOwned = true): Observed {
      // greeter moved from OLD (dp_old) to EP (dp_1); dp_old is no longer desired.
      const o = converged();
      o.deployments.push(deployment("dp_old", OLD, [svc("greeter", ["greet"], "dp_old")], oldOwned));
      o.pinned = pinned;
      return o;
    }

    it("removes a superseded deployment it owns once no invocation is pinned to it", () => {
      expect(plan(desired, moved({}), discoveredV1, opts).actions).toEqual([
        { kind: "remove-old-deployment", id: "dp_old", uri: OLD },
      ]);
    });

    it("keeps it while invocations are pinned to it (draining)", () => {
      const p = plan(desired, moved({ dp_old: 2 }), discoveredV1, opts);
      expect(p.actions).toEqual([]);
      expect(p.notes).toEqual([
        expect.stringContaining("dp_old (http://127.0.0.1:9081/) is draining: 2 unfinished invocation(s)"),
      ]);
    });

    it("never removes one it does not own, nor one still serving a latest revision", () => {
      expect(plan(desired, moved({}, false), discoveredV1, opts).actions).toEqual([]);
      const o = moved({});
      o.deployments[1]!.services.push(svc("only-here", ["x"], "dp_old"));
      o.services.push(svc("only-here", ["x"], "dp_old"));
      const p = plan(desired, o, discoveredV1, opts);
      expect(p.actions).toEqual([]);
      expect(p.notes).toEqual([expect.stringContaining("still serves the latest revision of only-here")]);
    });

    it("keeps an earlier revision that is still desired, and says whether it has drained", () => {
      // The chart's endpoint.drainingRevisions: OLD listed before the current EP.
      const both = { ...desired, endpoints: [{ uri: OLD, useHttp11: false }, ...desired.endpoints] };
      const discovered: Discovered = { ...discoveredV1, [OLD]: { services: [svc("greeter", ["greet"], "dp_old")] } };
      const draining = plan(both, moved({ dp_old: 2 }), discovered, opts);
      expect([draining.actions, draining.problems]).toEqual([[], []]);
      expect(draining.notes).toEqual([
        expect.stringContaining(
          "dp_old (http://127.0.0.1:9081/) is an earlier revision, still draining: 2 unfinished invocation(s)",
        ),
      ]);
      const drained = plan(both, moved({}), discovered, opts);
      expect(drained.actions).toEqual([]);
      expect(drained.notes).toEqual([
        expect.stringContaining("dp_old (http://127.0.0.1:9081/) is an earlier revision and drained"),
      ]);
    });

    it("refuses to register an earlier-listed endpoint ahead of a later one Restate already has (it would become current)", () => {
      // OLD was never registered; EP (listed after it) is, and serves greeter already.
      const both = { ...desired, endpoints: [{ uri: OLD, useHttp11: false }, ...desired.endpoints] };
      const discovered: Discovered = { ...discoveredV1, [OLD]: { services: [svc("greeter", ["greet"], "dp_old")] } };
      const p = plan(both, converged(), discovered, opts);
      expect(p.problems).toEqual([
        {
          kind: "rejected",
          message: expect.stringMatching(
            /^endpoint http:\/\/127.0.0.1:9081\/: registering it would make it the current deployment of greeter, ahead of http:\/\/127.0.0.1:9080\//,
          ),
        },
      ]);
      // Both new (a first install with a draining revision listed): registered in order, the later one last.
      const fresh = plan(
        both,
        { deployments: [], services: [], clusters: [], subscriptions: [], pinned: {} },
        discovered,
        opts,
      );
      expect(fresh.problems).toEqual([]);
      expect(
        fresh.actions.filter((a) => a.kind === "register-endpoint").map((a) => (a as { uri: string }).uri),
      ).toEqual([OLD, EP]);
    });

    it("refuses when Restate already sends a service to another deployment than the desired endpoint; --force registers it again", () => {
      // Someone registered OTHER (not ours) after EP: greeter's new invocations go there.
      const OTHER = "http://127.0.0.1:9099/";
      const o = converged();
      const foreign = svc("greeter", ["greet"], "dp_x");
      o.deployments.push(deployment("dp_x", OTHER, [foreign], false));
      o.services = [foreign];
      const p = plan(desired, o, discoveredV1, opts);
      expect(p.problems).toEqual([
        {
          kind: "rejected",
          message: expect.stringMatching(
            /^Restate sends new invocations of greeter to http:\/\/127.0.0.1:9099\/, not to http:\/\/127.0.0.1:9080\/, the last endpoint listed for them; rerun with --force/,
          ),
        },
      ]);
      const forced = plan(desired, o, discoveredV1, { ...opts, force: true });
      expect(forced.problems).toEqual([]);
      expect(kinds(forced.actions)).toEqual(["update-kafka-cluster", "reregister-endpoint"]); // force re-sends the cluster too
    });

    it("predicts supersession by this plan's own registration", () => {
      // Restate still points greeter at dp_old; the desired endpoint is new and will take it over.
      const old = svc("greeter", ["greet"], "dp_old");
      const o: Observed = {
        deployments: [deployment("dp_old", OLD, [old])],
        services: [old],
        clusters: converged().clusters,
        subscriptions: converged().subscriptions,
        pinned: {},
      };
      expect(kinds(plan(desired, o, discoveredV1, opts).actions)).toEqual([
        "register-endpoint",
        "remove-old-deployment",
      ]);
    });
  });
});

describe("plan: the consumer statistics interval (what Restate's consumer-lag metric needs)", () => {
  const STATS = "statistics.interval.ms";
  const withStats = { ...opts, statisticsIntervalMs: 10_000 };
  const observedWith = (options: Record<string, string>): Observed => ({
    ...converged(),
    subscriptions: [sub("sub_1", { "auto.offset.reset": "earliest", "client.id": MARKER, ...options })],
  });

  it("sets it on every subscription it creates", () => {
    const o = converged();
    o.subscriptions = [];
    expect(plan(desired, o, discoveredV1, withStats).actions).toEqual([
      expect.objectContaining({ kind: "create-subscription", options: expect.objectContaining({ [STATS]: "10000" }) }),
    ]);
  });

  it("replaces a subscription without it, or with another interval, inside its consumer group", () => {
    for (const o of [converged(), observedWith({ [STATS]: "60000" })]) {
      const p = plan(desired, o, discoveredV1, withStats);
      expect(kinds(p.actions)).toEqual(["delete-subscription", "create-subscription"]);
      expect(p.actions[1]).toMatchObject({ options: { [STATS]: "10000", "group.id": "sub_1" } });
    }
    expect(plan(desired, observedWith({ [STATS]: "10000" }), discoveredV1, withStats).actions).toEqual([]);
  });

  it("0 means none: a subscription that has it is replaced by one without", () => {
    const p = plan(desired, observedWith({ [STATS]: "10000" }), discoveredV1, { ...opts, statisticsIntervalMs: 0 });
    expect(kinds(p.actions)).toEqual(["delete-subscription", "create-subscription"]);
    expect(p.actions[1]).toMatchObject({ options: { "group.id": "sub_1" } });
    expect(STATS in (p.actions[1] as { options: Record<string, string> }).options).toBe(false);
  });

  it("a subscription's own statistics.interval.ms wins over the registrar's", () => {
    const own = parseDesiredState(
      `kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "127.0.0.1:9092" } }]
endpoints: [{ uri: "${EP}" }]
subscriptions:
  - { source: kafka://kafka/orders, sink: service://greeter/greet, options: { auto.offset.reset: earliest, ${STATS}: 5000 } }`,
      "t",
    );
    expect(plan(own, observedWith({ [STATS]: "5000" }), discoveredV1, withStats).actions).toEqual([]);
  });
});

describe("diffServices", () => {
  it("lists added and removed services and handlers, and handler type changes, as compatible", () => {
    const before = [svc("a", ["x", "y"]), svc("gone", ["z"])];
    const after = [
      { ...svc("a", ["x", "w"]), handlers: [{ name: "x", ty: "Shared" }, { name: "w" }] },
      svc("b", ["q"]),
    ];
    expect(diffServices(before, after)).toEqual({
      breaking: [],
      compatible: ["+a/w", "+service b", "-a/y", "-service gone", "a/x: handler type null -> Shared"],
    });
  });
  it("finds no difference between identical schemas with other revisions", () => {
    expect(diffServices([svc("a", ["x"], "d1", "Workflow", 1)], [svc("a", ["x"], "d2", "Workflow", 7)])).toEqual({
      breaking: [],
      compatible: [],
    });
  });
});
