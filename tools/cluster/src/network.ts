import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";

/**
 * Pod networking: Debian's CNI plugins on a bridge made here (so its gateway address, where
 * CoreDNS listens, exists before the first pod), the sysctls a node needs, and the clean-up of
 * everything of that kind `down` must not leave behind.
 */
const run = (cmd: string, ...args: string[]) =>
  execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const tryRun = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });

/** The IPv4 address of the interface that holds the default route: the node's InternalIP. */
export function detectNodeIp(): string {
  const out = run("ip", "-4", "-o", "route", "get", "1.1.1.1");
  const src = /\bsrc (\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
  if (!src) throw new Error(`cannot find the node's IP from the default route (ip route get: ${out.trim()})`);
  return src;
}

const SYSCTLS = {
  "net/ipv4/ip_forward": "1",
  "net/bridge/bridge-nf-call-iptables": "1",
} as const;

/** Kernel settings the kubelet and kube-proxy change on start-up, put back by `down`. */
const WATCHED = [
  ...Object.keys(SYSCTLS),
  "vm/overcommit_memory",
  "vm/panic_on_oom",
  "kernel/panic",
  "kernel/panic_on_oops",
  "kernel/keys/root_maxkeys",
  "kernel/keys/root_maxbytes",
  "net/ipv4/conf/all/route_localnet",
];

interface HostState {
  sysctls: Record<string, string>;
}

/** Records the watched sysctls (the first time only, before any component ran), then sets ours. */
export function applySysctls(): void {
  if (!fs.existsSync(CLUSTER_PATHS.hostState)) {
    const sysctls: Record<string, string> = {};
    for (const key of WATCHED) {
      const file = `/proc/sys/${key}`;
      if (fs.existsSync(file)) sysctls[key] = fs.readFileSync(file, "utf8").trim();
    }
    fs.mkdirSync(path.dirname(CLUSTER_PATHS.hostState), { recursive: true });
    fs.writeFileSync(CLUSTER_PATHS.hostState, JSON.stringify({ sysctls } satisfies HostState, null, 2));
  }
  for (const [key, value] of Object.entries(SYSCTLS)) {
    const file = `/proc/sys/${key}`;
    if (!fs.existsSync(file))
      throw new Error(`${file} is missing: the kernel needs br_netfilter (modprobe br_netfilter) for Services`);
    if (fs.readFileSync(file, "utf8").trim() !== value) fs.writeFileSync(file, value);
  }
}

/** Puts back the recorded sysctls that differ now. */
export function restoreSysctls(): void {
  if (!fs.existsSync(CLUSTER_PATHS.hostState)) return;
  const { sysctls } = JSON.parse(fs.readFileSync(CLUSTER_PATHS.hostState, "utf8")) as HostState;
  for (const [key, value] of Object.entries(sysctls)) {
    const file = `/proc/sys/${key}`;
    if (fs.readFileSync(file, "utf8").trim() !== value) fs.writeFileSync(file, value);
  }
  fs.rmSync(CLUSTER_PATHS.hostState);
}

export function ensureBridge(): void {
  const prefix = CLUSTER.podCidr.split("/")[1];
  if (tryRun("ip", "link", "show", CLUSTER.bridge).status !== 0)
    run("ip", "link", "add", CLUSTER.bridge, "type", "bridge");
  if (!run("ip", "-4", "-o", "addr", "show", "dev", CLUSTER.bridge).includes(`${CLUSTER.bridgeIp}/`))
    run("ip", "addr", "add", `${CLUSTER.bridgeIp}/${prefix}`, "dev", CLUSTER.bridge);
  run("ip", "link", "set", CLUSTER.bridge, "up");
}

export function writeCniConfig(): void {
  fs.mkdirSync(CLUSTER_PATHS.cniConfDir, { recursive: true });
  fs.mkdirSync(CLUSTER_PATHS.cniIpamDir, { recursive: true });
  const conf = {
    cniVersion: "1.0.0",
    name: CLUSTER.cniNetwork,
    plugins: [
      {
        type: "bridge",
        bridge: CLUSTER.bridge,
        isGateway: true,
        // Pods reach the outside world masqueraded; hairpin lets a pod reach itself via a Service.
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: CLUSTER.podCidr, gateway: CLUSTER.bridgeIp }]],
          routes: [{ dst: "0.0.0.0/0" }],
          dataDir: CLUSTER_PATHS.cniIpamDir,
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
    ],
  };
  fs.writeFileSync(path.join(CLUSTER_PATHS.cniConfDir, "10-food-ordering.conflist"), JSON.stringify(conf, null, 2));
}

