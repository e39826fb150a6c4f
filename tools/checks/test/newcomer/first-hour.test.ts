import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO_ROOT } from "../../src/repo.ts";

/**
 * A newcomer's first hour, scripted: a clean clone of this commit with nothing beside it (no shared folder),
 * then the documented commands in an order nobody planned for — a tool before the first
 * `npm start` (it must install what it needs, not fail on an old Node), `npm start` until it says
 * it is ready, then `npm run register`, `npm run inspect -- orders` and `npm run chaos -- --help`
 * against it. Each must exit 0. It runs on the documented default ports, as a newcomer's would.
 */
const work = fs.mkdtempSync(path.join(os.tmpdir(), "newcomer-"));
const clone = path.join(work, "food-ordering");
// npm scripts as a fresh shell has them: the machine's Node first, not the Node 22 of this run.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: process.env
    .PATH!.split(path.delimiter)
    .filter((p) => !p.startsWith(REPO_ROOT))
    .join(path.delimiter),
};
delete env.npm_config_prefix;
let start: ChildProcess | undefined;
let startOutput = "";

function npm(args: string[], timeoutMs: number) {
  const r = spawnSync("npm", args, { cwd: clone, env, encoding: "utf8", timeout: timeoutMs });
  // Everything it printed, to match; its tail, to say why it failed (npm's warnings can run long).
  const all = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  return { status: r.status, all, output: all.slice(-3000) };
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer().once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });

beforeAll(async () => {
  for (const port of [3000, 8080, 9070, 9080, 9090, 9092])
    if (!(await portFree(port)))
      throw new Error(`port ${port} is taken: stop the local stack (npm start) before npm test`);
  const r = spawnSync("git", ["clone", "--quiet", "--no-local", REPO_ROOT, clone], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git clone failed: ${r.stderr}`);
  expect(fs.existsSync(path.join(work, "shared"))).toBe(false);
}, 120_000);

afterAll(async () => {
  // Whatever a failed test left running: the group this test started, and only it.
  if (start?.pid) {
    try {
      process.kill(-start.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}, 60_000);

it("a tool run before the first npm start installs what it needs and answers", () => {
  const r = npm(["run", "chaos", "--", "--help"], 600_000);
  expect(r.status, r.output).toBe(0);
  expect(r.all, r.output).toMatch(/Usage/);
}, 600_000);

it("npm start brings the whole stack up and says where the web UI is", async () => {
  start = spawn("npm", ["start"], { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 600_000);
    const read = (chunk: Buffer) => {
      startOutput += chunk.toString();
      if (
        /Web UI \(the shop\)\s+http:\/\/127\.0\.0\.1:3000/.test(startOutput) &&
        /Press Ctrl-C to stop/.test(startOutput)
      ) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    start!.stdout!.on("data", read);
    start!.stderr!.on("data", read);
    start!.once("exit", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  expect(ready, startOutput.slice(-3000)).toBe(true);
  expect((await fetch("http://127.0.0.1:3000/healthz")).ok).toBe(true);
}, 660_000);

it.each([
  [["run", "register"], /converged|no changes/i],
  [["run", "inspect", "--", "orders"], /ORDER|no orders/i],
  [["run", "chaos", "--", "--help"], /Usage/],
])(
  "npm %j works against it",
  (args, expected) => {
    expect(start?.exitCode, "npm start is still running").toBe(null);
    const r = npm(args as string[], 180_000);
    expect(r.status, r.output).toBe(0);
    expect(r.all, r.output).toMatch(expected as RegExp);
  },
  200_000,
);

it("Ctrl-C stops everything it started", async () => {
  // As a terminal does: SIGINT to the whole foreground process group (npm, the launcher, its children).
  process.kill(-start!.pid!, "SIGINT");
  const deadline = Date.now() + 60_000;
  const ports = [3000, 8080, 9070, 9092, 9090];
  let busy = ports;
  while (busy.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    busy = (await Promise.all(ports.map(async (p) => ((await portFree(p)) ? undefined : p)))).filter(
      (p) => p !== undefined,
    );
  }
  expect(busy, `ports still taken 60 s after Ctrl-C\n${startOutput.slice(-2000)}`).toEqual([]);
  expect(startOutput).toMatch(/Stopping\.\.\./);
}, 90_000);
