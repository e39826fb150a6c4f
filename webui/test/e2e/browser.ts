import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { CHROMIUM_ARGS, ensureChromium } from "@food-ordering/testkit";

/** Browser helpers of the web UI's end-to-end tests: Debian's Chromium, screenshots, page errors. */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
export const SCREENSHOTS = path.join(REPO_ROOT, "test-results/screenshots");

export async function launchBrowser(): Promise<Browser> {
  return await chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS, headless: true });
}

/**
 * A test file's Chromium against the shared stack's web UI: launched before its tests, closed
 * after. `browser()` is the running one (valid inside tests).
 */
export function browserPerFile(): { webui: string; browser: () => Browser } {
  const webui = inject("stack").webuiUrl!;
  let browser: Browser | undefined;
  beforeAll(async () => {
    expect(webui, "the shared stack runs without the web UI (STACK_WEBUI=0?)").toBeTruthy();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return { webui, browser: () => browser! };
}

/**
 * A page whose console errors and uncaught exceptions are collected: a CSP violation or a
 * broken script shows up there, and the tests assert there were none.
 */
export async function openPage(
  browser: Browser,
  width = 1280,
  height = 900,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width, height },
    locale: "en-GB",
    timezoneId: "Europe/Amsterdam",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  return { page, errors };
}

export async function screenshot(page: Page, name: string, copyTo?: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (copyTo) {
    fs.mkdirSync(path.dirname(copyTo), { recursive: true });
    fs.copyFileSync(file, copyTo);
  }
  return file;
}

/**
 * Where the map shows the order's driver ("x,y" of its marker), or null without one. Reads
 * without waiting: the marker goes once the order is delivered.
 */
export async function driverMarkerPosition(page: Page): Promise<string | null> {
  const marker = page.getByTestId("marker-driver");
  const [x, y] = await Promise.all(
    ["data-x", "data-y"].map((a) => marker.getAttribute(a, { timeout: 300 }).catch(() => null)),
  );
  return x !== null && y !== null ? `${x},${y}` : null;
}
