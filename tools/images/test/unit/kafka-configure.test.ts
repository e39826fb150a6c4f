import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ASSETS_DIR } from "../../src/paths.ts";

// The stand-in Kafka image's env-var contract, run on the host's bash exactly as the image runs it.
const DEFAULTS = path.join(ASSETS_DIR, "kafka", "docker");
const CONFIGURE = path.join(DEFAULTS, "configure");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function configure(env: Record<string, string>, mounted: Record<string, string> = {}) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-cfg-"));
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-mnt-"));
  dirs.push(out, mnt);
  for (const [f, text] of Object.entries(mounted)) fs.writeFileSync(path.join(mnt, f), text);
  // Only the given variables: the host's own environment must not leak in.
  const r = spawnSync("bash", [CONFIGURE, "--out", out, "--mounted", mnt, "--defaults", DEFAULTS], {
    env: { PATH: process.env.PATH!, ...env },
    encoding: "utf8",
  });
  const read = (f: string) => (fs.existsSync(path.join(out, f)) ? fs.readFileSync(path.join(out, f), "utf8") : "");
  const server = read("server.properties");
  const props = new Map(
    server
      .split("\n")
      .filter((l) => l.includes("=") && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const),
  );
  return { status: r.status, stderr: r.stderr, server, props, log4j: read("log4j2.properties") };
}

describe("kafka image configure (KAFKA_* env -> server.properties)", () => {
  it("maps names: prefix dropped, lower case, _ -> ., __ -> _, ___ -> -", () => {
    const { status, props } = configure({
      KAFKA_LOG_RETENTION_MS: "1000",
      KAFKA_LISTENER_NAME_INTERNAL_SSL_CLIENT__AUTH: "required",
      KAFKA_CONFLUENT___SOME_THING: "x",
      KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://a:1,CONTROLLER_X://b:2",
    });
    expect(status).toBe(0);
    expect(props.get("log.retention.ms")).toBe("1000");
    expect(props.get("listener.name.internal.ssl.client_auth")).toBe("required");
    expect(props.get("confluent-some.thing")).toBe("x");
    // Values are taken verbatim (underscores in values stay).
    expect(props.get("advertised.listeners")).toBe("PLAINTEXT://a:1,CONTROLLER_X://b:2");
  });

  it("keeps the launcher's variables out of the properties", () => {
    const { props } = configure({
      KAFKA_HEAP_OPTS: "-Xmx128m",
      KAFKA_OPTS: "-Dx=1",
      KAFKA_JVM_PERFORMANCE_OPTS: "-server",
      KAFKA_LOG4J_OPTS: "-Dy",
      KAFKA_JMX_PORT: "9999",
      KAFKA_LOG4J_LOGGERS: "kafka.controller=WARN",
    });
    for (const k of ["heap.opts", "opts", "jvm.performance.opts", "log4j.opts", "jmx.port", "log4j.loggers"])
      expect(props.has(k)).toBe(false);
  });

  it("fills unset variables with a single combined broker + controller", () => {
    const { props } = configure({});
    expect(props.get("process.roles")).toBe("broker,controller");
    expect(props.get("node.id")).toBe("1");
    expect(props.get("controller.quorum.voters")).toBe("1@localhost:29093");
    expect(props.get("listeners")).toContain("PLAINTEXT_HOST://0.0.0.0:9092");
    expect(props.get("log.dirs")).toBe("/var/lib/kafka/data");
    expect(props.get("offsets.topic.replication.factor")).toBe("1");
  });

  it("lets set variables win over the defaults", () => {
    const { props } = configure({ KAFKA_NODE_ID: "7", KAFKA_LOG_DIRS: "/data/x" });
    expect(props.get("node.id")).toBe("7");
    expect(props.get("log.dirs")).toBe("/data/x");
  });

  it("refuses advertised listeners on a controller-only node", () => {
    const r = configure({ KAFKA_PROCESS_ROLES: "controller", KAFKA_ADVERTISED_LISTENERS: "PLAINTEXT://x:1" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not supported on a KRaft controller/);
  });

  it("extends a mounted server.properties with the variables", () => {
    const { server, props } = configure(
      { KAFKA_NUM_PARTITIONS: "3" },
      { "server.properties": "message.max.bytes=42\n" },
    );
    expect(server.startsWith("message.max.bytes=42\n")).toBe(true);
    expect(props.get("num.partitions")).toBe("3");
  });

  it("applies the log level variables to the log4j2 configuration", () => {
    const { log4j } = configure({
      KAFKA_LOG4J_ROOT_LOGLEVEL: "WARN",
      KAFKA_LOG4J_LOGGERS: "kafka.server=DEBUG,org.x=ERROR",
    });
    expect(log4j).toContain("rootLogger.level=WARN");
    expect(log4j).toContain("logger.env1.name=kafka.server\nlogger.env1.level=DEBUG");
    expect(log4j).toContain("logger.env2.name=org.x\nlogger.env2.level=ERROR");
  });

  it("writes a stable (sorted) file, whatever the environment's order", () => {
    const a = configure({ KAFKA_B_X: "1", KAFKA_A_X: "2" }).server;
    const b = configure({ KAFKA_A_X: "2", KAFKA_B_X: "1" }).server;
    expect(a).toBe(b);
    expect(a.indexOf("a.x=")).toBeLessThan(a.indexOf("b.x="));
  });
});
