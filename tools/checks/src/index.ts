export * from "./config-docs.ts";
