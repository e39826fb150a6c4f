import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { TOPICS } from "@food-ordering/contracts";
import { REPO_ROOT } from "@food-ordering/stack";
import { ensureKafkaJars, kafkaVersion } from "@food-ordering/stack";
import {
  byKind,
  effectiveValues,
  fullName,
  parseObjects,
  podTemplates,
  render,
  template,
  VARIANTS,
  type K8sObject,
  type Values,
} from "./chart.ts";

/**
 * kafka.mode bundled: one KRaft broker from the official apache/kafka image, configured only
 * through the image's environment contract. The contract is checked against the real thing: the
 * image's own launcher class (kafka.docker.KafkaDockerWrapper, in the Kafka jars of the version
 * the image carries, which the local stack resolves from Maven Central) turns the rendered env
 * into server.properties and formats the storage, and Kafka's KafkaConfig validates the result.
 */

/** Launcher variables the image does not turn into server properties (KafkaDockerWrapper's ExcludeServerPropsEnv). */
const LAUNCHER_ENV = new Set([
  "KAFKA_VERSION",
  "KAFKA_HEAP_OPTS",
  "KAFKA_LOG4J_OPTS",
  "KAFKA_OPTS",
  "KAFKA_JMX_OPTS",
  "KAFKA_JVM_PERFORMANCE_OPTS",
  "KAFKA_GC_LOG_OPTS",
  "KAFKA_LOG4J_ROOT_LOGLEVEL",
  "KAFKA_LOG4J_LOGGERS",
  "KAFKA_TOOLS_LOG4J_LOGLEVEL",
  "KAFKA_JMX_HOSTNAME",
]);

/** The image's env contract: KAFKA_FOO_BAR -> foo.bar, `__` -> `_`, `___` -> `-` (docker/examples/README.md). */
const propertyOf = (env: string): string =>
  env
    .replace(/^KAFKA_/, "")
    .toLowerCase()
    .replaceAll("_", ".")
    .replaceAll("...", "-")
    .replaceAll("..", "_");

const BUNDLED = Object.entries(VARIANTS).filter(([, v]) => effectiveValues(v).kafka.mode === "bundled");

type Env = Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
const brokerOf = (objects: K8sObject[]) =>
  byKind(objects, "StatefulSet").find((s) => s.metadata.labels?.["app.kubernetes.io/component"] === "kafka")!;
const brokerEnv = (objects: K8sObject[]): Env => brokerOf(objects).spec.template.spec.containers[0].env;
const clusterIdOf = (objects: K8sObject[]): string => brokerEnv(objects).find((e) => e.name === "CLUSTER_ID")!.value!;

it("has at least two bundled variants (the plain one and the local node's)", () => {
  expect(BUNDLED.map(([name]) => name)).toEqual(expect.arrayContaining(["bundled Kafka", "local node"]));
});

