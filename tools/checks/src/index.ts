export * from "./config-docs.ts";
export * from "./repo.ts";
