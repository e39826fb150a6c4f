export * from "./queries.ts";
export * from "./restate-sql.ts";