describe.each(BUNDLED)("variant %s", (_name, values) => {
  const objects = render(values);
  const v = effectiveValues(values);
  const sts = brokerOf(objects);
  const pod = sts.spec.template.spec;
  const container = pod.containers[0];

  it("runs one broker of the official image at the local stack's Kafka version, with its own volume", () => {
    expect(sts.spec.replicas).toBe(1);
    expect(container.image).toBe(`apache/kafka:${kafkaVersion()}`);
    expect(v.kafka.bundled.image.tag).toBe(kafkaVersion());
    expect(container.command).toBeUndefined(); // the image's entry point
    expect(container.args).toBeUndefined();
    const [claim] = sts.spec.volumeClaimTemplates;
    expect(claim.spec.resources.requests.storage).toBe(v.kafka.bundled.storage.size);
    expect(container.volumeMounts.find((m: { name: string }) => m.name === claim.metadata.name).mountPath).toBe(
      "/var/lib/kafka/data",
    );
    expect(container.resources).toEqual(v.kafka.bundled.resources);
    const headless = byKind(objects, "Service").find((s) => s.metadata.name === sts.spec.serviceName)!;
    expect(headless.spec.clusterIP).toBe("None");
    expect(byKind(objects, "Service").find((s) => s.metadata.name === fullName("kafka"))!.spec.ports).toEqual([
      { name: "client", port: 9092, targetPort: "client" },
    ]);
  });

  it("runs as the image's appuser (uid 1000) with fsGroup, and no Service links that would become KAFKA_* env", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 });
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.automountServiceAccountToken).toBe(false);
    // The launcher writes the final config and the broker its log files; the root filesystem stays read-only.
    const mounts = container.volumeMounts.map((m: { mountPath: string }) => m.mountPath).sort();
    expect(mounts).toEqual(["/opt/kafka/config", "/opt/kafka/logs", "/tmp", "/var/lib/kafka/data"]);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  it("names only variables of the image's contract: KAFKA_* server properties, launcher variables, CLUSTER_ID", () => {
    const env = brokerEnv(objects);
    for (const e of env) {
      if (e.name === "POD_IP") continue;
      if (e.name === "CLUSTER_ID") continue;
      expect(e.name, "a KAFKA_ variable in the contract's alphabet").toMatch(/^KAFKA_[A-Z0-9]+(_{1,3}[A-Z0-9]+)*$/);
      if (!LAUNCHER_ENV.has(e.name)) expect(propertyOf(e.name), e.name).toMatch(/^[a-z0-9]+([._-][a-z0-9]+)*$/);
    }
    expect(new Set(env.map((e) => e.name)).size).toBe(env.length);
    // Combined roles with a controller listener, as KRaft needs.
    const prop = (p: string) => env.find((e) => !LAUNCHER_ENV.has(e.name) && propertyOf(e.name) === p)?.value;
    expect(prop("process.roles")).toBe("broker,controller");
    expect(prop("controller.listener.names")).toBe("CONTROLLER");
    expect(prop("listeners")).toContain("CONTROLLER://");
    expect(prop("auto.create.topics.enable")).toBe("false");
  });

  it("advertises the pod IP from the downward API (reachable from pods and from the node)", () => {
    const env = brokerEnv(objects);
    const podIp = env.findIndex((e) => e.name === "POD_IP");
    const advertised = env.findIndex((e) => e.name === "KAFKA_ADVERTISED_LISTENERS");
    expect(env[podIp]!.valueFrom?.fieldRef?.fieldPath).toBe("status.podIP");
    // Kubernetes expands $(VAR) only from variables defined before it.
    expect(podIp).toBeLessThan(advertised);
    expect(env[advertised]!.value).toBe("PLAINTEXT://$(POD_IP):9092");
  });

  it("probes the client port and has no metrics endpoint to scrape", () => {
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe])
      expect(probe.tcpSocket.port).toBe("client");
    expect(container.ports.map((p: { name: string }) => p.name)).toEqual(["client"]);
    expect(
      byKind(objects, "PodMonitor")
        .concat(byKind(objects, "ServiceMonitor"))
        .map((m) => m.spec.selector),
    ).not.toContainEqual(
      expect.objectContaining({ matchLabels: expect.objectContaining({ "app.kubernetes.io/component": "kafka" }) }),
    );
    expect(sts.spec.template.metadata.labels["food-ordering.io/metrics"]).toBeUndefined();
  });

  it("creates the contract's topics with the configured partitions in a hook Job of the same image", () => {
    const job = byKind(objects, "Job").find((j) => j.metadata.name === fullName("kafka-topics"))!;
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toBe(container.image);
    const script: string = c.args.join("\n");
    expect(script).toMatch(
      /until \/opt\/kafka\/bin\/kafka-broker-api-versions\.sh --bootstrap-server "\$BOOTSTRAP_SERVER"/,
    );
    const created = [
      ...script.matchAll(
        new RegExp(
          String.raw`/opt/kafka/bin/kafka-topics\.sh --bootstrap-server "\$BOOTSTRAP_SERVER" --create --if-not-exists ` +
            String.raw`--topic (\S+) --partitions (\d+) --replication-factor (\d+)`,
          "g",
        ),
      ),
    ].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(created.sort()).toEqual(
      [
        [TOPICS.orders, v.kafka.topics.orders.partitions, 1],
        [TOPICS.driverUpdates, v.kafka.topics.driverUpdates.partitions, 1],
        [TOPICS.driverReports, v.kafka.topics.driverReports.partitions, 1],
        [TOPICS.orderUpdates, v.kafka.topics.orderUpdates.partitions, 1],
      ].sort(),
    );
    expect(c.env.find((e: { name: string }) => e.name === "BOOTSTRAP_SERVER").value).toBe(`${fullName("kafka")}:9092`);
    expect(job.spec.template.spec.enableServiceLinks).toBe(false);
  });
});

it("the bundled topics default to the Strimzi KafkaTopics' partitions", () => {
  const strimzi = Object.fromEntries(
    byKind(render({}), "KafkaTopic").map((t) => [t.spec.topicName, t.spec.partitions]),
  );
  const job = byKind(render(VARIANTS["bundled Kafka"]!), "Job").find(
    (j) => j.metadata.name === fullName("kafka-topics"),
  )!;
  const script: string = job.spec.template.spec.containers[0].args.join("\n");
  for (const [topic, partitions] of Object.entries(strimzi))
    expect(script).toContain(`--topic ${topic} --partitions ${partitions} `);
});

