import { pino, type Logger } from "pino";

export type { Logger };

/** pino JSON logs with a `component` field; `pretty` formats them for a local terminal. */
export function createLogger(component: string, opts: { LOG_LEVEL: string; LOG_FORMAT: string }): Logger {
  return pino({
    name: component,
    level: opts.LOG_LEVEL,
    base: { component },
    timestamp: pino.stdTimeFunctions.isoTime,
    transport:
      opts.LOG_FORMAT === "pretty"
        ? { target: "pino-pretty", options: { colorize: true, singleLine: true } }
        : undefined,
  });
}
