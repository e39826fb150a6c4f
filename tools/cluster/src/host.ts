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
