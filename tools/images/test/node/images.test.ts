import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Kafka, logLevel } from "kafkajs";
import { freePort, kraftClusterId } from "@food-ordering/stack";
import { ensureImages, IMAGES, podman, RUN_FLAGS, ULIMIT_FLAGS } from "../../src/index.ts";

// Each image run the way this host allows (runc, cgroupfs, host network, low ulimits: the
// private podman configuration) and checked for what the chart relies on.
const started: string[] = [];
const dirs: string[] = [];

/**
 * An empty world-writable directory like a pod's emptyDir (podman 4.3 on this host mounts
 * --tmpfs 0755 root-owned whatever mode= says, which uid 1000 cannot write).
 */
function emptyDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "images-test-"));
  fs.chmodSync(d, 0o777);
  dirs.push(d);
  return d;
}
const ref = (part: string) => IMAGES().find((r) => r.name.includes(part))!.ref;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(image: string, args: string[], cmd: string[] = [], flags = RUN_FLAGS): Promise<string> {
  const name = `images-test-${crypto.randomBytes(4).toString("hex")}`;
  started.push(name);
  await podman(["run", "-d", "--name", name, ...flags, ...args, image, ...cmd]);
  return name;
}

async function logsOf(name: string): Promise<string> {
  const r = await podman(["logs", name], { allowFail: true });
  return (r.stdout + r.stderr).slice(-3000);
}

/** Polls until `ok` holds, failing with the container's log. */
async function until(name: string, what: string, ok: () => Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    const state = await podman(["inspect", "--format", "{{.State.Running}}", name], { allowFail: true });
    if (state.stdout.trim() === "false") throw new Error(`${name} exited before ${what}:\n${await logsOf(name)}`);
    await sleep(1000);
  }
  throw new Error(`${what} not within ${ms} ms:\n${await logsOf(name)}`);
}

const httpOk = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

beforeAll(async () => {
  // Cached archives make this a hash check; a cold machine builds everything (minutes).
  await ensureImages([], { say: () => {} });
}, 1_800_000);