describe("CLUSTER_ID", () => {
  const bundled = VARIANTS["bundled Kafka"]!;
  const renderAs = (release: string, namespace: string, values: Values): K8sObject[] => {
    const r = template(values, release, namespace);
    expect(r.ok, r.output).toBe(true);
    return parseObjects(r.output);
  };

  it("is a KRaft cluster id: 16 bytes of URL-safe base64 without padding, not starting with '-'", () => {
    for (const [, values] of BUNDLED) {
      const id = clusterIdOf(render(values));
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      expect(Buffer.from(id, "base64url")).toHaveLength(16);
      expect(Buffer.from(id, "base64url").toString("base64url")).toBe(id);
    }
  });

  it("stays the same across upgrades that change other values (the volume was formatted with it)", () => {
    const before = clusterIdOf(render(bundled));
    const upgraded = {
      kafka: { mode: "bundled", bundled: { heap: "768m", storage: { size: "5Gi", storageClass: "" } } },
      global: { image: { tag: "0.2.0" } },
      restate: { replicas: 3 },
    };
    expect(clusterIdOf(render(upgraded))).toBe(before);
    expect(clusterIdOf(render(bundled))).toBe(before); // and is no random per render
  });

  it("differs per release and namespace, and kafka.bundled.clusterId overrides it", () => {
    const shop = clusterIdOf(renderAs("shop", "food", bundled));
    expect(clusterIdOf(renderAs("other", "food", bundled))).not.toBe(shop);
    expect(clusterIdOf(renderAs("shop", "elsewhere", bundled))).not.toBe(shop);
    const own = "MkU3OEVBNTcwNTJENDM2Qg";
    expect(clusterIdOf(render({ kafka: { mode: "bundled", bundled: { clusterId: own } } }))).toBe(own);
  });
});

/** A Java source run with the Kafka jars: every key of a server.properties is a broker config, and KafkaConfig accepts the file. */
const CHECK_JAVA = `
import java.io.FileReader;
import java.util.Properties;
import java.util.Set;

public class CheckServerProperties {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (FileReader r = new FileReader(args[0])) { props.load(r); }
    Set<String> names = kafka.server.KafkaConfig.configDef().names();
    for (String k : props.stringPropertyNames()) if (!names.contains(k)) System.out.println("UNKNOWN " + k);
    kafka.server.KafkaConfig.fromProps(props, false);
    System.out.println("VALID " + props.size());
  }
}
`;

describe.each(BUNDLED)("the image's launcher and Kafka %s", (_name, values) => {
  let libs: string;
  beforeAll(async () => {
    libs = await ensureKafkaJars(join(REPO_ROOT, ".cache"));
  }, 300_000);

  it("turn the rendered env into a server.properties Kafka accepts, and format the storage with CLUSTER_ID", () => {
    const objects = render(values);
    const env = brokerEnv(objects);
    const dir = mkdtempSync(join(tmpdir(), "kafka-bundled-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const d of ["defaults", "mounted", "final"]) mkdirSync(join(dir, d));
    // The pod's env as the kubelet hands it over (POD_IP from the downward API, $(POD_IP) expanded);
    // only the data directory moves from the volume's mount path into the temporary directory.
    const podEnv: Record<string, string> = { POD_IP: "127.0.0.1" };
    for (const e of env) if (e.value !== undefined) podEnv[e.name] = e.value.replaceAll("$(POD_IP)", podEnv.POD_IP!);
    const logDirs = podEnv.KAFKA_LOG_DIRS!;
    expect(logDirs.startsWith("/var/lib/kafka/data/")).toBe(true);
    podEnv.KAFKA_LOG_DIRS = join(dir, "data", logDirs.slice("/var/lib/kafka/data/".length));
    const java = (args: string[]) =>
      execFileSync("java", args, {
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
          ...podEnv,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
    // What /etc/kafka/docker/launch runs before it starts the broker.
    java([
      "-cp",
      `${libs}/*`,
      "kafka.docker.KafkaDockerWrapper",
      "setup",
      "--default-configs-dir",
      join(dir, "defaults"),
      "--mounted-configs-dir",
      join(dir, "mounted"),
      "--final-configs-dir",
      join(dir, "final"),
    ]);
    const serverProperties = join(dir, "final", "server.properties");
    const written = Object.fromEntries(
      readFileSync(serverProperties, "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    // Every KAFKA_* variable but the launcher's became exactly the property the contract names.
    const expected = Object.fromEntries(
      Object.entries(podEnv)
        .filter(([n]) => n.startsWith("KAFKA_") && !LAUNCHER_ENV.has(n))
        .map(([n, value]) => [propertyOf(n), value]),
    );
    expect(written).toEqual(expected);
    expect(written["advertised.listeners"]).toBe("PLAINTEXT://127.0.0.1:9092");
    const meta = readFileSync(join(podEnv.KAFKA_LOG_DIRS, "meta.properties"), "utf8");
    expect(meta).toContain(`cluster.id=${clusterIdOf(objects)}`);
    // Kafka's own config definition knows every key, and its validation accepts the whole.
    const check = join(dir, "CheckServerProperties.java");
    writeFileSync(check, CHECK_JAVA);
    const out = java(["-cp", `${libs}/*`, check, serverProperties]);
    expect(out.split("\n").filter((l) => l.startsWith("UNKNOWN"))).toEqual([]);
    expect(out).toContain(`VALID ${Object.keys(expected).length}`);
  }, 120_000);
});

it("renders no bundled broker or topics Job outside kafka mode bundled", () => {
  for (const [name, values] of Object.entries(VARIANTS).filter(
    ([, v]) => effectiveValues(v).kafka.mode !== "bundled",
  )) {
    const names = podTemplates(render(values)).map((p) => p.owner.metadata.name);
    expect(names, name).not.toContain(fullName("kafka"));
    expect(names, name).not.toContain(fullName("kafka-topics"));
  }
});
