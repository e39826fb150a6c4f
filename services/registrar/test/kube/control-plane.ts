import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ManagedProcess } from "@food-ordering/testkit";
import { freePort } from "@food-ordering/testkit";

/**
 * A real Kubernetes control plane for the registrar's Kubernetes tests, the way
 * controller-runtime's envtest makes one: etcd (Debian's etcd-server) and kube-apiserver, with no
 * nodes, kubelet or controllers. kube-apiserver ships in no package this machine can install, so
 * build-apiserver.ts builds it once from Go modules into a cache (about 15 minutes on 2 cores).
 */
export const KUBE_VERSION = "1.35.4";

export function apiserverBinary(): string {
  return (
    process.env.KUBE_APISERVER_BIN ??
    path.join(os.homedir(), ".cache", "food-ordering", `kube-apiserver-v${KUBE_VERSION}`, "kube-apiserver")
  );
}

function etcdBinary(): string {
  try {
    return execFileSync("sh", ["-c", "command -v etcd"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("etcd not found on PATH: install it with `apt-get install etcd-server`");
  }
}

export interface ControlPlane {
  url: string;
  /** A kubeconfig for `user` (admin = system:masters; registrar = only what its Role grants). */
  kubeConfig(user: "admin" | "registrar"): KubeConfig;
  stop(): Promise<void>;
}

/** Starts etcd and kube-apiserver on free loopback ports with their data in `dir`. */
export async function startControlPlane(dir: string): Promise<ControlPlane> {
  const bin = apiserverBinary();
  if (!fs.existsSync(bin))
    throw new Error(
      `kube-apiserver not found at ${bin}: build it once with \`npm run setup\` (npm test does) (or set KUBE_APISERVER_BIN)`,
    );
  const [etcdPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const logDir = path.join(dir, "logs");
  const certDir = path.join(dir, "certs");
  fs.mkdirSync(certDir, { recursive: true });

  // Static bearer tokens: one for the test (system:masters), one for the registrar (RBAC applies).
  const tokens = { admin: crypto.randomUUID(), registrar: crypto.randomUUID() };
  fs.writeFileSync(
    path.join(dir, "tokens.csv"),
    `${tokens.admin},admin,1,system:masters\n${tokens.registrar},registrar,2,\n`,
  );
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, "sa.key"), privateKey.export({ type: "pkcs1", format: "pem" }));
  fs.writeFileSync(path.join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));

  const etcd = new ManagedProcess({
    name: "etcd",
    command: etcdBinary(),
    args: [
      `--data-dir=${path.join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
    ],
    logDir,
    ports: [etcdPort, etcdPeerPort],
    ready: async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`, { signal: AbortSignal.timeout(1000) })).ok,
  });
  const url = `https://127.0.0.1:${apiPort}`;
  const apiserver = new ManagedProcess({
    name: "kube-apiserver",
    command: bin,
    args: [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${path.join(dir, "tokens.csv")}`,
      "--authorization-mode=RBAC",
      "--service-account-issuer=https://kubernetes.default.svc",
      `--service-account-key-file=${path.join(dir, "sa.pub")}`,
      `--service-account-signing-key-file=${path.join(dir, "sa.key")}`,
      "--service-cluster-ip-range=10.0.0.0/24",
      // No controller-manager runs, so nothing would create the ServiceAccounts it waits for.
      "--disable-admission-plugins=ServiceAccount",
    ],
    logDir,
    ports: [apiPort],
    readyTimeoutMs: 60_000,
    ready: () => readyz(url, path.join(certDir, "apiserver.crt"), tokens.admin),
  });
  await etcd.start();
  try {
    await apiserver.start();
  } catch (err) {
    await etcd.stop();
    throw err;
  }
  return {
    url,
    kubeConfig(user) {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: "test", server: url, caFile: path.join(certDir, "apiserver.crt"), skipTLSVerify: false }],
        users: [{ name: user, token: tokens[user] }],
        contexts: [{ name: user, cluster: "test", user }],
        currentContext: user,
      });
      return kc;
    },
    async stop() {
      // kube-apiserver drains for a long time on SIGTERM; nothing here needs a graceful stop.
      await apiserver.stop(2000);
      await etcd.stop(2000);
    },
  };
}

/** /readyz, trusting the self-signed certificate kube-apiserver wrote into its cert dir. */
function readyz(url: string, caFile: string, token: string): Promise<boolean> {
  if (!fs.existsSync(caFile)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = https.get(
      `${url}/readyz`,
      { ca: fs.readFileSync(caFile), headers: { authorization: `Bearer ${token}` }, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}
