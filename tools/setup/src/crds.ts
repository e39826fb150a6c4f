import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROMETHEUS_OPERATOR_VERSION, ToolInstallError } from "@food-ordering/cluster";
import { REPO_ROOT } from "@food-ordering/stack";

/**
 * The CustomResourceDefinitions the chart tests validate Strimzi and prometheus-operator objects
 * against, generated here from the projects' own published artifacts, as their releases are:
 *
 * - Strimzi: its `io.strimzi.crdgenerator.CrdGenerator` (Maven Central `io.strimzi:crd-generator`)
 *   run over the API model classes (`io.strimzi:api`), with the arguments Strimzi's api/pom.xml
 *   passes for the install files. Both are resolved with Maven from `tools/setup/strimzi/pom.xml`.
 * - prometheus-operator: `controller-gen crd:crdVersions=v1` (built from Go modules) over the Go
 *   module `github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring`, plus the
 *   version annotation its `make generate-crds` appends.
 *
 * Everything lands in `<repo>/.cache/crds/` and is built once (about a minute and a half, most
 * of it compiling controller-gen); later calls return at once.
 *
 *   node tools/setup/src/crds.ts   # prints the directory of CRD YAML files
 */

/** Strimzi release whose kafka.strimzi.io/v1 CRDs the chart's Kafka resources are checked against. */
export const STRIMZI_VERSION = "1.2.0";
/** prometheus-operator release whose CRDs the monitoring resources are checked against (and the node's operator runs). */
export { PROMETHEUS_OPERATOR_VERSION };
/** controller-tools release prometheus-operator v0.93.0 generates its CRDs with (its scripts/go.mod). */
export const CONTROLLER_GEN_VERSION = "0.21.0";
/** Strimzi 1.2.0's classes are Java 21 bytecode. */
const STRIMZI_MIN_JAVA = 21;

export const CRD_CACHE = join(REPO_ROOT, ".cache", "crds");
const STRIMZI_POM = join(REPO_ROOT, "tools", "setup", "strimzi", "pom.xml");
const PO_API_MODULE = "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring";
/**
 * The API versions of the operator's install files (example/prometheus-operator-crd): v1beta1
 * AlertmanagerConfig is left out there too, as it needs the conversion webhook.
 */
const PO_API_VERSIONS = ["v1", "v1alpha1"];

/** Strimzi model class → file name (Strimzi's own install file names). */
const STRIMZI_KINDS: Record<string, string> = {
  "io.strimzi.api.kafka.model.kafka.Kafka": "040-Crd-kafka.yaml",
  "io.strimzi.api.kafka.model.topic.KafkaTopic": "043-Crd-kafkatopic.yaml",
  "io.strimzi.api.kafka.model.user.KafkaUser": "044-Crd-kafkauser.yaml",
  "io.strimzi.api.kafka.model.nodepool.KafkaNodePool": "045-Crd-kafkanodepool.yaml",
  "io.strimzi.api.kafka.model.bridge.KafkaBridge": "046-Crd-kafkabridge.yaml",
};
/** controller-gen's output files (prometheus-operator's own names) that are kept. */
const PO_FILES = [
  "monitoring.coreos.com_podmonitors.yaml",
  "monitoring.coreos.com_servicemonitors.yaml",
  "monitoring.coreos.com_prometheusrules.yaml",
];

const outputDir = () =>
  join(CRD_CACHE, `strimzi-${STRIMZI_VERSION}_prometheus-operator-${PROMETHEUS_OPERATOR_VERSION}`);
const COMPLETE = ".complete";

/**
 * The directory holding one CRD YAML file per kind (Kafka, KafkaNodePool, KafkaTopic, KafkaUser,
 * KafkaBridge, PodMonitor, ServiceMonitor, PrometheusRule), generated on first use. Needs Go,
 * Maven and a Java 21+ runtime then; throws a ToolInstallError naming whatever is missing.
 */
