import { Command } from "commander";
import { clusterDown } from "./down.ts";
import { clusterStatus } from "./status.ts";
import { clusterUp } from "./up.ts";

/** npm run cluster -- up | down [--purge] | status */
const program = new Command("cluster").description(
  "A real single-node Kubernetes (etcd, kube-apiserver, controller-manager, scheduler, " +
    "kubelet, containerd, kube-proxy, kube-network-policies, CoreDNS) as local processes.",
);

program
  .command("up")
  .description("install, build and start whatever is missing; wait until the node is Ready and DNS answers")
  .action(async () => {
    const t0 = Date.now();
    const info = await clusterUp().catch((err: unknown) => {
      // What did start keeps running, so that its logs and state can be looked at.
      console.error("\nWhat started still runs: `npm run cluster -- status`, and `npm run cluster -- down` stops it.");
      throw err;
    });
    console.log(
      `\nCluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: node ${info.nodeName} (${info.nodeIp}) Ready.`,
    );
    for (const c of info.components)
      console.log(
        `  ${c.name.padEnd(24)} pid ${String(c.pid).padEnd(8)} ${c.started ? "started" : "already running"}  ${c.log}`,
      );
    console.log(`
API server:  ${info.server}
containerd:  ${info.containerdSocket} (namespace ${info.containerdNamespace})

Use it:
  export KUBECONFIG=${info.kubeconfig}
  ${info.kubectl} get pods -A
Load an image:
  ctr --address ${info.containerdSocket} -n ${info.containerdNamespace} images import <image.tar>
Stop it:
  npm run cluster -- down        (add --purge to delete .data/cluster too)`);
  });

program
  .command("down")
  .description(
    "stop every component by its recorded pid and remove pods, interfaces, iptables chains and nftables tables",
  )
  .option("--purge", "also delete .data/cluster (etcd data, certificates, images)")
  .action(async (opts: { purge?: boolean }) => {
    await clusterDown({ purge: opts.purge });
    const left = clusterStatus();
    const running = left.components.filter((c) => c.pid !== undefined);
    if (running.length || left.hostObjects.length) {
      console.error(
        `Left behind: ${[...running.map((c) => `${c.name} (pid ${c.pid})`), ...left.hostObjects].join(", ")}`,
      );
      process.exitCode = 1;
    } else console.log("Cluster down: nothing of it runs.");
  });

program
  .command("status")
  .description("which components run, the node, and what of the node exists on the host")
  .action(() => {
    const s = clusterStatus();
    for (const c of s.components)
      console.log(`  ${c.name.padEnd(24)} ${c.pid === undefined ? "stopped" : `running (pid ${c.pid})`}`);
    if (s.nodes) console.log(`\n${s.nodes}`);
    if (s.hostObjects.length)
      console.log(`\nOn the host: ${s.running ? summarize(s.hostObjects) : s.hostObjects.join(", ")}`);
    if (s.running) console.log(`\nexport KUBECONFIG=${s.kubeconfig}`);
    process.exitCode = s.running ? 0 : 3;
  });

/** "iptables nat chain KUBE-X" ×40 → "40 iptables/ip6tables chains", and so on. */
function summarize(objects: string[]): string {
  const counts = new Map<string, number>();
  for (const o of objects) {
    const kind = o.includes(" chain ")
      ? "iptables/ip6tables chains"
      : o.includes(" rule in ")
        ? "CNI rules"
        : `${o.split(" ")[0]}s`;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(", ");
}

program.parseAsync().catch((err: unknown) => {
  console.error(`cluster: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
