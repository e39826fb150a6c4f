import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { ManagedProcess } from "./process.ts";
import { canConnect } from "./ports.ts";

const run = promisify(execFile);
const PACKAGE_DIR = path.resolve(import.meta.dirname, "..");
const POM = path.join(PACKAGE_DIR, "kafka/pom.xml");

/** The Kafka version resolved from Maven Central, as pinned in tools/stack/kafka/pom.xml. */
export function kafkaVersion(): string {
  const m = /<kafka\.version>([^<]+)</.exec(fs.readFileSync(POM, "utf8"));
  if (!m?.[1]) throw new Error(`no <kafka.version> in ${POM}`);
  return m[1];
}

async function requireJava(): Promise<string> {
  const java = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin/java") : "java";
  let out: string;
  try {
    out = (await run(java, ["-version"])).stderr;
  } catch {
    throw new Error(
      "Kafka needs a Java runtime (JDK 17 or newer) and none was found: install one (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME, or point the stack at an existing cluster with KAFKA_BROKERS",
    );
  }
  const major = Number(/version "(\d+)/.exec(out)?.[1] ?? 0);
  if (major < 17) throw new Error(`Kafka ${kafkaVersion()} needs Java 17 or newer; found: ${out.split("\n")[0]}`);
  return java;
}

/** Resolves the official broker jars through Maven once into the cache; later calls are instant. */
export async function ensureKafkaJars(cacheDir: string): Promise<string> {
  const libs = path.join(cacheDir, `kafka-${kafkaVersion()}`, "libs");
  const marker = path.join(libs, ".complete");
  if (fs.existsSync(marker)) return libs;
  try {
    await run("mvn", ["-v"]);
  } catch {
    throw new Error(
      "resolving the Kafka jars needs Maven (mvn) on the PATH: install it (apt-get install maven) or set KAFKA_BROKERS to an existing cluster",
    );
  }
  fs.mkdirSync(libs, { recursive: true });
  await run(
    "mvn",
    ["-q", "-B", "-f", POM, "dependency:copy-dependencies", `-DoutputDirectory=${libs}`, "-DincludeScope=runtime"],
    {
      maxBuffer: 32 * 1024 * 1024,
    },
  ).catch((e: Error & { stdout?: string }) => {
    throw new Error(
      `mvn could not resolve Kafka ${kafkaVersion()} from Maven Central: ${e.message}\n${e.stdout ?? ""}`,
    );
  });
  fs.writeFileSync(marker, new Date().toISOString());
  return libs;
}

export interface KafkaOptions {
  dataDir: string;
  cacheDir: string;
  logDir: string;
  port: number;
  controllerPort: number;
  heapMb?: number;
}

/**
 * The JIT's C1 compiler only: a local broker restarts often and carries a few hundred records a
 * second, so C2's optimised code never repays its compilation. Measured at 12 orders/s on the
 * local stack: 40% less CPU to start (7.6-8.5 -> 4.6-5.1 s), 0.21-0.22 -> 0.12 cores in the
 * first minute and 0.12-0.14 -> 0.08-0.09 after, ~50 MB less RSS.
 */
const C1_ONLY = ["-XX:TieredStopAtLevel=1"];

/**
 * A KRaft cluster id as `kafka-storage random-uuid` makes one (16 random bytes, URL-safe base64,
 * never starting with "-"), without starting a JVM for it.
 */
export function kraftClusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

/** A single-node KRaft broker (broker + controller roles) on loopback. */
export async function createKafka(opts: KafkaOptions): Promise<ManagedProcess> {
  const java = await requireJava();
  const libs = await ensureKafkaJars(opts.cacheDir);
  const dir = path.join(opts.dataDir, "kafka");
  const logs = path.join(dir, "logs");
  fs.mkdirSync(dir, { recursive: true });
  const props = path.join(dir, "server.properties");
  fs.writeFileSync(
    props,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${opts.controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${opts.port},CONTROLLER://127.0.0.1:${opts.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${opts.port}`,
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      `log.dirs=${logs}`,
      "num.partitions=4",
      "auto.create.topics.enable=false",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=4",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "group.initial.rebalance.delay.ms=0",
      "log.retention.hours=24",
      "",
    ].join("\n"),
  );
  const classpath = `${libs}/*`;
  // Storage is formatted once per data dir; a restart keeps the data.
  if (!fs.existsSync(path.join(logs, "meta.properties"))) {
    await run(java, [
      ...C1_ONLY,
      "-cp",
      classpath,
      "kafka.tools.StorageTool",
      "format",
      "-t",
      kraftClusterId(),
      "-c",
      props,
      "--ignore-formatted",
    ]);
  }
  return new ManagedProcess({
    name: "kafka",
    command: java,
    args: [
      `-Xmx${opts.heapMb ?? 512}m`,
      `-Xms${Math.min(opts.heapMb ?? 512, 256)}m`,
      "-XX:+UseG1GC",
      ...C1_ONLY,
      "-Djava.awt.headless=true",
      `-Dlog4j2.configurationFile=${path.join(PACKAGE_DIR, "kafka/log4j2.properties")}`,
      "-cp",
      classpath,
      "kafka.Kafka",
      props,
    ],
    logDir: opts.logDir,
    readyTimeoutMs: 90_000,
    ready: async () => (await canConnect(opts.port)) && (await brokerAnswers(`127.0.0.1:${opts.port}`)),
  });
}

async function brokerAnswers(broker: string): Promise<boolean> {
  const admin = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Sets a broker quota on how many bytes a second one client id may fetch, or removes it (null),
 * with Kafka's own ConfigCommand: a consumer so throttled falls behind a topic while it runs,
 * which is how a test makes Restate's Kafka ingestion lag (its consumers' client.id is the
 * registrar's ownership marker).
 */
export async function setConsumerByteRate(
  cacheDir: string,
  brokers: string[],
  clientId: string,
  bytesPerSecond: number | null,
): Promise<void> {
  const [java, libs] = await Promise.all([requireJava(), ensureKafkaJars(cacheDir)]);
  const change =
    bytesPerSecond === null
      ? ["--delete-config", "consumer_byte_rate"]
      : ["--add-config", `consumer_byte_rate=${bytesPerSecond}`];
  const args = ["--bootstrap-server", brokers.join(","), "--alter", "--entity-type", "clients"];
  await run(java, [
    ...C1_ONLY,
    "-cp",
    `${libs}/*`,
    "kafka.admin.ConfigCommand",
    ...args,
    "--entity-name",
    clientId,
    ...change,
  ]);
}

/** Creates the topics that do not exist yet (idempotent). */
export async function ensureTopics(
  brokers: string[],
  topics: Array<{ topic: string; partitions: number }>,
): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
