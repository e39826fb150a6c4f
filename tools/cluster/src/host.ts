import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { CLUSTER_PATHS } from "./paths.ts";

/** Host-level chores of `up` and `down`: root, ports, mounts and cgroups under the node's dirs. */
export function requireRoot(what: string): void {
  if (process.getuid?.() !== 0)
    throw new Error(`${what} needs root (containerd, the kubelet, bridges and iptables do): run it with sudo`);
}

/** Whether nothing listens on the TCP port (on any address). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "0.0.0.0", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Mount points under the node's data dir (kubelet volumes, sandbox shm, rootfs), deepest first. */
export function mountsUnder(root = CLUSTER_PATHS.root): string[] {
  const points = fs
    .readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((p): p is string => !!p && (p === root || p.startsWith(`${root}/`)))
    // mountinfo escapes spaces and such as octal.
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export function unmountAll(): string[] {
  const failed: string[] = [];
  for (const p of mountsUnder()) {
    if (spawnSync("umount", [p], { stdio: "ignore" }).status !== 0)
      if (spawnSync("umount", ["-l", p], { stdio: "ignore" }).status !== 0) failed.push(p);
  }
  return failed;
}

const CGROUP_ROOT = "/sys/fs/cgroup";

/** The kubelet's cgroup tree (kubepods) in every hierarchy, v1 and the unified one beside them. */
function kubepodsDirs(): string[] {
  const dirs: string[] = [];
  for (const h of fs.existsSync(CGROUP_ROOT) ? fs.readdirSync(CGROUP_ROOT) : []) {
    const d = path.join(CGROUP_ROOT, h, "kubepods");
    if (fs.existsSync(d)) dirs.push(d);
  }
  if (fs.existsSync(path.join(CGROUP_ROOT, "kubepods"))) dirs.push(path.join(CGROUP_ROOT, "kubepods"));
  return dirs;
}

/** Every process in the kubelet's cgroup trees: the node's containers. */
function kubepodsPids(): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    const procs = path.join(dir, "cgroup.procs");
    if (fs.existsSync(procs))
      for (const l of fs.readFileSync(procs, "utf8").split("\n")) if (l.trim()) pids.add(Number(l));
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  for (const d of kubepodsDirs()) walk(d);
  return [...pids];
}

/** containerd's shims serving the node's socket (their command line names it). */
function shimPids(socket = CLUSTER_PATHS.containerdSocket): number[] {
  const pids: number[] = [];
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0");
      if (argv.includes("-address") && argv[argv.indexOf("-address") + 1] === socket) pids.push(Number(e));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Kills what a containerd that died (or lost its socket) left running: the containers in the
 * kubepods cgroups and the shims of the node's socket. The CRI cannot remove them any more.
 */
export function killOrphans(): number[] {
  const pids = [...kubepodsPids(), ...shimPids()];
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return pids;
}

/** Removes the emptied kubepods cgroups, children first; returns those still holding processes. */
export function removeKubepodsCgroups(): string[] {
  const busy: string[] = [];
  const remove = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) remove(path.join(dir, e.name));
    try {
      fs.rmdirSync(dir);
    } catch {
      busy.push(dir);
    }
  };
  for (const d of kubepodsDirs()) remove(d);
  return busy;
}

export const kubepodsLeft = () => kubepodsDirs();

/**
 * The kubelet's device-plugin socket is at a fixed path outside its root dir: remove the socket,
 * and the directories if nothing else is in them.
 */
export function removeDevicePluginSocket(): void {
  const dir = "/var/lib/kubelet/device-plugins";
  fs.rmSync(path.join(dir, "kubelet.sock"), { force: true });
  for (const d of [dir, path.dirname(dir)]) {
    try {
      fs.rmdirSync(d);
    } catch {
      return; // not empty (or absent): not only ours
    }
  }
}
