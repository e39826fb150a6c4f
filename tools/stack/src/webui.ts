import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** Builds the web UI's static app when it is missing or older than its sources. */
export async function ensureWebuiBuilt(say: (s: string) => void = () => {}): Promise<void> {
  const dist = path.join(ROOT, "webui/dist/index.html");
  const srcDir = path.join(ROOT, "webui/src");
  if (!fs.existsSync(srcDir)) return; // no app yet: the backend serves the API only
  const newest = newestMtime(srcDir);
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newest) return;
  say("Building the web UI...");
  const r = spawnSync("npm", ["run", "build", "-w", "@food-ordering/webui"], { cwd: ROOT, stdio: "inherit" });
  if (r.status !== 0) throw new Error("building the web UI failed (npm run build -w @food-ordering/webui)");
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}
