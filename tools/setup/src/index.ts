export * from "./main.ts";
export { SYSTEM_PACKAGES, ensureSystemPackages } from "@food-ordering/stack";
export * from "./chromium.ts";
export * from "./helm.ts";
export * from "./k8s-schemas.ts";
export * from "./crds.ts";
