import type { V1Service } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { DesiredStateError } from "../../src/desired-state.ts";
import {
  ANNOTATIONS,
  desiredStateOfConfigMap,
  endpointOfService,
  endpointsOfServices,
  reconcileEvent,
  shouldEmitEvent,
  statusConfigMap,
} from "../../src/kube.ts";
import type { ReconcileResult } from "../../src/reconcile.ts";

/**
 * The Kubernetes side as pure functions over API objects, case by case. The same code against a
 * real kube-apiserver (with RBAC, watches and Events) is exercised in test/kube.
 */
function service(
  name: string,
  ports: { name?: string; port: number }[],
  annotations: Record<string, string> = {},
): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "shop", annotations, labels: { "restate.dev/register": "true" } },
    spec: { ports },
  };
}

function result(over: Partial<ReconcileResult> = {}): ReconcileResult {
  return {
    outcome: "converged",
    changes: [],
    notes: [],
    problems: [],
    startedAt: new Date("2026-01-02T03:04:05.000Z"),
    durationMs: 42,
    ...over,
  };
}

describe("endpoint discovery from Services", () => {
  it("uses the Service DNS name and its only port", () => {
    expect(endpointOfService(service("endpoint", [{ port: 9080 }]))).toEqual({ uri: "http://endpoint.shop.svc:9080/" });
  });

  it("prefers the port named restate among several", () => {
    expect(
      endpointOfService(
        service("endpoint", [
          { name: "metrics", port: 9464 },
          { name: "restate", port: 9080 },
        ]),
      ),
    ).toEqual({ uri: "http://endpoint.shop.svc:9080/" });
  });

  it("follows the annotations for port (number or name), path and scheme", () => {
    const ports = [
      { name: "metrics", port: 9464 },
      { name: "h2", port: 9080 },
    ];
    expect(
      endpointOfService(
        service("ep", ports, {
          [ANNOTATIONS.port]: "h2",
          [ANNOTATIONS.path]: "/restate",
          [ANNOTATIONS.scheme]: "https",
        }),
      ),
    ).toEqual({
      uri: "https://ep.shop.svc:9080/restate",
    });
    expect(endpointOfService(service("ep", ports, { [ANNOTATIONS.port]: "9999" }))).toEqual({
      uri: "http://ep.shop.svc:9999/",
    });
  });

  it("says precisely why a Service cannot be used", () => {
    const two = [
      { name: "a", port: 1 },
      { name: "b", port: 2 },
    ];
    expect(endpointOfService(service("ep", two))).toEqual({
      problem: 'Service shop/ep: has 2 ports and none named "restate"; set annotation registrar.restate.dev/port',
    });
    expect(endpointOfService(service("ep", two, { [ANNOTATIONS.port]: "c" }))).toEqual({
      problem:
        'Service shop/ep: annotation registrar.restate.dev/port="c" is neither a port number nor the name of one of its ports',
    });
    expect(endpointOfService(service("ep", two, { [ANNOTATIONS.port]: "a", [ANNOTATIONS.scheme]: "grpc" }))).toEqual({
      problem: 'Service shop/ep: annotation registrar.restate.dev/scheme="grpc" must be http or https',
    });
    expect(endpointOfService(service("ep", two, { [ANNOTATIONS.port]: "a", [ANNOTATIONS.path]: "x" }))).toEqual({
      problem: 'Service shop/ep: annotation registrar.restate.dev/path="x" must start with /',
    });
  });

  it("collects URIs (sorted, once) and problems over a list", () => {
    const r = endpointsOfServices([
      service("b", [{ port: 1 }]),
      service("a", [{ port: 1 }]),
      service("a", [{ port: 1 }]),
      service("c", []),
    ]);
    expect(r).toEqual({
      uris: ["http://a.shop.svc:1/", "http://b.shop.svc:1/"],
      problems: [expect.stringContaining("Service shop/c: has 0 ports")],
    });
  });
});

