export * from "./config.ts";
export * from "./logger.ts";
export * from "./metrics.ts";
export * from "./lifecycle.ts";
export * from "./http.ts";
export * from "./kafka.ts";
export * from "./traceparent.ts";
export * from "./tracing.ts";
