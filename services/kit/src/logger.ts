import { createRequire } from "node:module";
import { pino, type Logger } from "pino";

export type { Logger };

/** Whether pino-pretty is installed: a devDependency, so the runtime image has none. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

/**
 * pino JSON logs with a `component` field; `pretty` formats them for a local terminal. Where
 * pino-pretty is missing (the image), `pretty` falls back to JSON and says so, rather than
 * crashing every pod of a release that set `global.logFormat: pretty`.
 */
export function createLogger(component: string, opts: { LOG_LEVEL: string; LOG_FORMAT: string }): Logger {
  const pretty = opts.LOG_FORMAT === "pretty" && prettyAvailable();
  const log = pino({
    name: component,
    level: opts.LOG_LEVEL,
    base: { component },
    timestamp: pino.stdTimeFunctions.isoTime,
    transport: pretty ? { target: "pino-pretty", options: { colorize: true, singleLine: true } } : undefined,
  });
  if (opts.LOG_FORMAT === "pretty" && !pretty)
    log.warn("LOG_FORMAT=pretty needs pino-pretty, not installed: JSON logs");
  return log;
}
