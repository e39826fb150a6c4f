import type { Express } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { createHttpApp, errorHandler, parseBody, type Registry } from "@food-ordering/kit";
import type { Pacer } from "./pacer.ts";

const RateBody = z.strictObject({ rate: z.number().min(0).max(10_000) });

/** Control API: GET /rate, PUT /rate { rate } — change the load without a restart. */
export function createControlApp(opts: {
  pacer: Pacer;
  stats: () => unknown;
  registry: Registry;
  log: Logger;
}): Express {
  const app = createHttpApp({ registry: opts.registry, log: opts.log, bodyLimit: "1kb" });
  app.get("/rate", (_req, res) => void res.json({ rate: opts.pacer.currentRate }));
  app.put("/rate", (req, res) => {
    const { rate } = parseBody(RateBody, req.body);
    opts.pacer.setRate(rate);
    opts.log.info({ rate }, "rate changed");
    res.json({ rate });
  });
  app.get("/stats", (_req, res) => void res.json(opts.stats()));
  app.use(errorHandler(opts.log));
  return app;
}
