import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { apiserverBinary, KUBE_VERSION } from "./control-plane.ts";

/**
 * Builds kube-apiserver from Go modules into the cache control-plane.ts reads, as envtest's
 * binaries are built. k8s.io/kubernetes replaces its staging modules with local paths, which a
 * dependent module cannot use, so they are pinned to the published v0.<minor>.<patch> tags.
 * Needs Go and the Go module proxy; about 15 minutes and 2 GB of build cache on 2 cores.
 */
const target = apiserverBinary();
if (fs.existsSync(target)) {
  console.log(`already built: ${target}`);
  process.exit(0);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), "kube-apiserver-build-"));
const go = (...args: string[]) =>
  execFileSync("go", args, { cwd: work, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

const started = Date.now();
const { Dir: moduleDir } = JSON.parse(go("mod", "download", "-json", `k8s.io/kubernetes@v${KUBE_VERSION}`)) as {
  Dir: string;
};
const staging = [
  ...fs.readFileSync(path.join(moduleDir, "go.mod"), "utf8").matchAll(/^\s*(k8s\.io\/[a-z0-9-]+) => \.\/staging\//gm),
].map((m) => m[1]);
const stagingVersion = `v0.${KUBE_VERSION.split(".").slice(1).join(".")}`;
fs.writeFileSync(
  path.join(work, "go.mod"),
  [
    `module kubeapiserverbuild`,
    "",
    "go 1.25",
    "",
    `require k8s.io/kubernetes v${KUBE_VERSION}`,
    ...staging.map((m) => `replace ${m} => ${m} ${stagingVersion}`),
    "",
  ].join("\n"),
);
fs.writeFileSync(path.join(work, "tools.go"), 'package main\n\nimport _ "k8s.io/kubernetes/cmd/kube-apiserver"\n');
go("mod", "tidy");
fs.mkdirSync(path.dirname(target), { recursive: true });
go("build", "-o", target, "k8s.io/kubernetes/cmd/kube-apiserver");
fs.rmSync(work, { recursive: true, force: true });
console.log(`built ${target} in ${Math.round((Date.now() - started) / 1000)} s`);
