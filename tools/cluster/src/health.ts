import { spawnSync } from "node:child_process";
import dns from "node:dns/promises";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { CA_CERT, pkiFile } from "./pki.ts";
import { CLUSTER_PATHS } from "./paths.ts";

/** Readiness probes for the components, each resolving to whether the check passed. */
export function httpOk(url: string, tls: "admin" | "insecure" | "none" = "none"): Promise<boolean> {
  return new Promise((resolve) => {
    const options: https.RequestOptions = { timeout: 2000 };
    if (tls === "admin") {
      options.ca = fs.readFileSync(CA_CERT);
      options.cert = fs.readFileSync(pkiFile("admin.crt"));
      options.key = fs.readFileSync(pkiFile("admin.key"));
    } else if (tls === "insecure") {
      // The controller-manager's and scheduler's self-signed serving certificates: only /healthz.
      options.rejectUnauthorized = false;
    }
    const req = (url.startsWith("https:") ? https : http).get(url, options, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

export async function containerdReady(): Promise<boolean> {
  if (!fs.existsSync(CLUSTER_PATHS.containerdSocket)) return false;
  return spawnSync("ctr", ["--address", CLUSTER_PATHS.containerdSocket, "version"], { stdio: "ignore" }).status === 0;
}

/** Whether the DNS server at `server` resolves `name` to an IPv4 address. */
export async function dnsAnswers(server: string, name: string): Promise<boolean> {
  const resolver = new dns.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([server]);
  try {
    return (await resolver.resolve4(name)).length > 0;
  } catch {
    return false;
  }
}
