import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as restate from "@restatedev/restate-sdk";

/**
 * A tiny service endpoint for the registrar's tests, so they never depend on the real one.
 * `v1` serves `greeter.greet`; `v2` adds `greeter.farewell` (a "new image revision"); `v3` turns
 * greeter into a virtual object (a change Restate refuses without force). All serve `sink.take`,
 * a handler a Kafka subscription can point at, and `sink.nap`, which suspends for an hour and
 * so keeps an invocation pinned to the deployment that started it.
 */
export type Variant = "v1" | "v2" | "v3";

function services(variant: Variant) {
  const greet = async (_ctx: restate.Context, name: string) => `hello ${name}`;
  const farewell = async (_ctx: restate.Context, name: string) => `bye ${name}`;
  const greeter =
    variant === "v1"
      ? restate.service({ name: "greeter", handlers: { greet } })
      : variant === "v2"
        ? restate.service({ name: "greeter", handlers: { greet, farewell } })
        : restate.object({
            name: "greeter",
            handlers: { greet: async (_ctx: restate.ObjectContext, name: string) => `hello ${name}` },
          });
  const sink = restate.service({
    name: "sink",
    handlers: {
      take: async (_ctx: restate.Context, _event: unknown) => {},
      nap: async (ctx: restate.Context) => await ctx.sleep({ hours: 1 }),
    },
  });
  return [greeter, sink];
}

export interface TestEndpoint {
  uri: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `variant` on 127.0.0.1:`port` (0 = any free port). */
export async function startTestEndpoint(variant: Variant, port = 0): Promise<TestEndpoint> {
  // Quiet: the tests kill and abandon invocations on purpose, and the SDK would log each one.
  const endpoint = restate.endpoint().setLogger(() => {});
  for (const s of services(variant)) endpoint.bind(s);
  const server = http2.createServer(endpoint.http2Handler());
  const open = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    open.add(s);
    s.once("close", () => open.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    uri: `http://127.0.0.1:${bound}`,
    port: bound,
    // Restate keeps HTTP/2 sessions open: close() alone would wait for them, so drop them.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}
