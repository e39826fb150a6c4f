import http2 from "node:http2";
import * as restate from "@restatedev/restate-sdk";
import { NOOP_SERVICE, NOOP_HANDLER, NOOP_OBJECT, NOOP_OBJECT_HANDLER } from "./noop-service.ts";

/**
 * A service that does nothing, served to Restate so the bench can measure what the engine itself
 * costs per invocation on this machine: every call is a full invocation (ingress, log append,
 * invoker, HTTP/2 round trip to this endpoint, completion) with no user work in it.
 * Run as its own process so it does not share a thread with the load generator.
 */
const noop = restate.service({
  name: NOOP_SERVICE,
  handlers: { [NOOP_HANDLER]: async (_ctx: restate.Context) => {} },
});

/**
 * The least a handler that keeps state does: read a key and write it back. Measured next to the
 * no-op, it shows what a state read and write alone cost the engine, before any real work.
 */
const touch = restate.object({
  name: NOOP_OBJECT,
  handlers: {
    [NOOP_OBJECT_HANDLER]: async (ctx: restate.ObjectContext) => {
      ctx.set("n", ((await ctx.get<number>("n")) ?? 0) + 1);
    },
  },
});

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error(`PORT must be a port number (got ${process.env.PORT})`);
const server = http2.createServer(restate.createEndpointHandler({ services: [noop, touch] }));
server.listen(port, "127.0.0.1");
// Restate keeps HTTP/2 sessions open: exit at once rather than wait for them to close.
for (const sig of ["SIGTERM", "SIGINT"] as const) process.once(sig, () => process.exit(0));
