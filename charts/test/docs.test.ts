import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT } from "@food-ordering/stack";
import { CHART_DIR, effectiveValues, runHelm } from "./chart.ts";

/** What docs/kubernetes.md, the README's Kubernetes section and NOTES.txt claim, checked against the files. */
const read = (...p: string[]): string => readFileSync(join(REPO_ROOT, ...p), "utf8");
const kubernetesMd = read("docs", "kubernetes.md");
const readme = read("README.md");
const notes = readFileSync(join(CHART_DIR, "templates", "NOTES.txt"), "utf8");
const skaffold = parseYaml(read("skaffold.yaml"));
const chart = parseYaml(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8"));

/** Shell commands in a text, continuation lines (`\`) joined. */
const commands = (text: string): string[] =>
  text
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.trim());

/** Seconds of a Go duration ("10m", "600s", "1h30m"). */
function goDurationSeconds(d: string): number {
  const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join("") !== d) throw new Error(`not a Go duration: ${d}`);
  return parts.reduce((s, [, n, u]) => s + Number(n) * { h: 3600, m: 60, s: 1 }[u as "h" | "m" | "s"], 0);
}
/** The --timeout of a helm command line, in seconds (undefined when it has none: helm's default is 5m). */
function helmTimeoutSeconds(command: string): number | undefined {
  const m = /--timeout[= ](\S+)/.exec(command);
  return m ? goDurationSeconds(m[1]!) : undefined;
}

it("parses helm timeouts as Go durations", () => {
  expect(helmTimeoutSeconds("helm install x --wait --timeout 10m")).toBe(600);
  expect(helmTimeoutSeconds("helm upgrade x --timeout=1h30s")).toBe(3630);
  expect(helmTimeoutSeconds("helm install x --wait")).toBeUndefined();
});

// Helm waits for hook Jobs (the registrar) up to --timeout, with or without --wait; the default is 5m.
const registrarBound = (): number => {
  const v = effectiveValues({});
  return Math.max(v.registrar.deadlineSeconds, v.registrar.activeDeadlineSeconds);
};

it("every documented helm install/upgrade of the chart waits longer than the registrar hook may run", () => {
  const found: string[] = [];
  for (const [file, text] of [
    ["docs/kubernetes.md", kubernetesMd],
    ["README.md", readme],
    ["NOTES.txt", notes],
  ] as const) {
    for (const cmd of commands(text).filter(
      (c) => /\bhelm (install|upgrade)\b/.test(c) && /charts\/food-ordering/.test(c),
    )) {
      found.push(cmd);
      expect(helmTimeoutSeconds(cmd) ?? 300, `${file}: ${cmd}`).toBeGreaterThan(registrarBound());
    }
  }
  expect(found.some((c) => c.includes("--wait"))).toBe(true);
});

it("skaffold's helm deploy waits longer than the registrar hook may run", () => {
  for (const verb of ["install", "upgrade"]) {
    const flags: string[] = skaffold.deploy.helm.flags?.[verb] ?? [];
    expect(helmTimeoutSeconds(flags.join(" ")) ?? 300, `deploy.helm.flags.${verb}`).toBeGreaterThan(registrarBound());
  }
});

it("requires a Kubernetes that Strimzi 1.2 supports (1.30+)", () => {
  const at = (version: string) =>
    runHelm(["template", "shop", CHART_DIR, "--kube-version", version, "--show-only", "templates/restate.yaml"]);
  const old = at("1.29.9");
  expect(old.ok, "kubeVersion must refuse 1.29").toBe(false);
  expect(old.output).toMatch(/kubeVersion|incompatible/i);
  expect(at("1.30.0").ok).toBe(true);
  expect(chart.kubeVersion).toMatch(/>=\s*1\.30/);
});

it("states skaffold and kind versions that can run this configuration", () => {
  // The paragraph that starts with "Tools:", as one line.
  const tools = /^Tools:[\s\S]*?(?=\n\n)/m.exec(kubernetesMd)?.[0].replace(/\s+/g, " ");
  expect(tools).toBeDefined();
  const version = (re: RegExp): number[] => {
    const m = re.exec(tools!);
    expect(m, `${re} in: ${tools}`).not.toBeNull();
    return m!.slice(1).map(Number);
  };
  const atLeast = (a: number[], b: number[]) => a[0]! > b[0]! || (a[0] === b[0] && a[1]! >= b[1]!);
  // skaffold reads config apiVersion skaffold/v4beta13 from 2.15 on, and drives Helm 4 from 2.17 on.
  const byConfig: Record<string, number[]> = { "skaffold/v4beta13": [2, 15] };
  let needed = byConfig[skaffold.apiVersion];
  expect(needed, `minimum skaffold for ${skaffold.apiVersion}`).toBeDefined();
  if (/Helm[^,]*\b4\b/.test(tools!)) needed = [2, 17];
  expect(atLeast(version(/skaffold\]?(?:\([^)]*\))?\s*v?(\d+)\.(\d+)\+/), needed!)).toBe(true);
  // kind enforces NetworkPolicies (kindnetd with kube-network-policies) from v0.24 on.
  expect(version(/kind\]?(?:\([^)]*\))?\s*v0\.(\d+)\+/)[0]).toBeGreaterThanOrEqual(24);
});

it("does not claim that kind leaves NetworkPolicies unenforced", () => {
  expect(kubernetesMd).not.toMatch(/kind('s)?( default)?( CNI)? does not enforce/i);
  expect(kubernetesMd).toMatch(/kube-network-policies/);
});

it("says which skaffold commands port-forward, and how to forward after `skaffold run`", () => {
  // Only `skaffold dev` and `skaffold debug` (or run --port-forward) forward ports.
  const runBlock = kubernetesMd
    .split("\n")
    .filter(
      (l, i, all) => l.startsWith("skaffold run ") || (all[i - 1]?.startsWith("skaffold run ") && /^\s+#/.test(l)),
    );
  expect(runBlock.length).toBeGreaterThan(0);
  expect(runBlock.join("\n")).not.toMatch(/port-forwards? \d/);
  const ns = skaffold.deploy.helm.releases[0].namespace;
  const forwards = commands(kubernetesMd).filter((c) => c.startsWith(`kubectl -n ${ns} port-forward svc/`));
  for (const pf of skaffold.portForward) {
    const pair = `${pf.localPort ?? pf.port}:${pf.port}`;
    expect(
      forwards.some((c) => c.includes(`svc/${pf.resourceName} `) && c.split(" ").includes(pair)),
      `kubectl -n ${ns} port-forward svc/${pf.resourceName} ${pair}`,
    ).toBe(true);
  }
});