describe("desired state from its ConfigMap", () => {
  const cm = (data: Record<string, string>) => ({ metadata: { name: "registrar-desired", namespace: "shop" }, data });

  it("parses the key named like the mounted file", () => {
    const d = desiredStateOfConfigMap(
      cm({ "desired-state.yaml": "endpoints: [{ uri: 'http://ep.shop.svc:9080' }]" }),
      "desired-state.yaml",
    );
    expect(d.endpoints).toEqual([{ uri: "http://ep.shop.svc:9080/", useHttp11: false }]);
  });

  it("names the ConfigMap, the key and the problem", () => {
    expect(() => desiredStateOfConfigMap(cm({ other: "" }), "desired-state.yaml")).toThrow(
      /ConfigMap shop\/registrar-desired key desired-state\.yaml.*no key "desired-state\.yaml" \(keys: other\)/s,
    );
    expect(() =>
      desiredStateOfConfigMap(cm({ "desired-state.yaml": "endpoints: [{ uri: nope }]" }), "desired-state.yaml"),
    ).toThrow(DesiredStateError);
  });
});

describe("status ConfigMap", () => {
  it("records time, result, summary and changes, and keeps the last change time across quiet passes", () => {
    const changed = statusConfigMap("registrar-status", "shop", result({ changes: ["create subscription a -> b"] }));
    expect(changed.metadata).toEqual({
      name: "registrar-status",
      namespace: "shop",
      labels: { "app.kubernetes.io/managed-by": "restate-registrar" },
    });
    expect(changed.data).toEqual({
      lastReconcileTime: "2026-01-02T03:04:05.000Z",
      result: "converged",
      summary: "converged with 1 change(s): create subscription a -> b in 42 ms",
      changes: "create subscription a -> b",
      problems: "",
      notes: "",
      lastChangeTime: "2026-01-02T03:04:05.000Z",
    });
    const quiet = statusConfigMap(
      "registrar-status",
      "shop",
      result({ startedAt: new Date("2026-01-02T04:00:00.000Z") }),
      {
        ...changed,
        metadata: { ...changed.metadata, resourceVersion: "77" },
      },
    );
    expect(quiet.metadata?.resourceVersion).toBe("77");
    expect(quiet.data).toMatchObject({
      lastReconcileTime: "2026-01-02T04:00:00.000Z",
      changes: "",
      lastChangeTime: "2026-01-02T03:04:05.000Z",
    });
  });

  it("shows a failure with its problems", () => {
    const cm = statusConfigMap(
      "s",
      "shop",
      result({ outcome: "unavailable", problems: [{ kind: "unavailable", message: "Restate unreachable" }] }),
    );
    expect(cm.data).toMatchObject({
      result: "unavailable",
      problems: "unavailable: Restate unreachable",
      summary: "unavailable: Restate unreachable (nothing applied) in 42 ms",
    });
  });
});

describe("Events", () => {
  it("are emitted for changes, failures and recoveries, not for quiet periodic passes", () => {
    expect(shouldEmitEvent(result(), "converged")).toBe(false);
    expect(shouldEmitEvent(result(), undefined)).toBe(false);
    expect(shouldEmitEvent(result({ changes: ["x"] }), "converged")).toBe(true);
    expect(shouldEmitEvent(result({ outcome: "rejected" }), "rejected")).toBe(true);
    expect(shouldEmitEvent(result(), "unavailable")).toBe(true);
  });

  it("are core/v1 Events on the desired-state ConfigMap with a reason per outcome", () => {
    const now = new Date("2026-01-02T03:04:05.000Z");
    const e = reconcileEvent(
      result({ changes: ["register endpoint http://ep/"] }),
      { name: "desired", namespace: "shop", uid: "u-1" },
      { now, instance: "pod-1" },
    );
    expect(e).toMatchObject({
      involvedObject: { apiVersion: "v1", kind: "ConfigMap", name: "desired", namespace: "shop", uid: "u-1" },
      reason: "Changed",
      type: "Normal",
      message: "converged with 1 change(s): register endpoint http://ep/ in 42 ms",
      source: { component: "restate-registrar" },
      reportingInstance: "pod-1",
      firstTimestamp: now,
      count: 1,
    });
    expect(e.metadata?.name).toMatch(/^desired\.[0-9a-f]+$/);
    const failed = reconcileEvent(
      result({ outcome: "invalid", problems: [{ kind: "invalid", message: "x".repeat(3000) }] }),
      { name: "d", namespace: "shop" },
      { now, instance: "p" },
    );
    expect(failed).toMatchObject({ reason: "InvalidDesiredState", type: "Warning" });
    expect(failed.message).toHaveLength(1024);
    expect(failed.involvedObject).not.toHaveProperty("uid");
  });
});
