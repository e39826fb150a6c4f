import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { JAEGER, ensureGoProgram, goIn, goProgramBinary, requireGo } from "@food-ordering/stack";
import { CACHE_DIR } from "./paths.ts";

/**
 * Kubernetes 1.35.4: the same k8s.io/kubernetes module the registrar's tests build kube-apiserver
 * from (so every component shares one Go build cache), and the last minor line whose kubelet still
 * runs against containerd 1.x (Debian's 1.6) and, with failCgroupV1: false, on cgroup v1 hosts.
 */
export const KUBE_VERSION = "1.35.4";

export const KUBE_COMMANDS = [
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubelet",
  "kube-proxy",
] as const;
export type KubeCommand = (typeof KUBE_COMMANDS)[number];

/** ~/.cache/food-ordering/<name>-v<version>/<name>; kube-apiserver's is where control-plane.ts looks. */
export function kubeBinary(name: KubeCommand): string {
  return path.join(CACHE_DIR, `${name}-v${KUBE_VERSION}`, name);
}

/**
 * The prometheus-operator release whose operator and config reloader the node's monitoring runs
 * (tools/images) and whose CRDs the chart is checked against (tools/setup).
 */
export const PROMETHEUS_OPERATOR_VERSION = "0.93.0";
const PROMETHEUS_OPERATOR_MODULE = "github.com/prometheus-operator/prometheus-operator";
const PROMETHEUS_OPERATOR_BUILD = {
  module: PROMETHEUS_OPERATOR_MODULE,
  version: `v${PROMETHEUS_OPERATOR_VERSION}`,
  ldflags: `-s -X github.com/prometheus/common/version.Version=${PROMETHEUS_OPERATOR_VERSION}`,
  static: true,
} as const;

/** Programs built from their own Go modules, each in a scratch module of its own. */
export const GO_TOOLS = {
  coredns: { module: "github.com/coredns/coredns", version: "v1.13.1", pkg: "github.com/coredns/coredns" },
  // Debian has no cri-tools; `down` needs crictl to stop pod sandboxes through the CRI (so CNI
  // tears their network down) rather than killing shims behind containerd's back.
  crictl: { module: "sigs.k8s.io/cri-tools", version: "v1.34.0", pkg: "sigs.k8s.io/cri-tools/cmd/crictl" },
  // The NetworkPolicy enforcer kind's kindnetd embeds (kind >= 0.24); its main package is cmd/.
  "kube-network-policies": {
    module: "sigs.k8s.io/kube-network-policies",
    version: "v0.8.0",
    pkg: "sigs.k8s.io/kube-network-policies/cmd",
  },
  // The newest skaffold the module proxy serves here (2.17+ is refused); it drives Helm 3 only,
  // so the skaffold tests pair it with helm3 below (docs/kubernetes.md, "skaffold on the node").
  skaffold: {
    module: "github.com/GoogleContainerTools/skaffold/v2",
    version: "v2.16.1",
    pkg: "github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold",
    // Stamped as skaffold's Makefile does; unstamped, `skaffold version` prints nothing.
    ldflags: "-X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=v2.16.1",
  },
  // Helm 3 for skaffold 2.16, which runs `helm version --client` (gone in Helm 4) and passes
  // itself as an executable --post-renderer (Helm 4 takes only plugins). Named helm, since
  // skaffold runs the `helm` on its PATH; the node's own helm stays Helm 4 (kube-tools.ts).
  helm3: {
    module: "helm.sh/helm/v3",
    version: "v3.22.0",
    pkg: "helm.sh/helm/v3/cmd/helm",
    binary: "helm",
    // As helm's Makefile stamps them: the version, and the Kubernetes minor of its client-go
    // (v0.37) for `helm template`'s default capabilities; unstamped they say v3.22 and 1.20.
    ldflags: [
      "-X helm.sh/helm/v3/internal/version.version=v3.22.0",
      ...["pkg/chartutil", "pkg/lint/rules"].flatMap((p) => [
        `-X helm.sh/helm/v3/${p}.k8sVersionMajor=1`,
        `-X helm.sh/helm/v3/${p}.k8sVersionMinor=37`,
      ]),
    ].join(" "),
  },
  // prometheus-operator's operator and config reloader, for the monitoring images (tools/images),
  // built as its Makefile builds them: static (the images hold nothing else) and version-stamped.
  "prometheus-operator": { ...PROMETHEUS_OPERATOR_BUILD, pkg: `${PROMETHEUS_OPERATOR_MODULE}/cmd/operator` },
  "prometheus-config-reloader": {
    ...PROMETHEUS_OPERATOR_BUILD,
    pkg: `${PROMETHEUS_OPERATOR_MODULE}/cmd/prometheus-config-reloader`,
  },
  // The Prometheus that operator release runs by default (3.13.1, Go module v0.313.1). Debian's has
  // no Kubernetes service discovery (removed there, NEWS.Debian), which every monitor needs. Built
  // without the web UI's assets (npm-built, not in the module): the HTTP API is all there is.
  prometheus: {
    module: "github.com/prometheus/prometheus",
    version: "v0.313.1",
    pkg: "github.com/prometheus/prometheus/cmd/prometheus",
    ldflags: "-s -X github.com/prometheus/common/version.Version=3.13.1",
    static: true,
  },
  // Jaeger v2 all-in-one, the local stack's trace backend (defined there: npm start builds it).
  jaeger: JAEGER,
} as const satisfies Record<
  string,
  { module: string; version: string; pkg: string; binary?: string; ldflags?: string; static?: boolean }
