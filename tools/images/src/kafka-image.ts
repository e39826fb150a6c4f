import fs from "node:fs";
import path from "node:path";
import { ensureKafkaJars, kafkaVersion } from "@food-ordering/stack";
import { hashFiles, hashParts, treeFiles } from "./cache.ts";
import { importRootfs } from "./import.ts";
import { ASSETS_DIR, CACHE_DIR, REPO_ROOT } from "./paths.ts";
import { DEFAULT_PATH, qualify, shq, type ImageRecipe } from "./recipe.ts";
import { ROOTFS_RECIPE, buildRootfs } from "./rootfs.ts";

const KAFKA_ASSETS = path.join(ASSETS_DIR, "kafka");

/** The scripts of /opt/kafka/bin that run one main class each (thin wrappers of kafka-run-class.sh). */
export const KAFKA_TOOLS: Record<string, string> = {
  "kafka-topics.sh": "org.apache.kafka.tools.TopicCommand",
  "kafka-storage.sh": "kafka.tools.StorageTool",
  "kafka-configs.sh": "kafka.admin.ConfigCommand",
  "kafka-console-producer.sh": "org.apache.kafka.tools.ConsoleProducer",
  "kafka-console-consumer.sh": "org.apache.kafka.tools.consumer.ConsoleConsumer",
  "kafka-consumer-groups.sh": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
  "kafka-get-offsets.sh": "org.apache.kafka.tools.GetOffsetShell",
  "kafka-metadata-quorum.sh": "org.apache.kafka.tools.MetadataQuorumCommand",
  "kafka-broker-api-versions.sh": "org.apache.kafka.tools.BrokerApiVersionsCommand",
};

export function toolWrapper(script: string, mainClass: string): string {
  return `#!/bin/sh\n# ${script}: ${mainClass} on the image's Kafka jars.\nexec /opt/kafka/bin/kafka-run-class.sh ${mainClass} "$@"\n`;
}

/** The files under / that the image adds to Debian: jars, scripts, configuration defaults. */
function stage(libs: string, dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  const put = (rel: string, from: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, rel));
    fs.chmodSync(path.join(dir, rel), fs.statSync(from).mode & 0o777);
  };
  for (const jar of fs.readdirSync(libs).filter((f) => f.endsWith(".jar")))
    put(`opt/kafka/libs/${jar}`, path.join(libs, jar));
  for (const f of treeFiles(path.join(KAFKA_ASSETS, "bin")))
    put(`opt/kafka/bin/${f}`, path.join(KAFKA_ASSETS, "bin", f));
  for (const f of treeFiles(path.join(KAFKA_ASSETS, "docker")))
    put(`etc/kafka/docker/${f}`, path.join(KAFKA_ASSETS, "docker", f));
  // Logging defaults in place before `run` configures, so the tools log quietly in any container.
  for (const f of ["log4j2.properties", "tools-log4j2.properties"])
    put(`opt/kafka/config/${f}`, path.join(KAFKA_ASSETS, "docker", f));
  for (const [script, main] of Object.entries(KAFKA_TOOLS)) {
    const file = path.join(dir, "opt/kafka/bin", script);
    fs.writeFileSync(file, toolWrapper(script, main), { mode: 0o755 });
  }
}

/**
 * Stand-in for apache/kafka: the official jars from Maven Central (as the local stack resolves
 * them) on Debian's OpenJDK 17, with the image's env-var contract (assets/kafka/docker/configure),
 * /opt/kafka/bin scripts, user appuser (uid 1000) and data in /var/lib/kafka/data.
 */
export function kafkaRecipe(name: string): ImageRecipe {
  const tag = name.split(":").pop()!;
  return {
    name,
    ref: qualify(name),
    how: `mmdebstrap bookworm minbase + openjdk-17-jre-headless + Kafka ${tag} jars (Maven Central) + env-var entrypoint`,
    needs: [],
    key: async () =>
      hashParts([
        ["kafka", kafkaVersion()],
        ["tools", JSON.stringify(KAFKA_TOOLS)],
        ...hashFiles(KAFKA_ASSETS, treeFiles(KAFKA_ASSETS)),
        ["recipe", fs.readFileSync(import.meta.filename)],
        ["rootfs", ROOTFS_RECIPE],
      ]),
    build: async (say) => {
      if (kafkaVersion() !== tag) throw new Error(`tools/stack/kafka/pom.xml pins Kafka ${kafkaVersion()}, not ${tag}`);
      say("resolving the Kafka jars (Maven Central, cached)");
      const libs = await ensureKafkaJars(path.join(REPO_ROOT, ".cache"));
      const staged = path.join(CACHE_DIR, "stage", "kafka");
      stage(libs, staged);
      const tar = path.join(CACHE_DIR, "rootfs", "kafka.tar");
      await buildRootfs(
        {
          packages: ["openjdk-17-jre-headless"],
          customize: [
            `cp -a ${shq(staged)}/. "$1/"`,
            'mkdir -p "$1/var/lib/kafka/data" "$1/etc/kafka/secrets" "$1/mnt/shared/config" "$1/usr/logs"',
            'chroot "$1" groupadd --gid 1000 appuser',
            'chroot "$1" useradd --uid 1000 --gid appuser --shell /bin/bash --create-home appuser',
            'chroot "$1" chown -R root:root /opt/kafka /etc/kafka',
            'chroot "$1" chown -R appuser:appuser /opt/kafka/config /var/lib/kafka /etc/kafka/secrets /mnt/shared/config /usr/logs',
          ],
        },
        tar,
        say,
      );
      fs.rmSync(staged, { recursive: true, force: true });
      await importRootfs(tar, qualify(name), {
        env: { PATH: `/opt/kafka/bin:${DEFAULT_PATH}`, JAVA_HOME: "/usr/lib/jvm/java-17-openjdk-amd64" },
        user: "appuser",
        workdir: "/home/appuser",
        expose: [9092],
        volumes: ["/etc/kafka/secrets", "/var/lib/kafka/data", "/mnt/shared/config"],
        cmd: ["/etc/kafka/docker/run"],
      });
    },
  };
}
