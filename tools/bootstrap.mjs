#!/usr/bin/env node
// Entry of every npm script that runs TypeScript (start, test, setup, register, inspect, chaos,
// bench) on any Node (the machine's may be older than 22): installs the npm dependencies when they
// are missing or stale, then hands over to the script running on the Node 22 binary that the
// `node` devDependency puts in node_modules/.bin. So each command works first on a fresh clone.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const lock = path.join(root, "package-lock.json");
const installed = path.join(root, "node_modules", ".package-lock.json");
const node22 = path.join(root, "node_modules", ".bin", "node");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const stale =
  !fs.existsSync(installed) || !fs.existsSync(node22) || fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs;
if (stale) {
  console.error("[bootstrap] installing npm dependencies (npm ci)...");
  // Errors only: on an older machine Node, npm warns of every package's engine, yet they all run on
  // the Node 22 the install brings.
  if (run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]) !== 0) {
    console.error("[bootstrap] npm ci failed: see the output above");
    process.exit(1);
  }
}

const [task, ...rest] = process.argv.slice(2);
const scripts = {
  start: "tools/stack/src/cli.ts",
  test: "tools/testkit/src/runner.ts",
  setup: "tools/setup/src/main.ts",
  register: "services/registrar/src/main.ts",
  inspect: "tools/inspect/src/cli.ts",
  catalog: "tools/stack/src/catalog-cli.ts",
  chaos: "tools/chaos/src/cli.ts",
  bench: "tools/bench/src/cli.ts",
  keys: "tools/stack/src/keys-cli.ts",
  cluster: "tools/cluster/src/cli.ts",
  images: "tools/images/src/cli.ts",
  skaffold: "tools/images/src/skaffold-cli.ts",
};
if (!scripts[task]) {
  console.error(`usage: bootstrap.mjs ${Object.keys(scripts).join("|")} [args]`);
  process.exit(2);
}
// Node 22 first on the PATH, so every child (vitest, the stack's processes) runs on it too.
const env = { ...process.env, PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH}` };
process.exit(run(node22, [path.join(root, scripts[task]), ...rest], { env }));
