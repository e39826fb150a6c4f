import type { Express } from "express";
import type { Logger } from "pino";
import { PrepareRequest } from "@food-ordering/contracts";
import {
  createHttpApp,
  errorHandler,
  parseBody,
  HttpError,
  Counter,
  Gauge,
  METRIC_PREFIX,
  traceparentFrom,
  type Registry,
} from "@food-ordering/kit";
import type { Kitchen } from "./kitchen.ts";

/** The point-of-sale API: POST /prepare (optionally behind a bearer token). */
export function createRestaurantApp(opts: {
  kitchen: Kitchen;
  token?: string;
  registry: Registry;
  log: Logger;
}): Express {
  const { kitchen, token, registry, log } = opts;
  const app = createHttpApp({ registry, log, bodyLimit: "32kb" });
  const accepted = new Counter({
    name: `${METRIC_PREFIX}restaurant_orders_accepted_total`,
    help: "Prepare requests accepted (new orders in the kitchen), by restaurant.",
    labelNames: ["restaurant"],
    registers: [registry],
  });
  new Gauge({
    name: `${METRIC_PREFIX}restaurant_orders_in_preparation`,
    help: "Orders currently being prepared.",
    registers: [registry],
    collect() {
      this.set(kitchen.size);
    },
  });

  app.post("/prepare", (req, res) => {
    if (token && req.get("authorization") !== `Bearer ${token}`)
      throw new HttpError(401, "missing or wrong bearer token");
    const body = parseBody(PrepareRequest, req.body);
    const isNew = kitchen.accept(body.orderId, body.restaurantId, traceparentFrom(req.headers));
    if (isNew) accepted.inc({ restaurant: body.restaurantId });
    log.info({ orderId: body.orderId, restaurantId: body.restaurantId, duplicate: !isNew }, "prepare request");
    res.status(202).json({ accepted: true, duplicate: !isNew });
  });

  app.use(errorHandler(log));
  return app;
}
