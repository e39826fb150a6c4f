import express, { type Express } from "express";
import helmet from "helmet";
import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { createHttpApp, errorHandler, type Registry } from "@food-ordering/kit";
import { apiRouter, type ApiDeps } from "./routes.ts";

/**
 * Security headers. The CSP allows only this origin's own scripts, styles and connections
 * (no inline scripts, no eval, no third-party hosts), and forbids framing. There is no
 * upgrade-insecure-requests: the shop is served over plain HTTP locally and behind
 * port-forwards, where it would break every asset request.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      "default-src": ["'self'"],
      "script-src": ["'self'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      "font-src": ["'self'"],
      "connect-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'self'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    },
  },
  referrerPolicy: { policy: "no-referrer" },
  crossOriginEmbedderPolicy: false,
});

/** The built single-page app: hashed assets cached for good, everything else answered by index.html. */
function staticApp(staticDir: string, log: Logger): express.Router {
  const router = express.Router();
  const index = path.resolve(staticDir, "index.html");
  router.use(
    "/assets",
    express.static(path.join(staticDir, "assets"), {
      immutable: true,
      maxAge: "365d",
      index: false,
      fallthrough: false,
    }),
  );
  router.use(express.static(staticDir, { index: false, maxAge: "1h" }));
  let warned = false;
  router.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (!fs.existsSync(index)) {
      if (!warned) log.error({ staticDir }, "the web app is not built: run `npm run build:webui`");
      warned = true;
      res
        .status(503)
        .type("text/plain")
        .send("The shop's web app has not been built yet: run `npm run build:webui`, then reload.");
      return;
    }
    res.set("cache-control", "no-cache").sendFile(index);
  });
  return router;
}

/** Express's `trust proxy` from its text form: true/false, a hop count, or addresses and subnets. */
export function trustProxySetting(text: string): boolean | number | string {
  if (text === "true" || text === "false") return text === "true";
  return /^\d+$/.test(text) ? Number(text) : text;
}

export function createWebuiApp(
  deps: ApiDeps & { registry: Registry; staticDir: string; trustProxy?: string },
): Express {
  const app = createHttpApp({ registry: deps.registry, log: deps.log, bodyLimit: "16kb" });
  // Which proxies' X-Forwarded-For to believe: a client's address caps its live-update streams.
  app.set("trust proxy", trustProxySetting(deps.trustProxy ?? "false"));
  app.use(securityHeaders);
  app.use("/api", apiRouter(deps));
  app.use(staticApp(deps.staticDir, deps.log));
  // Body-parser errors are raised before the headers above ran: add them on the error path too.
  app.use((err: unknown, req: express.Request, res: express.Response, next: express.NextFunction) =>
    securityHeaders(req, res, () => next(err)),
  );
  app.use(errorHandler(deps.log));
  return app;
}
