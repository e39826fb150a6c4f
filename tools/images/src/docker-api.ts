import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { containersEnv, GLOBAL_FLAGS } from "./engine.ts";
import { ensureImageTools } from "./packages.ts";

export interface DockerApi {
  /** For DOCKER_HOST: unix://<socket>. */
  host: string;
  stop(): Promise<void>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: "/_ping", timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

/**
 * The Docker Engine API served by podman (`podman system service`) from the private image store,
 * on a socket of its own, until stop(). skaffold's local builder asks a Docker daemon for the ID
 * of every image it did not push, even one a custom step built, and tags and prunes through it.
 */
export async function startDockerApi(say: (s: string) => void = console.log): Promise<DockerApi> {
  ensureImageTools(["podman"], say);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docker-api-"));
  const socket = path.join(dir, "docker.sock");
  const child = spawn("podman", [...GLOBAL_FLAGS, "system", "service", "--time=0", `unix://${socket}`], {
    env: containersEnv(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    if ((await Promise.race([exited.then(() => true), sleep(15_000, false)])) === false) child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!(await ping(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`podman system service did not answer on ${socket} within 30 s: ${stderr.trim()}`);
    }
    await sleep(200);
  }
  return { host: `unix://${socket}`, stop };
}
