export * from "./stack.ts";
export * from "./process.ts";
export * from "./ports.ts";
export * from "./kafka.ts";
export * from "./restate.ts";
export * from "./prometheus.ts";
export * from "./webui.ts";
export * from "./metrics-text.ts";
