import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CLUSTER_PATHS } from "./paths.ts";

/**
 * The node's components run as detached processes that outlive `up`: each one's output goes to
 * logs/<name>.log and its pid to run/<name>.pid, and `down` stops exactly those pids.
 */
export const logFile = (name: string) => path.join(CLUSTER_PATHS.logs, `${name}.log`);
export const pidFile = (name: string) => path.join(CLUSTER_PATHS.run, `${name}.pid`);

/** sbin first: containerd finds runc and its shim, kube-proxy iptables, on this PATH. */
export const NODE_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"].join(":");

function cmdline(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/**
 * The recorded pid, if that process still runs and is ours: every component's command line names
 * a path under .data/cluster, so a pid reused by an unrelated process is never taken for ours.
 */
export function runningPid(name: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile(name), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const args = cmdline(pid);
  if (!args?.some((a) => a.includes(CLUSTER_PATHS.root))) return undefined;
  // A zombie (exited, not yet reaped) does not run.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  if (/^\d+ \(.*\) Z/.test(stat)) return undefined;
  return pid;
}

export function startDetached(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  fs.mkdirSync(CLUSTER_PATHS.logs, { recursive: true });
  fs.mkdirSync(CLUSTER_PATHS.run, { recursive: true });
  const out = fs.openSync(logFile(name), "a");
  fs.writeSync(out, `\n===== ${new Date().toISOString()} ${command} ${args.join(" ")}\n`);
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: { ...process.env, PATH: NODE_PATH, ...env },
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  child.unref();
  fs.writeFileSync(pidFile(name), `${child.pid}\n`);
  return child.pid;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return !/^\d+ \(.*\) Z/.test(stat);
}

/** SIGTERM, then SIGKILL after `graceMs`; removes the pid file. Returns whether it was running. */
export async function stopProcess(name: string, graceMs = 10_000): Promise<boolean> {
  const pid = runningPid(name);
  fs.rmSync(pidFile(name), { force: true });
  if (pid === undefined) return false;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, "SIGKILL");
    while (alive(pid)) await sleep(50);
  }
  return true;
}

/** The last lines of a component's log, for error messages. */
export function logTail(name: string, lines = 25): string {
  try {
    const text = fs.readFileSync(logFile(name), "utf8").trimEnd().split("\n");
    return text.slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export class ComponentError extends Error {
  override name = "ComponentError";
  constructor(component: string, problem: string) {
    super(`${component} ${problem}. Last lines of ${logFile(component)}:\n${logTail(component)}`);
  }
}

/** Polls `ready` until it holds; fails naming the component (with its log) if it exits or times out. */
export async function waitReady(
  name: string,
  pid: number | undefined,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pid !== undefined && !alive(pid)) throw new ComponentError(name, "exited during start-up");
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new ComponentError(name, `was not ready after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(250);
  }
}
