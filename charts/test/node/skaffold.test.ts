import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_PATHS } from "@food-ordering/cluster";
import { K8S_NAMESPACE, podman, qualify, skaffoldSession, type SkaffoldSession } from "@food-ordering/images";
import { REPO_ROOT } from "@food-ordering/stack";
import { uniqueId } from "@food-ordering/testkit";
import { berlinOrder, NodeRelease, nodeReady, say } from "./release.ts";

/**
 * skaffold on the local node as a developer without Docker runs it (docs/kubernetes.md,
 * `npm run skaffold`): `skaffold run -p local-node` builds the Dockerfile with podman, imports
 * the image into the node's containerd and installs the chart; `skaffold dev -p local-node`
 * syncs a changed source file into the running pods, rebuilds and redeploys on any other change,
 * and deletes its release on Ctrl-C. skaffold works on a copy of the working tree, so the test
 * never edits the checkout.
 */
const release = new NodeRelease();
const { full } = release;
// Our own $IMAGE tag, so that removing what this test imported touches no other image.
const TAG = `skaffold-${release.ns}`;
let session: SkaffoldSession;
let tree: string;
const imported = new Set<string>();

/** The files `git status` knows (tracked, and new ones not ignored), as the working tree has them. */
function copyWorkingTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skaffold-tree-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  })
    .split("\0")
    .filter((f) => f && fs.existsSync(path.join(REPO_ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
  }
  // The build step (tools/images) imports workspace packages; .dockerignore keeps them out of the image.
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

/** skaffold in the copy, its output kept (and echoed) for the checks. */
class Skaffold {
  output = "";
  readonly child: ChildProcess;
  readonly exited: Promise<number>;

  constructor(args: string[]) {
    say(`skaffold ${args.join(" ")}`);
    this.child = spawn(session.bin, [...args, "-n", release.ns, "--tag", TAG, "--port-forward=off"], {
      cwd: tree,
      env: session.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const take = (d: Buffer) => {
      this.output += d.toString();
      for (const m of d.toString().matchAll(/imported (\S+) and (\S+) into the node/g)) {
        imported.add(m[1]!);
        imported.add(m[2]!);
      }
      for (const line of d.toString().split("\n")) if (line.trim()) say(`  | ${line}`);
    };
    this.child.stdout!.on("data", take);
    this.child.stderr!.on("data", take);
    this.exited = new Promise((resolve) => this.child.once("exit", (c, s) => resolve(c ?? (s ? 128 : 1))));
  }

  /** Resolves once the output (after `from`) matches; fails on exit or after `ms`. */
  async waitFor(pattern: RegExp, ms: number, from = 0): Promise<void> {
    const deadline = Date.now() + ms;
    let exited: number | undefined;
    void this.exited.then((c) => (exited = c));
    while (!pattern.test(this.output.slice(from))) {
      if (exited !== undefined) throw new Error(`skaffold exited (${exited}) before printing ${pattern}`);
      if (Date.now() > deadline) throw new Error(`skaffold printed no ${pattern} within ${ms / 1000} s`);
      await sleep(1000);
    }
  }

  async stop(ms: number): Promise<number> {
    this.child.kill("SIGINT");
    const code = await Promise.race([this.exited, sleep(ms, "timeout" as const)]);
    if (code === "timeout") {
      this.child.kill("SIGKILL");
      throw new Error(`skaffold did not exit within ${ms / 1000} s of SIGINT`);
    }
    return code;
  }
}

/** The image of a Deployment's first container. */
const imageOf = async (component: string) =>
  (await release.kubectl("get", "deploy", full(component), "-o", "jsonpath={.spec.template.spec.containers[0].image}"))
    .trim()
    .replace(/^'|'$/g, "");

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(2000);
  }
}

beforeAll(async () => {
  await nodeReady();
  session = await skaffoldSession(say);
  tree = copyWorkingTree();
}, 45 * 60_000);

afterAll(async () => {
  await release.uninstall();
  await session?.stop();
  if (tree) fs.rmSync(tree, { recursive: true, force: true });
  // The images this test imported: out of the node's containerd and podman's store (untagged
  // only, and skaffold dev may have pruned them already).
  for (const ref of imported) {
    spawnSync("ctr", ["--address", CLUSTER_PATHS.containerdSocket, "-n", K8S_NAMESPACE, "images", "rm", ref], {
      stdio: "ignore",
    });
    await podman(["rmi", ref], { allowFail: true });
  }
}, 10 * 60_000);

describe("skaffold on the local node (profile local-node)", () => {
  let runImage = "";

  it(
    "`skaffold run` builds with podman, loads the node and installs the chart in a namespace of its own",
    async () => {
      const t0 = Date.now();
      const sk = new Skaffold(["run", "-p", "local-node"]);
      expect(await Promise.race([sk.exited, sleep(25 * 60_000, -1)]), sk.output.slice(-3000)).toBe(0);
      say(`skaffold run done in ${Math.round((Date.now() - t0) / 1000)} s`);

      // The image skaffold deploys when it does not push: the built image's ID as tag, imported by the build step.
      runImage = await imageOf("payment");
      expect(runImage).toMatch(/^food-ordering:[0-9a-f]{64}$/);
      expect(imported).toContain(qualify(runImage));
      for (const component of ["endpoint-1", "restaurant", "webui"]) expect(await imageOf(component)).toBe(runImage);
      expect(JSON.parse(await release.helm("list", "-o", "json"))).toMatchObject([
        { name: release.name, status: "deployed" },
      ]);

      const { running, notReady } = await release.readiness();
      expect(running.length).toBeGreaterThanOrEqual(8);
      expect(notReady).toEqual([]);
      const state = JSON.parse(await release.kubectl("get", "configmap", full("registrar-state"), "-o", "json"));
      expect(JSON.stringify(state.data)).toMatch(/converged/);

      await release.connect();
      const order = berlinOrder();
      await release.publish(order.id, JSON.stringify(order));
      expect((await release.waitForStatus(order.id, (v) => v.status === "DELIVERED", 300_000)).status).toBe(
        "DELIVERED",
      );
    },
    40 * 60_000,
  );

  it(
    "`skaffold dev` syncs a source change into the pods, rebuilds and redeploys on another, and deletes its release on Ctrl-C",
    async () => {
      expect(runImage, "needs the release of `skaffold run`").not.toBe("");
      const sk = new Skaffold(["dev", "-p", "local-node"]);
      try {
        await sk.waitFor(/Watching for changes/, 25 * 60_000);
        // The dev profile: `node --watch` on the long-running processes.
        const command = await release.kubectl(
          "get",
          "deploy",
          full("payment"),
          "-o",
          "jsonpath={.spec.template.spec.containers[0].command}",
        );
        expect(command).toContain("--watch");
        const devImage = await imageOf("payment");

        // services/**/*.ts and simulators/**/*.ts are synced (no rebuild); node --watch restarts.
        const marker = uniqueId("skaffold-sync");
        let from = sk.output.length;
        fs.appendFileSync(path.join(tree, "simulators/payment/src/main.ts"), `\nconsole.log("${marker}");\n`);
        await sk.waitFor(/Syncing 1 files? for/, 120_000, from);
        await until("the synced line in the payment pod's log", 180_000, async () =>
          (await release.kubectl("logs", `deploy/${full("payment")}`, "--tail", "500")).includes(marker)
            ? true
            : undefined,
        );
        expect(await imageOf("payment")).toBe(devImage);

        // Any other input of the Dockerfile: a new image, deployed under its new ID tag.
        const probe = `simulators/payment/src/${marker}.json`;
        from = sk.output.length;
        fs.writeFileSync(path.join(tree, probe), JSON.stringify({ marker }) + "\n");
        await sk.waitFor(/Build \[food-ordering\] succeeded/, 15 * 60_000, from);
        const rebuilt = await until("the payment Deployment on a new image", 10 * 60_000, async () => {
          const image = await imageOf("payment");
          return image !== devImage ? image : undefined;
        });
        expect(rebuilt).toMatch(/^food-ordering:[0-9a-f]{64}$/);
        await release.kubectl("rollout", "status", `deploy/${full("payment")}`, "--timeout", "10m");
        expect(await release.kubectl("exec", `deploy/${full("payment")}`, "--", "cat", `/app/${probe}`)).toContain(
          marker,
        );
        await sk.waitFor(/Watching for changes/, 10 * 60_000, from);
      } finally {
        const code = await sk.stop(5 * 60_000);
        say(`skaffold dev exited with ${code}`);
      }
      expect(sk.output).toMatch(/Cleaning up/);
      expect(JSON.parse(await release.helm("list", "-o", "json"))).toEqual([]);
      await until("the release's Deployments gone", 180_000, async () =>
        (await release.kubectl("get", "deploy", "-o", "name")).trim() === "" ? true : undefined,
      );
    },
    60 * 60_000,
  );
});