>;
export type GoTool = keyof typeof GO_TOOLS;

export function goToolBinary(name: GoTool): string {
  return goProgramBinary(name, GO_TOOLS[name]);
}

type Say = (s: string) => void;

/**
 * The version Kubernetes' own build stamps in with -X (hack/lib/version.sh). Without it every
 * component reports v0.0.0-master, which kubectl cannot parse and helm's kubeVersion checks
 * reject. Only the link step sees -ldflags, so the compiled packages stay shared in the cache.
 */
function versionLdflags(): string {
  const [major, minor] = KUBE_VERSION.split(".");
  const vars = {
    gitVersion: `v${KUBE_VERSION}`,
    gitMajor: major!,
    gitMinor: minor!,
    gitTreeState: "clean",
    buildDate: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
  const pkgs = ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"];
  return pkgs.flatMap((p) => Object.entries(vars).map(([k, v]) => `-X ${p}.${k}=${v}`)).join(" ");
}

/** Present and stamped with KUBE_VERSION (binaries from the first builder were unstamped). */
function versioned(binary: string): boolean {
  if (!fs.existsSync(binary)) return false;
  const r = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0 && r.stdout.includes(`v${KUBE_VERSION}`);
}

/**
 * Builds the missing Kubernetes commands from Go modules, as envtest's binaries are built.
 * k8s.io/kubernetes replaces its staging modules with local paths, which a dependent module
 * cannot use, so a scratch module pins them to the published v0.<minor>.<patch> tags. One
 * `go build -o` per command, in one module, so they share the build cache: about 15 minutes for
 * the first on 2 cores, a few minutes for each next one. Returns the binaries' paths.
 */
export function ensureKubernetesBinaries(
  names: readonly KubeCommand[] = KUBE_COMMANDS,
  say: Say = console.log,
): Record<KubeCommand, string> {
  const paths = Object.fromEntries(KUBE_COMMANDS.map((n) => [n, kubeBinary(n)])) as Record<KubeCommand, string>;
  const missing = names.filter((n) => !versioned(paths[n]));
  if (!missing.length) return paths;
  requireGo(missing.join(", "));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "kube-build-"));
  try {
    const go = goIn(work);
    const { Dir: moduleDir } = JSON.parse(go("mod", "download", "-json", `k8s.io/kubernetes@v${KUBE_VERSION}`)) as {
      Dir: string;
    };
    const staging = [
      ...fs
        .readFileSync(path.join(moduleDir, "go.mod"), "utf8")
        .matchAll(/^\s*(k8s\.io\/[a-z0-9-]+) => \.\/staging\//gm),
    ].map((m) => m[1]);
    const stagingVersion = `v0.${KUBE_VERSION.split(".").slice(1).join(".")}`;
    fs.writeFileSync(
      path.join(work, "go.mod"),
      [
        "module kubebuild",
        "",
        "go 1.25",
        "",
        `require k8s.io/kubernetes v${KUBE_VERSION}`,
        ...staging.map((m) => `replace ${m} => ${m} ${stagingVersion}`),
        "",
      ].join("\n"),
    );
    // Every command is imported so that one `go mod tidy` serves any later build too.
    const imports = KUBE_COMMANDS.map((n) => `\t_ "k8s.io/kubernetes/cmd/${n}"`).join("\n");
    fs.writeFileSync(path.join(work, "tools.go"), `package main\n\nimport (\n${imports}\n)\n`);
    go("mod", "tidy");
    const ldflags = versionLdflags();
    for (const name of missing) {
      const started = Date.now();
      say(`Building ${name} v${KUBE_VERSION} from Go modules (first build ~15 min on 2 cores, then a few min each)...`);
      fs.mkdirSync(path.dirname(paths[name]), { recursive: true });
      // Build to a temporary name first, so an interrupted build never leaves a broken binary.
      go("build", "-ldflags", ldflags, "-o", `${paths[name]}.tmp`, `k8s.io/kubernetes/cmd/${name}`);
      fs.renameSync(`${paths[name]}.tmp`, paths[name]);
      say(`  built ${paths[name]} in ${Math.round((Date.now() - started) / 1000)} s`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return paths;
}

/** A tool of GO_TOOLS, built by the stack's Go builder into the shared cache. */
export function ensureGoTool(name: GoTool, say: Say = console.log): string {
  return ensureGoProgram(name, GO_TOOLS[name], say);
}
