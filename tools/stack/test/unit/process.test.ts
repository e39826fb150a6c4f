import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ManagedProcess } from "../../src/process.ts";

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "process-test-"));
afterAll(() => fs.rmSync(logDir, { recursive: true, force: true }));
const spec = (nice?: number) => ({
  name: "sleeper",
  command: process.execPath,
  args: ["-e", "setTimeout(() => {}, 60_000)"],
  logDir,
  ready: async () => true,
  nice,
});

describe("ManagedProcess niceness", () => {
  let p: ManagedProcess | undefined;
  afterEach(async () => {
    await p?.stop(2000);
    p = undefined;
  });

  it("runs the child at the niceness asked for, and at normal priority without one", async () => {
    p = new ManagedProcess(spec(7));
    await p.start();
    expect(os.getPriority(p.child!.pid!)).toBe(7);
    await p.stop(2000);
    p = new ManagedProcess(spec());
    await p.start();
    expect(os.getPriority(p.child!.pid!)).toBe(os.getPriority());
  });

  it("refuses a niceness outside 0-19 with a clear error", () => {
    for (const bad of [-1, 20, 2.5])
      expect(() => new ManagedProcess(spec(bad))).toThrow(
        `sleeper: CPU niceness must be an integer from 0 to 19, got ${bad}`,
      );
  });
});
