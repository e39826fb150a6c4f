import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CLUSTER, CLUSTER_PATHS } from "./paths.ts";

/**
 * The cluster's certificates, made once with openssl: one CA signs every serving and client
 * certificate. Client identities follow Kubernetes' conventions, so the default RBAC bindings
 * and the Node authorizer apply to them (system:node:<name> in system:nodes, system:kube-*).
 */
export const pkiFile = (name: string) => path.join(CLUSTER_PATHS.pki, name);
export const CA_CERT = pkiFile("ca.crt");
export const CA_KEY = pkiFile("ca.key");
export const SA_KEY = pkiFile("sa.key");
export const SA_PUB = pkiFile("sa.pub");

export interface Identity {
  cn: string;
  org?: string;
}

/** Client identities, by component: the names RBAC's bootstrap policy grants to. */
export const CLIENTS = {
  admin: { cn: "kubernetes-admin", org: "system:masters" },
  "apiserver-kubelet-client": { cn: "kube-apiserver-kubelet-client", org: "system:masters" },
  kubelet: { cn: `system:node:${CLUSTER.nodeName}`, org: "system:nodes" },
  "kube-controller-manager": { cn: "system:kube-controller-manager" },
  "kube-scheduler": { cn: "system:kube-scheduler" },
  "kube-proxy": { cn: "system:kube-proxy" },
  coredns: { cn: "system:coredns" },
} as const satisfies Record<string, Identity>;
export type Client = keyof typeof CLIENTS;

function openssl(...args: string[]): void {
  try {
    execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(err)}`);
  }
}

const subject = ({ cn, org }: Identity) => `${org ? `/O=${org}` : ""}/CN=${cn}`;

function ecKey(file: string): void {
  openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file);
  fs.chmodSync(file, 0o600);
}

function ensureCa(): void {
  if (fs.existsSync(CA_CERT) && fs.existsSync(CA_KEY)) return;
  ecKey(CA_KEY);
  openssl(
    ...["req", "-x509", "-new", "-key", CA_KEY, "-subj", "/CN=food-ordering-cluster-ca", "-days", "3650"],
    ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ...["-out", CA_CERT],
  );
}

/**
 * Issues `<name>.crt`/`<name>.key` signed by the CA, unless one with the same subject, usage and
 * SANs exists (the SANs hold the node's IP, which may change between runs).
 */
function issue(name: string, id: Identity, usage: "client" | "server", sans: string[] = []): void {
  const crt = pkiFile(`${name}.crt`);
  const key = pkiFile(`${name}.key`);
  const spec = JSON.stringify({ id, usage, sans });
  const specFile = pkiFile(`${name}.spec`);
  if (fs.existsSync(crt) && fs.existsSync(key) && fs.existsSync(specFile) && fs.readFileSync(specFile, "utf8") === spec)
    return;
  ecKey(key);
  const csr = pkiFile(`${name}.csr`);
  const ext = pkiFile(`${name}.ext`);
  openssl("req", "-new", "-key", key, "-subj", subject(id), "-out", csr);
  fs.writeFileSync(
    ext,
    [
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${usage === "server" ? "serverAuth" : "clientAuth"}`,
      ...(sans.length ? [`subjectAltName=${sans.join(",")}`] : []),
      "",
    ].join("\n"),
  );
  openssl(
    ...["x509", "-req", "-in", csr, "-CA", CA_CERT, "-CAkey", CA_KEY, "-days", "3650"],
    ...["-set_serial", `0x${crypto.randomBytes(16).toString("hex")}`, "-extfile", ext, "-out", crt],
  );
  fs.rmSync(csr);
  fs.rmSync(ext);
  fs.writeFileSync(specFile, spec);
}

/** Generates whatever of the PKI is missing (or stale for `nodeIp`); idempotent. */
export function ensurePki(nodeIp: string): void {
  fs.mkdirSync(CLUSTER_PATHS.pki, { recursive: true, mode: 0o700 });
  ensureCa();
  const svc = ["kubernetes", "kubernetes.default", "kubernetes.default.svc"];
  issue("apiserver", { cn: "kube-apiserver" }, "server", [
    ...[...svc, `kubernetes.default.svc.${CLUSTER.clusterDomain}`, "localhost", CLUSTER.nodeName].map(
      (d) => `DNS:${d}`,
    ),
    ...["127.0.0.1", nodeIp, CLUSTER.apiServiceIp, CLUSTER.bridgeIp].map((ip) => `IP:${ip}`),
  ]);
  // The kubelet's serving certificate, which the API server verifies for logs, exec and port-forward.
  issue("kubelet-serving", { cn: CLUSTER.nodeName }, "server", [
    `DNS:${CLUSTER.nodeName}`,
    "DNS:localhost",
    `IP:${nodeIp}`,
    "IP:127.0.0.1",
  ]);
  for (const [name, id] of Object.entries(CLIENTS)) issue(name, id, "client");
  if (!fs.existsSync(SA_KEY)) {
    // Service-account tokens are signed with RSA, which every token consumer accepts.
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", SA_KEY);
    fs.chmodSync(SA_KEY, 0o600);
    openssl("pkey", "-in", SA_KEY, "-pubout", "-out", SA_PUB);
  }
}
