export * from "./main.ts";
export { SYSTEM_PACKAGES, ensureSystemPackages } from "@food-ordering/stack";
export * from "./chromium.ts";
export { installKubeTools, ToolInstallError, type KubeTools } from "@food-ordering/cluster";
export * from "./k8s-schemas.ts";
export * from "./crds.ts";