afterAll(async () => {
  for (const name of started) await podman(["rm", "-f", "-v", "-t", "2", name], { allowFail: true });
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("images", () => {
  it("node base: Node 22.23.3 and npm, as the node user (uid 1000)", async () => {
    const r = await podman([
      "run",
      "--rm",
      ...RUN_FLAGS,
      "--user",
      "node",
      ref("node:"),
      "sh",
      "-c",
      'id -u; id -g; echo $HOME; node --version; npm --version; test -s "$NODE_EXTRA_CA_CERTS" && echo ca',
    ]);
    const [uid, gid, home, node, npm, ca] = r.stdout.trim().split("\n");
    expect({ uid, gid, home, node, ca }).toEqual({
      uid: "1000",
      gid: "1000",
      home: "/home/node",
      node: "v22.23.3",
      ca: "ca",
    });
    expect(npm).toMatch(/^10\.\d+\.\d+$/);
  });

  it("project image: the order-delivery endpoint answers /healthz on its metrics port", async () => {
    const [port, metrics] = [await freePort(), await freePort()];
    // The chart's way: read-only root, uid 1000 (the image's USER), a writable /tmp.
    const name = await start(ref("food-ordering"), [
      "--read-only",
      "--tmpfs",
      "/tmp",
      "-e",
      "LOG_FORMAT=json",
      "-e",
      `PORT=${port}`,
      "-e",
      `METRICS_PORT=${metrics}`,
    ]);
    await until(name, "/healthz", httpOk(`http://127.0.0.1:${metrics}/healthz`));
    expect((await podman(["exec", name, "id", "-u"])).stdout.trim()).toBe("1000");
    expect(await logsOf(name)).toMatch(/"msg":"service endpoint listening"/);
  }, 180_000);

  it("restate: restate-server starts as the chart runs it and answers the admin /health", async () => {
    const [admin, ingress, node] = [await freePort(), await freePort(), await freePort()];
    // As the chart's StatefulSet: uid 1000, read-only root, /restate-data and /tmp on volumes;
    // the image's entry point with only the arguments after it.
    const name = await start(
      ref("restate"),
      [
        "--user",
        "1000:1000",
        "--read-only",
        "-v",
        `${emptyDir()}:/restate-data`,
        "-v",
        `${emptyDir()}:/tmp`,
        "-e",
        `RESTATE_ADMIN__BIND_ADDRESS=127.0.0.1:${admin}`,
        "-e",
        `RESTATE_INGRESS__BIND_ADDRESS=127.0.0.1:${ingress}`,
        "-e",
        `RESTATE_BIND_ADDRESS=127.0.0.1:${node}`,
        "-e",
        `RESTATE_ADVERTISED_ADDRESS=http://127.0.0.1:${node}`,
      ],
      ["--node-name", "n1"],
    );
    await until(name, "admin /health", httpOk(`http://127.0.0.1:${admin}/health`));
    // Data under the default base dir (working dir /).
    const ls = await podman(["exec", name, "sh", "-c", "ls /restate-data; command -v restate-server curl"]);
    expect(ls.stdout).toContain("n1");
    expect(ls.stdout).toContain("/usr/local/bin/restate-server");
  }, 180_000);

  it("kafka: a KRaft broker from env vars only; kafka-topics.sh inside, produce from the host", async () => {
    const [client, controller] = [await freePort(), await freePort()];
    const broker = `127.0.0.1:${client}`;
    // The chart's bundled broker: uid 1000, read-only root, config/logs/data on empty volumes.
    const name = await start(ref("kafka"), [
      "--read-only",
      ...["/opt/kafka/config", "/opt/kafka/logs", "/var/lib/kafka/data", "/tmp"].flatMap((d) => [
        "-v",
        `${emptyDir()}:${d}`,
      ]),
      ...Object.entries({
        CLUSTER_ID: kraftClusterId(),
        KAFKA_NODE_ID: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_LISTENERS: `PLAINTEXT://127.0.0.1:${client},CONTROLLER://127.0.0.1:${controller}`,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${broker}`,
        KAFKA_CONTROLLER_QUORUM_VOTERS: `1@127.0.0.1:${controller}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
        KAFKA_LOG_DIRS: "/var/lib/kafka/data/kraft-combined-logs",
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
        KAFKA_HEAP_OPTS: "-Xms256m -Xmx256m",
      }).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    ]);
    const topics = (args: string[]) =>
      podman(
        [
          "exec",
          "-e",
          "KAFKA_HEAP_OPTS=-Xmx128m",
          name,
          "/opt/kafka/bin/kafka-topics.sh",
          "--bootstrap-server",
          broker,
          ...args,
        ],
        {
          allowFail: true,
        },
      );
    await until(name, "the broker", async () => (await topics(["--list"])).code === 0, 150_000);

    expect((await podman(["exec", name, "id", "-u"])).stdout.trim()).toBe("1000");
    const props = (await podman(["exec", name, "cat", "/opt/kafka/config/server.properties"])).stdout;
    expect(props).toContain("auto.create.topics.enable=false");
    expect(props).not.toContain("heap.opts");

    const created = await topics(["--create", "--topic", "orders", "--partitions", "2", "--replication-factor", "1"]);
    expect(created.code, created.stderr).toBe(0);
    expect((await topics(["--describe", "--topic", "orders"])).stdout).toContain("PartitionCount: 2");

    // The chart's topics Job: a second container of the image, read-only root, only /tmp writable.
    const job = await podman([
      "run",
      "--rm",
      ...RUN_FLAGS,
      "--read-only",
      "-v",
      `${emptyDir()}:/tmp`,
      "-e",
      "KAFKA_HEAP_OPTS=-Xmx128m",
      ref("kafka"),
      "/bin/sh",
      "-c",
      `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server ${broker} >/dev/null && /opt/kafka/bin/kafka-topics.sh ` +
        `--bootstrap-server ${broker} --create --if-not-exists --topic driver-updates --partitions 2 --replication-factor 1`,
    ]);
    expect(job.code).toBe(0);

    const kafka = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "orders",
      messages: [
        { key: "a", value: "1" },
        { key: "b", value: "2" },
      ],
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets("orders");
    await admin.disconnect();
    expect(offsets.reduce((n, p) => n + Number(p.high), 0)).toBe(2);
  }, 300_000);

  it("kafka: with no configuration at all, a combined broker + controller on 9092", async () => {
    // Its own network namespace: the default ports (9092, 29092, 29093) may be taken on the host.
    const name = await start(ref("kafka"), ["--network", "none", "-e", "KAFKA_HEAP_OPTS=-Xmx256m"], [], ULIMIT_FLAGS);
    const list = () =>
      podman(
        [
          "exec",
          "-e",
          "KAFKA_HEAP_OPTS=-Xmx128m",
          name,
          "kafka-topics.sh",
          "--bootstrap-server",
          "localhost:9092",
          "--list",
        ],
        {
          allowFail: true,
        },
      );
    await until(name, "the default broker", async () => (await list()).code === 0, 150_000);
    const props = (await podman(["exec", name, "cat", "/opt/kafka/config/server.properties"])).stdout;
    expect(props).toContain("process.roles=broker,controller");
    expect(props).toContain("log.dirs=/var/lib/kafka/data");
    expect((await podman(["exec", name, "ls", "/var/lib/kafka/data"])).stdout).toContain("meta.properties");
  }, 300_000);
});
