import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { CLUSTER } from "./paths.ts";

/**
 * Which packets netfilter hands to the NetworkPolicy enforcer (network-policies.ts). It decides
 * each new connection of a pod in userspace: the first packet waits in NFQUEUE until the
 * enforcer answers accept or drop. Its own nftables table sends packets there with nft's `queue`
 * statement, which needs the kernel's nft_queue (CONFIG_NFT_QUEUE). A kernel without it (and
 * without modules to load it) rejects that table whole, so the same packets are sent to the same
 * queue by the xtables NFQUEUE target (iptables-nft) instead, in chains that mirror the table.
 */

/** kindnetd's queue number; the enforcer is started with it. */
export const ENFORCER_QUEUE = 102;
/** The enforcer's own table: `table inet kube-network-policies`. */
export const ENFORCER_TABLE = "kube-network-policies";

const CHAINS = { post: "FO-NETPOL-POSTROUTING", pre: "FO-NETPOL-PREROUTING" } as const;
const HOOKS = { post: "POSTROUTING", pre: "PREROUTING" } as const;
const run = (cmd: string, args: string[], input?: string) => spawnSync(cmd, args, { encoding: "utf8", input });
const nft = (...args: string[]) => run("nft", args);

/** Whether the kernel takes nft's `queue` statement (a dry run: `nft -c` reaches the kernel, changes nothing). */
function nftQueueWorks(): boolean {
  const probe = `table inet fo-queue-probe {
  chain p { type filter hook postrouting priority srcnat - 5; queue num ${ENFORCER_QUEUE} bypass; }
}`;
  return run("nft", ["-c", "-f", "-"], probe).status === 0;
}

function hasModules(): boolean {
  return fs.existsSync("/proc/modules");
}

/** Loads a kernel module when the kernel can load modules; whether modprobe succeeded. */
function modprobe(module: string): boolean {
  return hasModules() && run("modprobe", [module]).status === 0;
}

/**
 * NFQUEUE needs nfnetlink_queue; the enforcer's own rules need nf_tables and nft_queue. Loads
 * what is missing when it can; fails naming what the kernel lacks when the enforcer cannot work.
 */
function probeKernel(): { nftQueue: boolean; why?: string } {
  const queues = "/proc/net/netfilter/nfnetlink_queue";
  if (!fs.existsSync(queues) && !modprobe("nfnetlink_queue"))
    throw new Error(
      `the kernel has no NFQUEUE (${queues} is missing: CONFIG_NETFILTER_NETLINK_QUEUE, module ` +
        `nfnetlink_queue${hasModules() ? "" : "; this kernel loads no modules"}): NetworkPolicies cannot be enforced`,
    );
  if (nft("list", "tables").status !== 0 && !modprobe("nf_tables"))
    throw new Error("the kernel has no nftables (CONFIG_NF_TABLES, module nf_tables): `nft list tables` fails");
  if (nftQueueWorks() || (modprobe("nft_queue") && nftQueueWorks())) return { nftQueue: true };
  return {
    nftQueue: false,
    why:
      `the kernel rejects nft's queue statement (no nft_queue: ` +
      `CONFIG_NFT_QUEUE${hasModules() ? ", and modprobe nft_queue failed" : " is not set and this kernel loads no modules"})`,
  };
}

/**
 * The enforcer's table as iptables rules (mangle, IPv4: the node has no IPv6 pods). POSTROUTING,
 * after DNAT, so a Service's traffic is judged by its endpoint pod: skip DNS (judged in
 * PREROUTING), the node's own root processes (kubelet probes, as upstream), and established
 * flows; queue the rest to or from a pod. Bypass when nobody listens (kindnetd's fail-open).
 */
function rules(): Record<keyof typeof CHAINS, string[]> {
  const cidr = CLUSTER.podCidr;
  const queue = `-j NFQUEUE --queue-num ${ENFORCER_QUEUE} --queue-bypass`;
  return {
    post: [
      "-p udp -m udp --dport 53 -j RETURN",
      "-m owner --uid-owner 0 -j RETURN",
      "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
      `-s ${cidr} ${queue}`,
      `-d ${cidr} ${queue}`,
    ],
    pre: [`-s ${cidr} -p udp -m udp --dport 53 ${queue}`, `-d ${cidr} -p udp -m udp --dport 53 ${queue}`],
  };
}

const KEYS = Object.keys(CHAINS) as (keyof typeof CHAINS)[];
/** iptables arguments for the jump from a built-in chain to ours, after `-C`, `-A` or `-D`. */
const jump = (k: keyof typeof CHAINS) => [HOOKS[k], "-j", CHAINS[k]];
const mangle = (...args: string[]) => run("iptables", ["-t", "mangle", ...args]);

/**
 * Writes the queue rules when the enforcer's own table cannot carry them; idempotent (each
 * write replaces the chains' rules at once). Returns how packets reach the queue.
 */
export function ensurePolicyQueue(): string {
  const kernel = probeKernel();
  if (kernel.nftQueue) return `the enforcer's own nftables table (inet ${ENFORCER_TABLE})`;
  const script = ["*mangle"];
  for (const chain of Object.values(CHAINS)) script.push(`:${chain} - [0:0]`);
  const specs = rules();
  for (const k of KEYS) for (const spec of specs[k]) script.push(`-A ${CHAINS[k]} ${spec}`);
  for (const k of KEYS) if (mangle("-C", ...jump(k)).status !== 0) script.push(`-A ${jump(k).join(" ")}`);
  script.push("COMMIT", "");
  const r = run("iptables-restore", ["--noflush"], script.join("\n"));
  if (r.status !== 0)
    throw new Error(
      `${kernel.why}, and iptables' NFQUEUE target failed too: NetworkPolicies cannot be enforced. iptables-restore: ${r.stderr.trim()}`,
    );
  return `iptables' NFQUEUE target (mangle ${Object.values(CHAINS).join(", ")}): ${kernel.why}`;
}

/** The queue rules and the enforcer's nftables table that exist now (for `status` and `down`). */
export function policyQueueLeftovers(): string[] {
  const found = Object.values(CHAINS)
    .filter((c) => mangle("-S", c).status === 0)
    .map((c) => `iptables mangle chain ${c}`);
  if (nft("list", "table", "inet", ENFORCER_TABLE).status === 0) found.push(`nft-table inet ${ENFORCER_TABLE}`);
  return found;
}

/**
 * Removes the queue rules and the enforcer's table (it removes the table itself only on SIGINT);
 * returns what was there. What could not be removed shows in `status`.
 */
export function removePolicyQueue(): string[] {
  const found = policyQueueLeftovers();
  for (const k of KEYS) while (mangle("-D", ...jump(k)).status === 0);
  for (const chain of Object.values(CHAINS)) {
    mangle("-F", chain);
    mangle("-X", chain);
  }
  nft("delete", "table", "inet", ENFORCER_TABLE);
  return found;
}
