import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ManagedProcess } from "../../src/process.ts";
import { Supervisor } from "../../src/supervisor.ts";

/** Real child processes: a sleeper that is killed, and one that keeps dying at start. */
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "supervisor-test-"));
afterAll(() => fs.rmSync(logDir, { recursive: true, force: true }));
const sleeper = (name: string) =>
  new ManagedProcess({
    name,
    command: process.execPath,
    args: ["-e", "setTimeout(() => {}, 60_000)"],
    logDir,
    ready: async () => true,
  });
const until = async (ok: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return ok();
};

describe("Supervisor", () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it("reports a process killed from outside at once and starts it again", async () => {
    const p = sleeper("victim");
    await p.start();
    const lines: string[] = [];
    const s = new Supervisor([p], { say: (l) => lines.push(l), initialBackoffMs: 50 });
    cleanup.push(
      () => p.stop(2000),
      () => s.stop(),
    );
    const firstPid = p.child!.pid!;
    process.kill(firstPid, "SIGKILL");
    expect(await until(() => lines.some((l) => l.includes("victim killed by SIGKILL; restarting")), 2000)).toBe(true);
    expect(await until(() => p.running && p.child!.pid !== firstPid, 5000)).toBe(true);
    expect(lines.at(-1)).toMatch(/victim is back/);
    expect(s.restarts.get("victim")).toBe(1);
  });

  it("does not restart what stop() or kill() ended on purpose, nor anything after its own stop()", async () => {
    const a = sleeper("stopped-on-purpose");
    const b = sleeper("killed-on-purpose");
    const c = sleeper("after-supervisor-stop");
    for (const p of [a, b, c]) await p.start();
    const lines: string[] = [];
    const s = new Supervisor([a, b, c], { say: (l) => lines.push(l), initialBackoffMs: 10 });
    cleanup.push(() => c.stop(2000));
    await a.stop(2000);
    await b.kill();
    s.stop();
    process.kill(c.child!.pid!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]);
    expect([a.running, b.running, c.running]).toEqual([false, false, false]);
  });

  it("backs off exponentially while a process keeps dying", async () => {
    const crasher = new ManagedProcess({
      name: "crasher",
      command: process.execPath,
      args: ["-e", "process.exit(3)"],
      logDir,
      ready: async () => false,
      readyTimeoutMs: 5000,
    });
    const lines: string[] = [];
    const s = new Supervisor([crasher], { say: (l) => lines.push(l), initialBackoffMs: 40, maxBackoffMs: 160 });
    cleanup.push(() => s.stop());
    await crasher.start().catch(() => undefined);
    expect(await until(() => lines.filter((l) => l.includes("restarting")).length >= 4, 5000)).toBe(true);
    const waits = lines.filter((l) => l.includes("restarting")).map((l) => Number(/in ([\d.]+) s/.exec(l)![1]));
    expect(waits.slice(0, 4)).toEqual([0.04, 0.08, 0.16, 0.16]);
  });
});

describe("Supervisor, when a restart is refused before anything runs", () => {
  it("keeps trying (a port not yet released, say) until the process starts", async () => {
    let refusals = 2;
    const p = new ManagedProcess({
      name: "port-busy-at-first",
      command: process.execPath,
      args: ["-e", "setTimeout(() => {}, 60_000)"],
      logDir,
      ready: async () => true,
    });
    await p.start();
    const start = p.start.bind(p);
    p.start = async () => {
      if (refusals-- > 0) throw new Error("port 1234 is already in use");
      await start();
    };
    const lines: string[] = [];
    const s = new Supervisor([p], { say: (l) => lines.push(l), initialBackoffMs: 20 });
    try {
      process.kill(p.child!.pid!, "SIGKILL");
      expect(await until(() => lines.some((l) => l.includes("is back")), 5000)).toBe(true);
      expect(lines.filter((l) => l.includes("could not start: port 1234"))).toHaveLength(2);
    } finally {
      s.stop();
      await p.stop(2000);
    }
  });
});
