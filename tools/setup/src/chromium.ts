import fs from "node:fs";
import { ensureSystemPackages } from "@food-ordering/stack";

/**
 * Debian's Chromium for the browser end-to-end tests, driven by playwright-core. The tests never
 * use a downloaded browser build: the package comes from the distribution (installed with
 * apt-get when running as root, otherwise named in a clear error).
 *
 *   node tools/setup/src/chromium.ts     # prints the browser's path
 */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Headless and quiet: no sandbox (containers run as root), no GPU, no calls home. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function ensureChromium(say: (s: string) => void = () => {}): string {
  if (!fs.existsSync(CHROMIUM_PATH)) ensureSystemPackages(["chromium"], say);
  if (!fs.existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium is installed but not at ${CHROMIUM_PATH}; the browser tests expect Debian's package`);
  return CHROMIUM_PATH;
}

if (import.meta.main) {
  try {
    console.log(ensureChromium(console.log));
  } catch (e) {
    console.error(`chromium setup failed: ${(e as Error).message}`);
    process.exit(1);
  }
}
