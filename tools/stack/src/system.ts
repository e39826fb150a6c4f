import { spawnSync } from "node:child_process";

/** A Debian package, by the command that proves it present. */
export interface SystemPackage {
  command: string;
  args: string[];
  pkg: string;
  why: string;
}

/** Debian packages the local stack and the tests need. */
export const SYSTEM_PACKAGES: SystemPackage[] = [
  { command: "java", args: ["-version"], pkg: "openjdk-17-jre-headless", why: "runs the Kafka broker" },
  { command: "mvn", args: ["-v"], pkg: "maven", why: "resolves the Kafka jars from Maven Central" },
  { command: "chromium", args: ["--version"], pkg: "chromium", why: "browser end-to-end tests" },
  {
    command: "prometheus",
    args: ["--version"],
    pkg: "prometheus",
    why: "the local Prometheus and the dashboard tests",
  },
  {
    command: "etcd",
    args: ["--version"],
    pkg: "etcd-server",
    why: "the registrar's tests against a real kube-apiserver",
  },
];

const has = (command: string, args: string[]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;

/**
 * Installs the missing packages with apt-get when running as root (CI, fresh machines);
 * otherwise names them in one clear error. `from` lets a tool bring its own list.
 */
export function ensureSystemPackages(
  which?: string[],
  say: (s: string) => void = console.log,
  from: SystemPackage[] = SYSTEM_PACKAGES,
): void {
  const missing = from.filter(
    (p) => (which ?? from.map((x) => x.command)).includes(p.command) && !has(p.command, p.args),
  );
  if (!missing.length) return;
  const list = missing.map((p) => `${p.pkg} (${p.why})`).join(", ");
  if (process.getuid?.() !== 0)
    throw new Error(
      `missing system packages: ${list}. Install them: sudo apt-get install -y ${missing.map((p) => p.pkg).join(" ")}`,
    );
  say(`Installing ${list}...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  if (update.status !== 0) throw new Error("apt-get update failed");
  const install = spawnSync(
    "apt-get",
    ["install", "-y", "-qq", "--no-install-recommends", ...missing.map((p) => p.pkg)],
    { stdio: "inherit", env },
  );
  if (install.status !== 0) throw new Error(`apt-get install ${missing.map((p) => p.pkg).join(" ")} failed`);
  const still = missing.filter((p) => !has(p.command, p.args));
  if (still.length) throw new Error(`still missing after install: ${still.map((p) => p.command).join(", ")}`);
}
