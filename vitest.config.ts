import { defineConfig } from "vitest/config";

/**
 * Projects: `unit` (pure logic, chart rendering and validation; no servers), `kube` (the
 * registrar against a real kube-apiserver), `e2e` (one shared local stack — restate-server,
 * Kafka, every process — started once by the global setup; files isolate themselves by unique
 * order, driver and region ids), and `newcomer` (a clean clone run as a new user would, on the
 * default ports), which runs after the others so that two stacks never compete for the cores.
 */
/**
 * A real single-node Kubernetes on this machine (tools/cluster) with the images built here
 * (tools/images) and the chart installed on it; needs root. Runs last in `npm test` (the cores
 * are the node's alone by then); `npm run test:node` runs it alone.
 */
const nodeProject = {
  test: {
    name: "node",
    include: [
      "tools/cluster/test/node/**/*.test.ts",
      "tools/images/test/node/**/*.test.ts",
      "charts/test/node/**/*.test.ts",
    ],
    globalSetup: ["charts/test/node/global-setup.ts"],
    sequence: { groupOrder: 2 },
    testTimeout: 600_000,
    hookTimeout: 2_700_000,
    fileParallelism: false,
  },
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "services/*/test/unit/**/*.test.ts",
            "simulators/*/test/unit/**/*.test.ts",
            "webui/test/unit/**/*.test.ts",
            "tools/*/test/unit/**/*.test.ts",
            "charts/test/*.test.ts",
          ],
          testTimeout: 60_000,
        },
      },
      {
        // The registrar against a real kube-apiserver and etcd (built/installed by npm test's setup).
        test: {
          name: "kube",
          include: ["services/registrar/test/kube/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: [
            "services/*/test/e2e/**/*.test.ts",
            "simulators/*/test/e2e/**/*.test.ts",
            "webui/test/e2e/**/*.test.ts",
            "tools/*/test/e2e/**/*.test.ts",
            "charts/test/e2e/**/*.test.ts",
          ],
          globalSetup: ["tools/testkit/src/global-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: "newcomer",
          include: ["tools/checks/test/newcomer/**/*.test.ts"],
          sequence: { groupOrder: 1 },
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
      nodeProject,
    ],
  },
});
