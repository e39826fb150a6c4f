import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRestate } from "@food-ordering/testkit";
import { freePort } from "@food-ordering/testkit";
import type { ManagedProcess } from "@food-ordering/testkit";
import { AdminClient } from "../../src/admin-client.ts";
import { parseDesiredState, type DesiredState } from "../../src/desired-state.ts";
import { subscriptionClientId } from "../../src/ownership.ts";
import { reconcile, type ReconcileOptions } from "../../src/reconcile.ts";
import { registrarConfig } from "../../src/config.ts";
import { runWatch } from "../../src/runner.ts";
import { createLogger } from "@food-ordering/kit";
import { startTestEndpoint, type TestEndpoint, type Variant } from "../support/endpoint.ts";

/**
 * The registrar against a real restate-server of its own (not the shared stack): one server for
 * the whole file, the cases run in order and each starts from the state the previous one left.
 * Kafka is not needed: Restate 1.7 accepts clusters and subscriptions without reaching a broker
 * (the consumers just retry in the background), so the cluster points at a closed port.
 */
const OWNER = "e2e";
const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const NODE = process.execPath;

let dir: string;
let restate: ManagedProcess;
let admin: AdminClient;
let ingressUrl: string;
let adminUrl: string;
const endpoints: TestEndpoint[] = [];
let brokerPort: number;

async function serve(variant: Variant, port = 0): Promise<TestEndpoint> {
  const ep = await startTestEndpoint(variant, port);
  endpoints.push(ep);
  return ep;
}
async function stop(ep: TestEndpoint): Promise<void> {
  await ep.close();
  endpoints.splice(endpoints.indexOf(ep), 1);
}

/** The desired state of these tests as YAML: the endpoints given, two subscriptions, and `extraSubs`. */
function yamlFor(uris: string[], extraSubs = ""): string {
  return `
kafkaClusters:
  - name: kafka
    properties: { bootstrap.servers: "127.0.0.1:${brokerPort}" }
endpoints: [${uris.map((u) => `{ uri: "${u}" }`).join(", ")}]
subscriptions:
  - { source: kafka://kafka/orders, sink: service://sink/take, options: { auto.offset.reset: earliest } }
  - { source: kafka://kafka/greetings, sink: service://greeter/greet }
${extraSubs}`;
}
const desiredFor = (uris: string[], extraSubs = ""): DesiredState =>
  parseDesiredState(yamlFor(uris, extraSubs), "test");

/** The consumer statistics interval the CLI sets by default (KAFKA_STATISTICS_INTERVAL_MS). */
const STATISTICS_INTERVAL_MS = registrarConfig.parse({}).KAFKA_STATISTICS_INTERVAL_MS;

const run = (desired: DesiredState, over: Partial<ReconcileOptions> = {}) =>
  reconcile(desired, {
    adminUrl,
    owner: OWNER,
    deadlineMs: 15_000,
    statisticsIntervalMs: STATISTICS_INTERVAL_MS,
    ...over,
  });

/** Runs the CLI as the local stack and the Helm Job do; returns its exit code and output. */
async function cli(args: string[], desiredFile: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(NODE, [MAIN, ...args], {
      env: {
        ...process.env,
        RESTATE_ADMIN_URL: adminUrl,
        DESIRED_STATE_FILE: desiredFile,
        OWNER,
        DEADLINE_MS: "10000",
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
      },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function restateState() {
  const [deployments, clusters, subscriptions] = await Promise.all([
    admin.listDeployments(),
    admin.listKafkaClusters(),
    admin.listSubscriptions(),
  ]);
  return { deployments, clusters, subscriptions };
}
const routes = (subs: { source: string; sink: string }[]) => subs.map((s) => `${s.source} -> ${s.sink}`).sort();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "registrar-e2e-"));
  const [ingressPort, adminPort, nodePort] = [await freePort(), await freePort(), await freePort()];
  brokerPort = await freePort(); // closed on purpose: no broker needed
  ingressUrl = `http://127.0.0.1:${ingressPort}`;
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
  await restate.start();
}, 60_000);

