import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Server } from "node:http";
import type { Logger } from "pino";
import { z } from "zod";
import { Counter, Histogram, type Registry, DURATION_BUCKETS, METRIC_PREFIX } from "./metrics.ts";

/** An HTTP error with a status and a message meant for the caller. */
export class HttpError extends Error {
  readonly status: number;
  readonly details?: unknown;
  /** Response headers that go with the answer (e.g. Retry-After on 429/503). */
  readonly headers?: Record<string, string>;
  constructor(status: number, message: string, details?: unknown, headers?: Record<string, string>) {
    super(message);
    this.status = status;
    this.details = details;
    this.headers = headers;
  }
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * Metric labels for a request, from a bounded set: the route template when a route matched,
 * otherwise a fixed word. Never the raw path or method: every odd URL would add series.
 */
export function requestLabels(req: Request, res: Response): { method: string; route: string } {
  const template = req.route?.path as string | undefined;
  const route =
    template !== undefined ? `${req.baseUrl}${template}` : res.statusCode === 404 ? "(unmatched)" : "(no route)";
  return { method: METHODS.has(req.method) ? req.method : "(other)", route };
}

/** Validates a body against a schema; a failure becomes a 400 listing each bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const fields = r.error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
  throw new HttpError(400, `invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`, { fields });
}

/**
 * An express app with the platform's defaults: JSON bodies up to `bodyLimit`, request metrics
 * (by method, route and status), and errors answered as `{ error, details }` without stack traces.
 */
export function createHttpApp(opts: { registry: Registry; log: Logger; bodyLimit?: string }): Express {
  const app = express();
  app.disable("x-powered-by");
  const requests = new Counter({
    name: `${METRIC_PREFIX}http_requests_total`,
    help: "HTTP requests served, by method, route and status code.",
    labelNames: ["method", "route", "status"],
    registers: [opts.registry],
  });
  const duration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: "HTTP request duration, by method and route.",
    labelNames: ["method", "route"],
    buckets: DURATION_BUCKETS,
    registers: [opts.registry],
  });
  app.use((req, res, next) => {
    const end = duration.startTimer();
    res.on("finish", () => {
      const labels = requestLabels(req, res);
      end(labels);
      requests.inc({ ...labels, status: String(res.statusCode) });
    });
    next();
  });
  app.use(express.json({ limit: opts.bodyLimit ?? "64kb" }));
  app.get("/healthz", (_req, res) => void res.json({ ok: true }));
  return app;
}

/** The last middleware: turns thrown errors (ours, body-parser's) into clear JSON answers. */
export function errorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) {
      if (err.headers) res.set(err.headers);
      res.status(err.status).json({ error: err.message, details: err.details });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string; limit?: number };
    if (e.type === "entity.too.large") {
      res.status(413).json({ error: `request body too large (limit ${e.limit} bytes)` });
      return;
    }
    if (e.type === "entity.parse.failed") {
      res.status(400).json({ error: `request body is not valid JSON: ${e.message}` });
      return;
    }
    if (e.status && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: e.message });
      return;
    }
    log.error({ err, path: req.path }, "request failed");
    res.status(500).json({ error: "internal error" });
  };
}

export async function listen(app: Express, port: number, host: string): Promise<Server> {
  return await new Promise<Server>((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    // Outlive the callers' keep-alive pools (undici keeps idle sockets ~60 s); the default 5 s
    // makes a reused socket close under a request ("other side closed").
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.once("error", reject);
  });
}
