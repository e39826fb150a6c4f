export * from "./main.ts";
export * from "./system.ts";
export * from "./chromium.ts";
export * from "./helm.ts";
export * from "./k8s-schemas.ts";