/** Removes the bridge and any veth still attached to it (CNI DEL normally removed them). */
export function removeBridge(): string[] {
  if (tryRun("ip", "link", "show", CLUSTER.bridge).status !== 0) return [];
  const ports = run("ip", "-o", "link", "show", "master", CLUSTER.bridge)
    .split("\n")
    .map((l) => /^\d+: ([^@:]+)/.exec(l)?.[1])
    .filter((x): x is string => !!x);
  for (const port of ports) tryRun("ip", "link", "delete", port);
  run("ip", "link", "delete", CLUSTER.bridge);
  return [CLUSTER.bridge, ...ports];
}

/** Rules and chains of one table, as iptables-save prints them. */
function parseTable(save: string, table: string): { chains: string[]; rules: { chain: string; spec: string }[] } {
  const section = save.split(/^\*/m).find((s) => s.startsWith(`${table}\n`)) ?? "";
  const chains = [...section.matchAll(/^:(\S+) /gm)].map((m) => m[1]!);
  const rules = [...section.matchAll(/^-A (\S+) (.*)$/gm)].map((m) => ({ chain: m[1]!, spec: m[2]! }));
  return { chains, rules };
}

const BUILTIN = new Set(["INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"]);

/**
 * Deletes the node's iptables chains: every KUBE-* chain (kube-proxy's and the kubelet's), the
 * CNI chains whose rules carry this network's name, and CNI-HOSTPORT-* chains that would be left
 * empty, with every rule that jumps to them. Chains of other CNI users (podman) stay.
 */
export function removeIptablesChains(): string[] {
  const removed: string[] = [];
  for (const bin of ["iptables", "ip6tables"]) {
    const saved = tryRun(`${bin}-save`);
    if (saved.status !== 0) continue;
    const script: string[] = [];
    for (const table of ["filter", "nat", "mangle", "raw"]) {
      const { chains, rules } = parseTable(saved.stdout, table);
      const ours = (spec: string) => spec.includes(`name: \\"${CLUSTER.cniNetwork}\\"`);
      const doomed = new Set(
        chains.filter(
          (c) => c.startsWith("KUBE-") || (c.startsWith("CNI-") && rules.some((r) => r.chain === c && ours(r.spec))),
        ),
      );
      for (const c of chains.filter((c) => c.startsWith("CNI-HOSTPORT-")))
        if (rules.filter((r) => r.chain === c).every((r) => ours(r.spec) || doomed.has(jumpTarget(r.spec) ?? "")))
          doomed.add(c);
      const deletions = rules.filter(
        (r) => !doomed.has(r.chain) && (ours(r.spec) || doomed.has(jumpTarget(r.spec) ?? "")),
      );
      if (!doomed.size && !deletions.length) continue;
      script.push(`*${table}`);
      for (const r of deletions) script.push(`-D ${r.chain} ${r.spec}`);
      for (const c of doomed) script.push(`-F ${c}`);
      for (const c of doomed) if (!BUILTIN.has(c)) script.push(`-X ${c}`);
      script.push("COMMIT");
      removed.push(...[...doomed].map((c) => `${bin} ${table} ${c}`));
    }
    if (!script.length) continue;
    const r = spawnSync(`${bin}-restore`, ["--noflush"], { input: `${script.join("\n")}\n`, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${bin}-restore failed removing the node's chains: ${r.stderr.trim()}`);
  }
  return removed;
}

function jumpTarget(spec: string): string | undefined {
  return /(?:^| )-[jg] (\S+)/.exec(spec)?.[1];
}

/** Chains and interfaces of this node still present (for `status` and the tests). */
export function leftovers(): string[] {
  const found: string[] = [];
  if (tryRun("ip", "link", "show", CLUSTER.bridge).status === 0) found.push(`bridge ${CLUSTER.bridge}`);
  for (const bin of ["iptables", "ip6tables"]) {
    const saved = tryRun(`${bin}-save`);
    if (saved.status !== 0) continue;
    for (const table of ["filter", "nat", "mangle", "raw"]) {
      const { chains, rules } = parseTable(saved.stdout, table);
      for (const c of chains) if (c.startsWith("KUBE-")) found.push(`${bin} ${table} chain ${c}`);
      for (const r of rules)
        if (r.spec.includes(`name: \\"${CLUSTER.cniNetwork}\\"`)) found.push(`${bin} ${table} rule in ${r.chain}`);
    }
  }
  return found;
}
