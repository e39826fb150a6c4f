import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { assertPortFree } from "./ports.ts";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  logDir: string;
  /** Resolves true once the process serves; polled until `readyTimeoutMs`. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /**
   * Loopback ports the process binds. start() fails at once when one is taken: otherwise the
   * readiness poll could succeed against another process on that port while ours dies.
   */
  ports?: number[];
  /**
   * CPU niceness (0 = normal, up to 19 = yields most), set right after the spawn. The local stack
   * gives it to the simulated outside world, which shares the laptop's cores with the platform.
   */
  nice?: number;
}

/**
 * A child process of the local stack: output to `<logDir>/<name>.log`, readiness by polling,
 * graceful stop (SIGTERM, then SIGKILL after a grace period), and kill/restart for fault tests.
 */
export class ManagedProcess {
  readonly spec: ProcessSpec;
  child?: ChildProcess;
  private exitInfo?: string;
  /** Set while stop() or kill() runs: an exit then is expected, not a crash. */
  private stopping = false;
  private readonly exitListeners = new Set<(how: string) => void>();

  constructor(spec: ProcessSpec) {
    if (spec.nice !== undefined && !(Number.isInteger(spec.nice) && spec.nice >= 0 && spec.nice <= 19)) {
      throw new Error(`${spec.name}: CPU niceness must be an integer from 0 to 19, got ${spec.nice}`);
    }
    this.spec = spec;
  }

  get logFile(): string {
    return path.join(this.spec.logDir, `${this.spec.name}.log`);
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    for (const port of this.spec.ports ?? []) await assertPortFree(port, this.spec.name);
    fs.mkdirSync(this.spec.logDir, { recursive: true });
    const out = fs.openSync(this.logFile, "a");
    this.exitInfo = undefined;
    const child = spawn(this.spec.command, this.spec.args, {
      cwd: this.spec.cwd,
      env: { ...process.env, ...this.spec.env },
      stdio: ["ignore", out, out],
    });
    fs.closeSync(out);
    this.child = child;
    if (this.spec.nice && child.pid !== undefined) {
      // The value is valid (constructor) and raising niceness needs no privilege, so this only
      // fails for a child that already died, which the readiness wait below reports.
      try {
        os.setPriority(child.pid, this.spec.nice);
      } catch {}
    }
    child.once("exit", (code, signal) => {
      this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      if (!this.stopping) for (const l of this.exitListeners) l(this.exitInfo);
    });
    child.once("error", (err) => {
      this.exitInfo = `failed to start: ${err.message}`;
    });
    await this.waitReady();
  }

  async waitReady(): Promise<void> {
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    for (;;) {
      if (this.exitInfo)
        throw new Error(`${this.spec.name} ${this.exitInfo} before it was ready; see ${this.logFile}:\n${this.tail()}`);
      if (await this.spec.ready().catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(
          `${this.spec.name} not ready after ${this.spec.readyTimeoutMs ?? 60_000} ms; see ${this.logFile}:\n${this.tail()}`,
        );
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  tail(lines = 15): string {
    try {
      return fs.readFileSync(this.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  /** Calls `listener` when the process exits without stop() or kill() asking it to: a crash. */
  onUnexpectedExit(listener: (how: string) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** SIGKILL, for fault injection: no cleanup runs. */
  async kill(): Promise<void> {
    this.stopping = true;
    try {
      await this.signal("SIGKILL", 10_000);
    } finally {
      this.stopping = false;
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    try {
      const exited = await this.signal("SIGTERM", graceMs);
      if (!exited) await this.signal("SIGKILL", 5000);
    } finally {
      this.stopping = false;
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async signal(sig: NodeJS.Signals, waitMs: number): Promise<boolean> {
    const child = this.child;
    if (!child || !this.running) return true;
    const exited = new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), waitMs);
      child.once("exit", () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    child.kill(sig);
    return await exited;
  }
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}
