import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildImageArchive,
  CLUSTER,
  CLUSTER_PATHS,
  clusterStatus,
  clusterUp,
  importImage,
  kubectl,
  KUBECTL,
  PAUSE_IMAGE,
} from "../../src/index.ts";

/**
 * The local node end to end: brings it up unless it runs, then runs pods from locally built
 * images and reaches them as users of the chart do (ClusterIP, DNS, pod IP, logs, exec,
 * port-forward). Needs root. Leaves the cluster running (`npm run cluster -- down` stops it).
 */
const PROBE_IMAGE = "localhost/food-ordering/probe:test";
const ns = `cluster-test-${crypto.randomBytes(3).toString("hex")}`;
const k = (...args: string[]) => kubectl(["-n", ns, ...args]);
/** kubectl commands that wait (rollout status, wait) up to 180 s themselves. */
const kWait = (...args: string[]) => kubectl(["-n", ns, ...args, "--timeout=180s"], undefined, 200_000);

/** A static Go binary (HTTP server and client, DNS lookup) as a one-layer image in containerd. */
function buildProbeImage(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-"));
  try {
    const bin = path.join(dir, "probe");
    execFileSync("go", ["build", "-o", bin, "main.go"], {
      cwd: path.join(import.meta.dirname, "probe"),
      env: { ...process.env, CGO_ENABLED: "0" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    importImage(buildImageArchive(PROBE_IMAGE, [{ at: "/probe", from: bin }], ["/probe"], path.join(dir, "probe.tar")));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const podSpec = (name: string, image: string, args: string[]) => ({
  terminationGracePeriodSeconds: 1,
  containers: [{ name, image, imagePullPolicy: "Never", args }],
});
const pod = (name: string, image: string, args: string[]) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: podSpec(name, image, args),
});

async function eventually<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await sleep(1000);
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`);
}

describe("the local single-node cluster", () => {
  beforeAll(async () => {
    if (!clusterStatus().running) await clusterUp({ say: () => {} });
    buildProbeImage();
    kubectl(["create", "namespace", ns]);
    const web = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: podSpec("web", PROBE_IMAGE, ["serve", ":8080"]) },
      },
    };
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const items = [web, svc, pod("client", PROBE_IMAGE, ["sleep"]), pod("pause", PAUSE_IMAGE, [])];
    kubectl(["-n", ns, "apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    kWait("rollout", "status", "deployment/web");
    kWait("wait", "--for=condition=Ready", "pod/client", "pod/pause");
  });

  afterAll(() => {
    kubectl(["delete", "namespace", ns, "--wait=false"]);
  });

  it("has a Ready node", () => {
    const ready = kubectl([
      "get",
      "node",
      CLUSTER.nodeName,
      "-o",
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    expect(ready).toBe("True");
    expect(fs.existsSync(CLUSTER_PATHS.containerdSocket)).toBe(true);
  });

  it("runs a pod from the locally built pause image", () => {
    expect(k("get", "pod", "pause", "-o", "jsonpath={.status.phase}")).toBe("Running");
  });

  it("reaches a Deployment through its Service's ClusterIP from another pod", async () => {
    const ip = k("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}");
    expect(ip).toMatch(/^10\.96\./);
    // kube-proxy programs the Service a moment after its endpoints become ready.
    const body = await eventually(`GET http://${ip}/`, () =>
      k("exec", "client", "--", "/probe", "get", `http://${ip}/`),
    );
    expect(body).toMatch(/^hello from web-/);
  });

  it("resolves the Service by DNS name from another pod", async () => {
    for (const name of ["web", `web.${ns}.svc.${CLUSTER.clusterDomain}`]) {
      const body = await eventually(`GET http://${name}/`, () =>
        k("exec", "client", "--", "/probe", "get", `http://${name}/`),
      );
      expect(body).toMatch(/^hello from web-/);
    }
    expect(k("exec", "client", "--", "/probe", "lookup", "kubernetes.default")).toContain(CLUSTER.apiServiceIp);
  });

  it("reaches the pods by pod IP from the host", async () => {
    const ips = k("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].status.podIP}").split(" ");
    expect(ips).toHaveLength(2);
    for (const ip of ips) {
      const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) });
      expect(await res.text()).toMatch(/^hello from web-/);
    }
  });

  it("shows container logs and runs commands in containers", () => {
    expect(k("logs", "deployment/web")).toContain("serving on :8080");
    expect(k("exec", "deploy/web", "--", "/probe", "lookup", "web")).toMatch(/10\.96\./);
  });

  it("forwards a local port to the Service", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const pf = spawn(
      KUBECTL,
      ["--kubeconfig", CLUSTER_PATHS.kubeconfig, "-n", ns, "port-forward", "svc/web", `${port}:80`],
      {
        stdio: "ignore",
      },
    );
    try {
      const body = await eventually(
        `GET through port-forward :${port}`,
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3000) });
          return res.text();
        },
        30_000,
      );
      expect(body).toMatch(/^hello from web-/);
    } finally {
      pf.kill();
    }
  });

  // Last: from here on only labelled clients reach the web pods.
  it("enforces a NetworkPolicy (kube-network-policies): only the client it names reaches the pods", async () => {
    expect(clusterStatus().components.find((c) => c.name === "kube-network-policies")?.pid).toBeDefined();
    const policy = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "web" },
      spec: {
        podSelector: { matchLabels: { app: "web" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ podSelector: { matchLabels: { role: "allowed" } } }], ports: [{ port: 8080 }] }],
      },
    };
    const allowed = pod("allowed", PROBE_IMAGE, ["sleep"]);
    const items = [{ ...allowed, metadata: { name: "allowed", labels: { role: "allowed" } } }, policy];
    kubectl(["-n", ns, "apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));
    kWait("wait", "--for=condition=Ready", "pod/allowed");
    const ip = k("get", "service", "web", "-o", "jsonpath={.spec.clusterIP}");
    const get = (from: string) => k("exec", from, "--", "/probe", "get", `http://${ip}/`);
    expect(await eventually("GET from the allowed client", () => get("allowed"))).toMatch(/^hello from web-/);
    // The enforcer drops the first packet of a denied connection: the client times out.
    await eventually("the policy to deny the unlabelled client", () =>
      expect(() => get("client")).toThrow(/Client\.Timeout|deadline exceeded/),
    );
  });
});
