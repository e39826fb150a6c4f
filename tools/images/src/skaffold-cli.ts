import { spawn } from "node:child_process";
import { skaffoldSession } from "./skaffold.ts";

/**
 * `npm run skaffold -- <skaffold arguments>`: skaffold against the local node (tools/cluster)
 * without Docker, e.g. `npm run skaffold -- run -p local-node` or `... dev -p local-node`.
 */
const args = process.argv.slice(2);
const session = await skaffoldSession((s) => console.error(`[skaffold] ${s}`));
// A process group of its own, so that one Ctrl-C reaches skaffold once (forwarded below): a
// second SIGINT would cut short the clean-up (`helm uninstall`) that `skaffold dev` does on exit.
const child = spawn(session.bin, args, { env: session.env, stdio: ["ignore", "inherit", "inherit"], detached: true });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) => {
  child.once("error", (e) => {
    console.error(e.message);
    resolve(1);
  });
  child.once("exit", (c, s) => resolve(c ?? (s ? 128 : 1)));
});
await session.stop();
process.exit(code);
