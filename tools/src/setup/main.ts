import path from "node:path";
import { ensureSystemPackages } from "./system.ts";
import { ensureKafkaJars } from "../stack/kafka.ts";
import { ensureWebuiBuilt } from "./webui.ts";

/** `npm run setup`: everything the stack and the tests need on this machine, installed once. */
export async function setupAll(say: (s: string) => void = console.log): Promise<void> {
  const root = path.resolve(import.meta.dirname, "../../..");
  ensureSystemPackages(undefined, say);
  await ensureKafkaJars(path.join(root, ".cache"));
  await ensureWebuiBuilt(say);
}

if (import.meta.main) {
  await setupAll().catch((e: Error) => {
    console.error(`setup failed: ${e.message}`);
    process.exit(1);
  });
}
