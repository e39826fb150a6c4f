import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CoreV1Api, RbacAuthorizationV1Api, type V1Service } from "@kubernetes/client-node";
import { createLogger } from "@food-ordering/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRestate } from "@food-ordering/testkit";
import { freePort } from "@food-ordering/testkit";
import type { ManagedProcess } from "@food-ordering/testkit";
import { AdminClient } from "../../src/admin-client.ts";
import { registrarConfig } from "../../src/config.ts";
import { DesiredStateError } from "../../src/desired-state.ts";
import { ANNOTATIONS } from "../../src/kube.ts";
import { KubeClient } from "../../src/kube-client.ts";
import { loadDesired, runPass, runWatch } from "../../src/runner.ts";
import { startTestEndpoint, type TestEndpoint } from "../support/endpoint.ts";
import { type ControlPlane, startControlPlane } from "./control-plane.ts";

/**
 * The registrar's Kubernetes side against a real kube-apiserver (with etcd), a real
 * restate-server and a test endpoint. The registrar talks to the API server as a user bound only
 * to the Role documented in docs/registrar.md, so these tests also prove that Role suffices.
 */
const NS = "shop";
const DESIRED = "registrar-desired";
const STATUS = "registrar-status";
const LABEL = "registrar.restate.dev/register";

let dir: string;
let cp: ControlPlane;
let core: CoreV1Api;
let kube: KubeClient;
let restate: ManagedProcess;
let admin: AdminClient;
let adminUrl: string;
let ep: TestEndpoint;
const log = createLogger("registrar", { LOG_LEVEL: "silent", LOG_FORMAT: "json" });

const desiredYaml = (extra = "") => `
kafkaClusters: [{ name: kafka, properties: { bootstrap.servers: "127.0.0.1:1" } }]
endpoints: [{ uri: "${ep.uri}" }]
subscriptions:
  - { source: kafka://kafka/orders, sink: service://sink/take }
${extra}`;

function configFor(over: Record<string, string> = {}) {
  return registrarConfig.parse({
    RESTATE_ADMIN_URL: adminUrl,
    DESIRED_STATE_FILE: "/etc/registrar/desired-state.yaml", // only its file name matters: the ConfigMap key
    DESIRED_STATE_CONFIGMAP: DESIRED,
    STATUS_CONFIGMAP: STATUS,
    NAMESPACE: NS,
    DISCOVERY_LABEL_SELECTOR: `${LABEL}=true`,
    OWNER: "kube-test",
    DEADLINE_MS: "5000",
    LOG_LEVEL: "silent",
    ...over,
  });
}

function labelledService(name: string, annotations: Record<string, string> = {}, labelled = true): V1Service {
  return {
    metadata: { name, namespace: NS, annotations, labels: labelled ? { [LABEL]: "true" } : {} },
    spec: {
      ports: [
        { name: "metrics", port: 9464 },
        { name: "restate", port: 9080 },
      ],
    },
  };
}

