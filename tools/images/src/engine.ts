import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CACHE_DIR } from "./paths.ts";

/**
 * A private podman/buildah configuration: its own image store (so other users of podman on this
 * machine are neither seen nor disturbed) and the settings this kind of host needs for every
 * container, build steps included: runc (crun refuses cgroup v1 with a cgroup2 tree beside it),
 * cgroupfs (no systemd), and ulimits within the hard limits (podman's defaults exceed them: EPERM).
 */
export const ENGINE_DIR = path.join(CACHE_DIR, "engine");
const STORAGE_DIR = path.join(CACHE_DIR, "storage");
// Run-time state (locks, the reboot marker) belongs on /run, not in the cached store.
const RUN_DIR = "/run/food-ordering-images";

export const ULIMITS = ["nofile=1024:1024", "nproc=1024:1024"];
/** Set in containers.conf too; as flags they also win over a CONTAINERS_CONF the caller brings. */
export const GLOBAL_FLAGS = ["--runtime", "runc", "--cgroup-manager", "cgroupfs"];
/** For `podman run` and `podman build`: host network (no CNI here) and ulimits within the hard limits. */
export const ULIMIT_FLAGS = ULIMITS.flatMap((u) => ["--ulimit", u]);
export const RUN_FLAGS = ["--network", "host", ...ULIMIT_FLAGS];

const toml = (lines: string[]) => lines.join("\n") + "\n";

function writeConfig(): Record<string, string> {
  fs.mkdirSync(ENGINE_DIR, { recursive: true });
  const files = {
    CONTAINERS_CONF: [
      "containers.conf",
      toml([
        "[containers]",
        `default_ulimits = [${ULIMITS.map((u) => JSON.stringify(u)).join(", ")}]`,
        'netns = "host"',
        'cgroupns = "host"',
        "[engine]",
        'runtime = "runc"',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `tmp_dir = "${RUN_DIR}/libpod"`,
        `events_logfile_path = "${RUN_DIR}/events.log"`,
      ]),
    ],
    CONTAINERS_STORAGE_CONF: [
      "storage.conf",
      toml(["[storage]", 'driver = "overlay"', `graphroot = "${STORAGE_DIR}"`, `runroot = "${RUN_DIR}/storage"`]),
    ],
    // Short names (node:…, food-ordering:dev) resolve to docker.io like Docker and kubelet do;
    // builds never pull (--pull=never), so no registry is contacted.
    CONTAINERS_REGISTRIES_CONF: [
      "registries.conf",
      toml(['unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"']),
    ],
    SIGNATURE_POLICY: ["policy.json", JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }) + "\n"],
  } as const;
  const env: Record<string, string> = {};
  for (const [key, [name, text]] of Object.entries(files)) {
    const file = path.join(ENGINE_DIR, name);
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) fs.writeFileSync(file, text);
    env[key] = file;
  }
  return env;
}

let engineEnv: Record<string, string> | undefined;

/** The environment that points podman and buildah at the private configuration. */
export function containersEnv(): NodeJS.ProcessEnv {
  engineEnv ??= writeConfig();
  // buildah reads the policy from this variable; podman takes --signature-policy where it matters.
  const { SIGNATURE_POLICY, ...rest } = engineEnv;
  return { ...process.env, ...rest, BUILDAH_SIGNATURE_POLICY: SIGNATURE_POLICY };
}

export function signaturePolicy(): string {
  containersEnv();
  return engineEnv!.SIGNATURE_POLICY!;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with the private configuration; `echo` streams its output (long builds),
 * otherwise it is captured. Rejects on a non-zero exit unless `allowFail`.
 */
export async function exec(
  cmd: string,
  args: string[],
  opts: { echo?: (line: string) => void; allowFail?: boolean; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...containersEnv(), ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const tail = (s: string) => (s.length > 64_000 ? s.slice(-64_000) : s);
  const lines = (chunk: Buffer) => {
    if (opts.echo) for (const l of chunk.toString().split("\n")) if (l.trim()) opts.echo(l);
  };
  child.stdout.on("data", (c: Buffer) => {
    stdout = tail(stdout + c.toString());
    lines(c);
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr = tail(stderr + c.toString());
    lines(c);
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0 && !opts.allowFail)
    throw new Error(`${cmd} ${args.join(" ")} exited with ${code}\n${stderr.slice(-4000) || stdout.slice(-4000)}`);
  return { code, stdout, stderr };
}

/** podman with the runtime and cgroup manager as global flags, which build steps honour too. */
export const podman = (args: string[], opts?: Parameters<typeof exec>[2]) =>
  exec("podman", [...GLOBAL_FLAGS, ...args], opts);
