import { defineConfig } from "vitest/config";

/**
 * The Kubernetes tests: a real kube-apiserver and etcd (see test/kube/control-plane.ts). Not part
 * of the root projects because kube-apiserver must be built first (npm run setup builds it).
 */
export default defineConfig({
  test: { root: import.meta.dirname, include: ["test/kube/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 },
});