async function status(): Promise<Record<string, string>> {
  return (await core.readNamespacedConfigMap({ name: STATUS, namespace: NS })).data ?? {};
}
async function eventReasons(): Promise<string[]> {
  const list = await core.listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${DESIRED}` });
  return list.items.sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!)).map((e) => e.reason ?? "");
}
async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 150));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-kube-"));
  const [ingressPort, adminPort, nodePort] = [await freePort(), await freePort(), await freePort()];
  adminUrl = `http://127.0.0.1:${adminPort}`;
  admin = new AdminClient(adminUrl);
  restate = createRestate({
    dataDir: dir,
    logDir: path.join(dir, "logs"),
    ingressPort,
    adminPort,
    nodePort,
    rocksdbMemory: "128 MiB",
    partitions: 2,
  });
  [cp] = await Promise.all([startControlPlane(dir), restate.start()]);
  ep = await startTestEndpoint("v1");

  const adminKc = cp.kubeConfig("admin");
  core = adminKc.makeApiClient(CoreV1Api);
  const rbac = adminKc.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  // The least-privilege Role from docs/registrar.md, bound to the registrar's user.
  await rbac.createNamespacedRole({
    namespace: NS,
    body: {
      metadata: { name: "registrar" },
      rules: [
        { apiGroups: [""], resources: ["services"], verbs: ["list", "watch"] },
        { apiGroups: [""], resources: ["configmaps"], resourceNames: [DESIRED], verbs: ["get", "watch"] },
        { apiGroups: [""], resources: ["configmaps"], resourceNames: [STATUS], verbs: ["get", "update"] },
        { apiGroups: [""], resources: ["configmaps"], verbs: ["create"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create"] },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: NS,
    body: {
      metadata: { name: "registrar" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "registrar" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "registrar" }],
    },
  });
  await core.createNamespacedConfigMap({
    namespace: NS,
    body: { metadata: { name: DESIRED }, data: { "desired-state.yaml": desiredYaml() } },
  });
  kube = new KubeClient(NS, cp.kubeConfig("registrar"));
}, 120_000);

afterAll(async () => {
  await ep?.close();
  await Promise.all([cp?.stop(), restate?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("registrar with a real kube-apiserver", () => {
  it("reads the desired-state ConfigMap and adds the labelled Services as endpoints", async () => {
    await core.createNamespacedService({ namespace: NS, body: labelledService("endpoint") });
    await core.createNamespacedService({ namespace: NS, body: labelledService("unlabelled", {}, false) });
    const desired = await loadDesired(configFor(), kube);
    expect(desired.endpoints.map((e) => e.uri)).toEqual([`${ep.uri}/`, `http://endpoint.${NS}.svc:9080/`]);
    expect(desired.subscriptions.map((s) => s.sink)).toEqual(["service://sink/take"]);
  });

  it("a Service it cannot map fails the pass as invalid, reported in the status ConfigMap and a Warning Event", async () => {
    await core.createNamespacedService({
      namespace: NS,
      body: labelledService("broken", { [ANNOTATIONS.port]: "nope" }),
    });
    await expect(loadDesired(configFor(), kube)).rejects.toBeInstanceOf(DesiredStateError);
    const r = await runPass(configFor(), { dryRun: false, force: false }, log, kube);
    expect(r.outcome).toBe("invalid");
    expect(await status()).toMatchObject({
      result: "invalid",
      problems: expect.stringContaining(`Service ${NS}/broken: annotation ${ANNOTATIONS.port}="nope"`),
    });
    expect(await eventReasons()).toEqual(["InvalidDesiredState"]);
    expect(await admin.listDeployments()).toEqual([]);
    await core.deleteNamespacedService({ name: "broken", namespace: NS });
    await core.deleteNamespacedService({ name: "endpoint", namespace: NS });
  });

  it("a converging pass records its changes and emits a Changed Event; a quiet pass emits none", async () => {
    const first = await runPass(configFor(), { dryRun: false, force: false }, log, kube, "invalid");
    expect(first.outcome).toBe("converged");
    expect(await status()).toMatchObject({
      result: "converged",
      changes: [
        `create Kafka cluster kafka (127.0.0.1:1)`,
        `register endpoint ${ep.uri}/ (greeter, sink)`,
        "create subscription kafka://kafka/orders -> service://sink/take",
      ].join("\n"),
    });
    expect(await eventReasons()).toEqual(["InvalidDesiredState", "Changed"]);
    const before = await status();
    const quiet = await runPass(configFor(), { dryRun: false, force: false }, log, kube, "converged");
    expect(quiet).toMatchObject({ outcome: "converged", changes: [] });
    expect(await status()).toMatchObject({ result: "converged", changes: "", lastChangeTime: before.lastChangeTime });
    expect(await eventReasons()).toEqual(["InvalidDesiredState", "Changed"]);
  });

  it("watch re-reconciles when the desired-state ConfigMap or a labelled Service changes", async () => {
    // A period far beyond the test: only the watches can cause the passes checked below.
    const stop = runWatch(
      configFor({ WATCH_INTERVAL_MS: "3600000", DEADLINE_MS: "1500" }),
      { dryRun: false, force: false },
      log,
      kube,
    );
    try {
      const startPass = (await status()).lastReconcileTime;
      await waitFor(async () => (await status()).lastReconcileTime !== startPass);
      await core.replaceNamespacedConfigMap({
        name: DESIRED,
        namespace: NS,
        body: {
          metadata: { name: DESIRED },
          data: {
            "desired-state.yaml": desiredYaml("  - { source: kafka://kafka/greetings, sink: service://greeter/greet }"),
          },
        },
      });
      await waitFor(async () => (await admin.listSubscriptions()).some((s) => s.source === "kafka://kafka/greetings"));

      // A labelled Service appears whose DNS name this machine cannot resolve: the pass that it
      // triggers must fail as unavailable, naming it.
      await core.createNamespacedService({ namespace: NS, body: labelledService("new-endpoint") });
      await waitFor(
        async () => (await status()).problems?.includes(`endpoint http://new-endpoint.${NS}.svc:9080/`) ?? false,
      );
      expect((await status()).result).toBe("unavailable");
      await core.deleteNamespacedService({ name: "new-endpoint", namespace: NS });
      await waitFor(async () => (await status()).result === "converged");
    } finally {
      await stop();
    }
  });
});