export function ensureCrds(say: (s: string) => void = console.error): string {
  const out = outputDir();
  if (existsSync(join(out, COMPLETE))) return out;

  const java = findJava(STRIMZI_MIN_JAVA);
  const missing = [
    !works("go", ["version"]) && "Go (`go` on the PATH, 1.26 or newer) for controller-gen",
    !works("mvn", ["-v"]) && "Maven (`mvn` on the PATH, e.g. apt-get install maven)",
    !java &&
      `a Java ${STRIMZI_MIN_JAVA}+ runtime (JAVA_HOME, \`java\` on the PATH or /usr/lib/jvm/*; ` +
        `Strimzi ${STRIMZI_VERSION} is Java ${STRIMZI_MIN_JAVA} bytecode)`,
  ].filter((m): m is string => !!m);
  if (missing.length > 0)
    throw new ToolInstallError(
      `generating the Strimzi and prometheus-operator CRDs (into ${out}) needs: ${missing.join("; ")}`,
    );

  say(
    `Generating CRDs (Strimzi ${STRIMZI_VERSION} with ${java}, prometheus-operator v${PROMETHEUS_OPERATOR_VERSION}) into ${out}...`,
  );
  generateInto(out, [...Object.values(STRIMZI_KINDS), ...PO_FILES], say, (staging) => {
    generateStrimzi(java!, staging);
    generatePrometheusOperator(ensureControllerGen(say), staging, ["v1"], PO_FILES);
  });
  return out;
}

/**
 * Every CRD of the pinned prometheus-operator (Prometheus, Alertmanager, ScrapeConfig, … besides the
 * three above): what the operator on the local node is installed with (k8s/monitoring/). Needs Go.
 */
export function ensureOperatorCrds(say: (s: string) => void = console.error): string {
  const out = join(CRD_CACHE, `prometheus-operator-${PROMETHEUS_OPERATOR_VERSION}-all`);
  if (existsSync(join(out, COMPLETE))) return out;
  if (!works("go", ["version"]))
    throw new ToolInstallError(`generating prometheus-operator's CRDs (into ${out}) needs Go (\`go\` on the PATH)`);
  say(`Generating every prometheus-operator v${PROMETHEUS_OPERATOR_VERSION} CRD into ${out}...`);
  generateInto(out, [...PO_FILES, "monitoring.coreos.com_prometheuses.yaml"], say, (staging) =>
    generatePrometheusOperator(ensureControllerGen(say), staging, PO_API_VERSIONS),
  );
  return out;
}

/** Builds into a private staging directory, checks the expected files, then moves it to `out` whole. */
function generateInto(out: string, expected: string[], say: (s: string) => void, build: (dir: string) => void): void {
  const started = Date.now();
  mkdirSync(CRD_CACHE, { recursive: true });
  const staging = mkdtempSync(join(CRD_CACHE, ".building-"));
  try {
    build(staging);
    const files = readdirSync(staging).filter((f) => f.endsWith(".yaml"));
    const absent = expected.filter((f) => !files.includes(f));
    if (absent.length > 0) throw new ToolInstallError(`CRD generation produced no ${absent.join(", ")}`);
    writeFileSync(join(staging, COMPLETE), new Date().toISOString());
    chmodSync(staging, 0o755); // mkdtemp makes it private
    // Another process may have finished the same build meanwhile: its result is as good.
    if (!existsSync(join(out, COMPLETE))) {
      rmSync(out, { recursive: true, force: true });
      renameSync(staging, out);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  say(`CRDs generated in ${Math.round((Date.now() - started) / 1000)} s`);
}

function works(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore", timeout: 60_000 }).status === 0;
}

function javaMajor(java: string): number | undefined {
  const r = spawnSync(java, ["-version"], { encoding: "utf8", timeout: 30_000 });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(r.stderr ?? "");
  if (r.status !== 0 || !m) return undefined;
  return m[1] === "1" ? Number(m[2]) : Number(m[1]); // "1.8.0" is Java 8
}

/** A Java runtime of at least `min`: JAVA_HOME's, else the PATH's, else the newest in /usr/lib/jvm. */
function findJava(min: number): string | undefined {
  const preferred = [...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, "bin", "java")] : []), "java"];
  for (const java of preferred) if ((javaMajor(java) ?? 0) >= min) return java;
  const jvm = "/usr/lib/jvm";
  const installed = existsSync(jvm)
    ? readdirSync(jvm)
        .map((d) => join(jvm, d, "bin", "java"))
        .filter((j) => existsSync(j))
        .map((java) => ({ java, major: javaMajor(java) ?? 0 }))
        .filter((j) => j.major >= min)
        .sort((a, b) => b.major - a.major)
    : [];
  return installed[0]?.java;
}

function run(cmd: string, args: string[], cwd: string, what: string, env = process.env): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 << 20,
      timeout: 30 * 60_000,
    });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new ToolInstallError(`${what} failed: ${err.message}\n${err.stdout ?? ""}${err.stderr ?? ""}`.trim());
  }
}