afterAll(async () => {
  for (const ep of [...endpoints]) await ep.close();
  await restate?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("registrar against a real restate-server", () => {
  let v1: TestEndpoint;
  let desiredFile: string;

  it("bad desired state: exits 2 with a clear error and applies nothing", async () => {
    v1 = await serve("v1");
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(
      bad,
      `endpoints: [{ uri: "${v1.uri}" }]\nsubscriptions: [{ source: kafka://kafka/orders, sink: service://sink/take }]\n`,
    );
    const r = await cli(["once"], bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('subscriptions.0.source: Kafka cluster \\"kafka\\" is not declared under kafkaClusters');

    // Valid syntax, but a sink no endpoint serves: found only after discovery, still before any write.
    const unknownHandler = await run(
      desiredFor([v1.uri], "  - { source: kafka://kafka/x, sink: service://greeter/nope }"),
    );
    expect(unknownHandler.outcome).toBe("invalid");
    expect(unknownHandler.problems.map((p) => p.message)).toEqual([
      'subscription kafka://kafka/x -> service://greeter/nope: service "greeter" has no handler "nope" (it has: greet)',
    ]);
    expect(await restateState()).toEqual({ deployments: [], clusters: [], subscriptions: [] });
  });

  it("dry run prints the plan and changes nothing", async () => {
    desiredFile = path.join(dir, "desired.yaml");
    fs.writeFileSync(desiredFile, yamlFor([v1.uri]));
    const r = await cli(["once", "--dry-run"], desiredFile);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("would "))).toEqual([
      `would create Kafka cluster kafka (127.0.0.1:${brokerPort})`,
      `would register endpoint ${v1.uri}/ (greeter, sink)`,
      "would create subscription kafka://kafka/orders -> service://sink/take",
      "would create subscription kafka://kafka/greetings -> service://greeter/greet",
    ]);
    expect(await restateState()).toEqual({ deployments: [], clusters: [], subscriptions: [] });
  });

  it("from empty to converged (the CLI exits 0 with a summary line)", async () => {
    const r = await cli(["once"], desiredFile);
    expect(r.code).toBe(0);
    const summary = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; result?: string })
      .find((l) => l.result);
    expect(summary).toMatchObject({ result: "converged", msg: expect.stringMatching(/^converged with 4 change\(s\)/) });
    const s = await restateState();
    expect(s.deployments).toEqual([
      expect.objectContaining({ uri: `${v1.uri}/`, metadata: { "managed-by": "restate-registrar", owner: OWNER } }),
    ]);
    expect(s.clusters).toEqual([
      expect.objectContaining({ name: "kafka", properties: { "bootstrap.servers": `127.0.0.1:${brokerPort}` } }),
    ]);
    expect(routes(s.subscriptions)).toEqual([
      "kafka://kafka/greetings -> service://greeter/greet",
      "kafka://kafka/orders -> service://sink/take",
    ]);
    expect(s.subscriptions.every((x) => x.options["client.id"] === subscriptionClientId(OWNER))).toBe(true);
    // librdkafka statistics, from which Restate exports its consumer lag.
    expect(s.subscriptions.map((x) => x.options["statistics.interval.ms"])).toEqual(["10000", "10000"]);
  });

  it("a second run reports no changes", async () => {
    const r = await run(desiredFor([v1.uri]));
    expect(r).toMatchObject({ outcome: "converged", changes: [], problems: [] });
  });

  it("drift repaired: a subscription deleted behind its back is recreated", async () => {
    const victim = (await admin.listSubscriptions()).find((s) => s.sink === "service://sink/take")!;
    await admin.deleteSubscription(victim.id);
    const r = await run(desiredFor([v1.uri]));
    expect(r).toMatchObject({
      outcome: "converged",
      changes: ["create subscription kafka://kafka/orders -> service://sink/take"],
    });
    expect(routes(await admin.listSubscriptions())).toContain("kafka://kafka/orders -> service://sink/take");
  });

  it("changed options replace a subscription inside its consumer group (so it resumes from the committed offsets)", async () => {
    const before = (await admin.listSubscriptions()).find((s) => s.sink === "service://sink/take")!;
    const changed = desiredFor([v1.uri]);
    changed.subscriptions[0]!.options["session.timeout.ms"] = "10000";
    const r = await run(changed);
    expect(r).toMatchObject({ outcome: "converged", problems: [] });
    expect(r.changes).toEqual([
      `delete subscription ${before.id} kafka://kafka/orders -> service://sink/take (options changed, replaced)`,
      "create subscription kafka://kafka/orders -> service://sink/take",
    ]);
    const after = (await admin.listSubscriptions()).find((s) => s.sink === "service://sink/take")!;
    expect(after.id).not.toBe(before.id);
    expect(after.options).toMatchObject({
      "group.id": before.options["group.id"] ?? before.id,
      "session.timeout.ms": "10000",
    });
    expect(await run(changed)).toMatchObject({ outcome: "converged", changes: [] });
    // Back to the file's options (same group again) for the cases below.
    expect((await run(desiredFor([v1.uri]))).changes).toHaveLength(2);
  });

  it("a changed statistics interval replaces the subscriptions inside their consumer groups, like other options", async () => {
    const before = await admin.listSubscriptions();
    const r = await run(desiredFor([v1.uri]), { statisticsIntervalMs: 30_000 });
    expect(r).toMatchObject({ outcome: "converged", problems: [] });
    expect(r.changes.filter((c) => c.startsWith("create subscription"))).toHaveLength(2);
    const after = await admin.listSubscriptions();
    for (const s of after) {
      const was = before.find((b) => b.source === s.source)!;
      expect(s.options).toMatchObject({
        "statistics.interval.ms": "30000",
        "group.id": was.options["group.id"] ?? was.id,
      });
    }
    expect(await run(desiredFor([v1.uri]), { statisticsIntervalMs: 30_000 })).toMatchObject({ changes: [] });
    // Back to the default for the cases below.
    expect((await run(desiredFor([v1.uri]))).changes).toHaveLength(4);
  });

  it("a stale owned subscription is removed, a foreign one kept", async () => {
    const stale = await admin.createSubscription({
      source: "kafka://kafka/stale",
      sink: "service://sink/take",
      options: { "client.id": subscriptionClientId(OWNER) },
    });
    const foreign = await admin.createSubscription({
      source: "kafka://kafka/manual",
      sink: "service://sink/take",
      options: {},
    });
    const r = await run(desiredFor([v1.uri]));
    expect(r.outcome).toBe("converged");
    expect(r.changes).toEqual([
      `delete subscription ${stale.id} kafka://kafka/stale -> service://sink/take (no longer desired)`,
    ]);
    expect(r.notes).toEqual([
      expect.stringContaining(
        `${foreign.id} kafka://kafka/manual -> service://sink/take is not owned by this registrar`,
      ),
    ]);
    const ids = (await admin.listSubscriptions()).map((s) => s.id);
    expect(ids).toContain(foreign.id);
    expect(ids).not.toContain(stale.id);
    await admin.deleteSubscription(foreign.id);
  });

  it("a changed endpoint is re-registered and its new handler is callable through ingress", async () => {
    const port = v1.port;
    await stop(v1);
    const v2 = await serve("v2", port);
    const r = await run(desiredFor([v2.uri]));
    expect(r.outcome).toBe("converged");
    expect(r.changes).toEqual([`re-register endpoint ${v2.uri}/ with force (+greeter/farewell)`]);
    const res = await fetch(`${ingressUrl}/greeter/farewell`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify("kafka"),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe("bye kafka");
    expect((await run(desiredFor([v2.uri]))).changes).toEqual([]);
    v1 = v2;
  });

  it("a topic moved to another handler: the new subscription replaces the old one inside its consumer group", async () => {
    const before = (await admin.listSubscriptions()).find((s) => s.source === "kafka://kafka/greetings")!;
    const moved = desiredFor([v1.uri]);
    moved.subscriptions[1]!.sink = "service://greeter/farewell";
    const r = await run(moved);
    expect(r).toMatchObject({ outcome: "converged", problems: [] });
    expect(r.changes).toEqual([
      `delete subscription ${before.id} kafka://kafka/greetings -> service://greeter/greet (moved to service://greeter/farewell)`,
      "create subscription kafka://kafka/greetings -> service://greeter/farewell",
    ]);
    const after = (await admin.listSubscriptions()).filter((s) => s.source === "kafka://kafka/greetings");
    expect(after.map((s) => s.sink)).toEqual(["service://greeter/farewell"]);
    expect(after[0]!.options["group.id"]).toBe(before.options["group.id"] ?? before.id);
    expect(await run(moved)).toMatchObject({ outcome: "converged", changes: [] });
    // And back, still in the same group, for the cases below.
    expect((await run(desiredFor([v1.uri]))).changes).toHaveLength(2);
    expect(
      (await admin.listSubscriptions()).find((s) => s.source === "kafka://kafka/greetings")!.options["group.id"],
    ).toBe(before.options["group.id"] ?? before.id);
  });

  it("an incompatible change is rejected at once with Restate's message, nothing applied", async () => {
    const v3 = await serve("v3");
    const before = await restateState();
    const r = await run(desiredFor([v1.uri, v3.uri]), { deadlineMs: 60_000 });
    expect(r.outcome).toBe("rejected");
    expect(r.problems.map((p) => p.message).join()).toMatch(/META0006.*changing the service type/);
    expect(r.durationMs).toBeLessThan(10_000); // not retried until the deadline
    expect(await restateState()).toEqual(before);
    await stop(v3);
  });

  it("an old revision is removed only once no invocation is pinned to it", async () => {
    // Start an invocation that suspends for an hour: it stays pinned to the deployment serving it.
    const send = await fetch(`${ingressUrl}/sink/nap/send`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "null",
    });
    const { invocationId } = (await send.json()) as { invocationId: string };
    let pinned: string | undefined;
    await waitFor(async () => {
      pinned =
        (
          await admin.query<{ d: string | null }>(
            `SELECT pinned_deployment_id AS d FROM sys_invocation_status WHERE id = '${invocationId}'`,
          )
        )[0]?.d ?? undefined;
      return !!pinned;
    }, 30_000);
    const old = (await admin.listDeployments()).find((d) => d.id === pinned)!;
    expect(old.uri).toBe(`${v1.uri}/`);

    // The chart's way: the earlier revision stays desired (listed first) while it drains.
    const moved = await serve("v2");
    const first = await run(desiredFor([v1.uri, moved.uri]));
    expect(first.outcome).toBe("converged");
    expect(first.changes).toEqual([`register endpoint ${moved.uri}/ (greeter, sink)`]);
    expect(first.notes).toEqual([
      expect.stringContaining(
        `deployment ${old.id} (${v1.uri}/) is an earlier revision, still draining: 1 unfinished invocation(s)`,
      ),
    ]);
    const latest = (await admin.listDeployments()).find((d) => d.uri === `${moved.uri}/`)!;
    expect(
      (await admin.listServices()).filter((s) => s.name === "greeter" || s.name === "sink").map((s) => s.deployment_id),
    ).toEqual([latest.id, latest.id]);
    // Without it in the desired state, the registrar still keeps it while something is pinned to it.
    const undesired = await run(desiredFor([moved.uri]));
    expect(undesired.changes).toEqual([]);
    expect(undesired.notes).toEqual([
      expect.stringContaining(`old deployment ${old.id} (${v1.uri}/) is draining: 1 unfinished invocation(s)`),
    ]);
    expect((await admin.listDeployments()).map((d) => d.id)).toContain(old.id);

    const kill = await fetch(`${adminUrl}/invocations/${invocationId}/kill`, { method: "PATCH" });
    expect(kill.ok).toBe(true);
    await waitFor(
      async () =>
        (
          await admin.query<{ n: number }>(
            `SELECT COUNT(*) AS n FROM sys_invocation_status WHERE pinned_deployment_id = '${old.id}' AND status != 'completed'`,
          )
        )[0]?.n === 0,
    );
    const drained = await run(desiredFor([v1.uri, moved.uri]));
    expect([drained.changes, drained.notes]).toEqual([
      [],
      [expect.stringContaining(`deployment ${old.id} (${v1.uri}/) is an earlier revision and drained`)],
    ]);
    const second = await run(desiredFor([moved.uri]));
    expect(second.changes).toEqual([
      `remove old deployment ${old.id} (${v1.uri}/): superseded and no invocation pinned to it`,
    ]);
    expect((await admin.listDeployments()).map((d) => d.uri)).toEqual([`${moved.uri}/`]);
    await stop(v1);
    v1 = moved;
  });

  it("an unreachable endpoint fails after the deadline with a specific message, nothing applied", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const before = await restateState();
    const r = await run(desiredFor([v1.uri, closed]), { deadlineMs: 1500 });
    expect(r.outcome).toBe("unavailable");
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(
        new RegExp(`^endpoint ${closed}/: discover ${closed}/: gave up after \\d+ ms: .*META0003.*Connection refused`),
      ),
    ]);
    expect(await restateState()).toEqual(before);
  });

  it("watch: follows edits of the desired-state file and repairs drift", async () => {
    const file = path.join(dir, "watched.yaml");
    const write = (extra: string) => fs.writeFileSync(file, yamlFor([v1.uri], extra));
    write("");
    const config = registrarConfig.parse({
      RESTATE_ADMIN_URL: adminUrl,
      DESIRED_STATE_FILE: file,
      OWNER,
      WATCH_INTERVAL_MS: "1000",
      DEADLINE_MS: "10000",
      LOG_LEVEL: "silent",
    });
    const stopWatch = runWatch(config, { dryRun: false, force: false }, createLogger("registrar", config));
    try {
      write("  - { source: kafka://kafka/farewells, sink: service://greeter/farewell }");
      await waitFor(async () =>
        routes(await admin.listSubscriptions()).includes("kafka://kafka/farewells -> service://greeter/farewell"),
      );
      const victim = (await admin.listSubscriptions()).find((s) => s.source === "kafka://kafka/orders")!;
      await admin.deleteSubscription(victim.id);
      await waitFor(async () =>
        routes(await admin.listSubscriptions()).includes("kafka://kafka/orders -> service://sink/take"),
      );
    } finally {
      await stopWatch();
    }
    expect((await run(desiredFor([v1.uri]))).changes).toEqual([
      expect.stringMatching(/^delete subscription sub_\w+ kafka:\/\/kafka\/farewells/),
    ]);
  });

  it("Restate started late: the registrar waits, then converges", async () => {
    const sub = (await admin.listSubscriptions()).find((s) => s.sink === "service://greeter/greet")!;
    await admin.deleteSubscription(sub.id);
    await restate.stop();
    const pending = run(desiredFor([v1.uri]), { deadlineMs: 40_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await restate.start();
    const r = await pending;
    expect(r).toMatchObject({
      outcome: "converged",
      changes: ["create subscription kafka://kafka/greetings -> service://greeter/greet"],
    });
    expect(r.durationMs).toBeGreaterThan(1500);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
