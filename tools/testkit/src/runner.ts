import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { setupAll, ensureKubeApiserver } from "@food-ordering/setup";

/**
 * `npm test`: installs what the tests need, runs every vitest project, and ends with one plain
 * line `N passed, N failed` (read by CI) and a non-zero exit on any failure.
 */
const root = path.resolve(import.meta.dirname, "../../..");
const report = path.join(root, "test-results/vitest.json");

await setupAll()
  .then(() => ensureKubeApiserver())
  .catch((e: Error) => {
    console.error(`test setup failed: ${e.message}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  });
fs.rmSync(report, { force: true });
const vitest = spawnSync(
  path.join(root, "node_modules/.bin/vitest"),
  ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
  },
);

let passed = 0;
let failed = 0;
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    testResults: Array<{ status: string; assertionResults: unknown[] }>;
  };
  passed = r.numPassedTests;
  // Skipped or todo tests count as failures: a test that cannot run must say so loudly.
  failed = r.numFailedTests + r.numPendingTests + r.numTodoTests;
  // A file that failed to load (syntax error, failing hook) has no assertion results.
  failed += r.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
} else {
  failed = 1;
}
if (vitest.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