/** Strimzi's CRDs from its API model classes, with the generator and arguments Strimzi's build uses. */
function generateStrimzi(java: string, into: string): void {
  const libs = join(CRD_CACHE, `strimzi-${STRIMZI_VERSION}-libs`);
  if (!existsSync(join(libs, COMPLETE))) {
    rmSync(libs, { recursive: true, force: true });
    mkdirSync(libs, { recursive: true });
    run(
      "mvn",
      [
        "-q",
        "-B",
        "-f",
        STRIMZI_POM,
        "dependency:copy-dependencies",
        `-Dstrimzi.version=${STRIMZI_VERSION}`,
        `-DoutputDirectory=${libs}`,
        "-DincludeScope=runtime",
      ],
      REPO_ROOT,
      `resolving io.strimzi:api and io.strimzi:crd-generator ${STRIMZI_VERSION} with mvn`,
    );
    writeFileSync(join(libs, COMPLETE), new Date().toISOString());
  }
  run(
    java,
    [
      "-cp",
      join(libs, "*"),
      "io.strimzi.crdgenerator.CrdGenerator",
      ...["--label", "app:strimzi", "--label", "strimzi.io/crd-install:true"],
      ...["--target-kube", "1.16+", "--crd-api-version", "v1"],
      ...["--api-versions", "v1", "--storage-version", "v1"],
      "--yaml",
      ...Object.entries(STRIMZI_KINDS).map(([cls, file]) => `${cls}=${join(into, file)}`),
    ],
    into,
    `Strimzi's CrdGenerator (${java})`,
  );
}

type Go = ((...args: string[]) => string) & { env: NodeJS.ProcessEnv };

/** A Go module directory of its own, so no go.work or module of the caller's leaks in. */
function scratchModule(name: string): { dir: string; go: Go } {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  writeFileSync(join(dir, "go.mod"), `module ${name}\n\ngo 1.26.0\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, GOWORK: "off" };
  const go = Object.assign((...args: string[]) => run("go", args, dir, `go ${args.join(" ")}`, env), { env });
  return { dir, go };
}

/** controller-gen at the pinned version, built once from its Go module into the cache. */
function ensureControllerGen(say: (s: string) => void): string {
  const binary = join(CRD_CACHE, `controller-gen-v${CONTROLLER_GEN_VERSION}`);
  if (existsSync(binary) && works(binary, ["--version"])) return binary;
  say(`Building controller-gen v${CONTROLLER_GEN_VERSION} (once; about a minute)...`);
  const { dir, go } = scratchModule("controllergenbuild");
  try {
    // GOBIN is a fresh directory, so a half-built binary never sits at the cached path.
    go.env.GOBIN = join(dir, "bin");
    go("install", `sigs.k8s.io/controller-tools/cmd/controller-gen@v${CONTROLLER_GEN_VERSION}`);
    renameSync(join(dir, "bin", "controller-gen"), binary);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return binary;
}

/**
 * prometheus-operator's monitoring.coreos.com CRDs of the given API versions, as its `make
 * generate-crds` makes them; `keep` names the files kept (all when absent).
 */
function generatePrometheusOperator(controllerGen: string, into: string, versions: string[], keep?: string[]): void {
  const { dir, go } = scratchModule("promoperatorcrds");
  try {
    // Adds the API module and the sums of everything its packages import, for controller-gen's go/packages.
    go("get", ...versions.map((v) => `${PO_API_MODULE}/${v}@v${PROMETHEUS_OPERATOR_VERSION}`));
    const out = join(dir, "out");
    run(
      controllerGen,
      ["crd:crdVersions=v1", ...versions.map((v) => `paths=${PO_API_MODULE}/${v}`), `output:crd:dir=${out}`],
      dir,
      `controller-gen v${CONTROLLER_GEN_VERSION} over ${PO_API_MODULE}@v${PROMETHEUS_OPERATOR_VERSION}`,
      go.env,
    );
    for (const file of keep ?? readdirSync(out).filter((f) => f.endsWith(".yaml"))) {
      const source = join(out, file);
      if (!existsSync(source)) continue; // reported by ensureCrds
      // scripts/generate/append-operator-version.sh: the operator version after controller-gen's annotation.
      const yaml = readFileSync(source, "utf8").replace(
        /^( {4})controller-gen\.kubebuilder\.io\/version: .*$/m,
        `$&\n$1operator.prometheus.io/version: ${PROMETHEUS_OPERATOR_VERSION}`,
      );
      writeFileSync(join(into, file), yaml);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  try {
    // `prometheus-operator`: the operator's full set for the local node (k8s/monitoring/).
    console.log(process.argv[2] === "prometheus-operator" ? ensureOperatorCrds() : ensureCrds());
  } catch (e) {
    console.error(`CRD generation failed: ${(e as Error).message}`);
    process.exit(1);
  }
}
