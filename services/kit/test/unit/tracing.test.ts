import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { NO_TRACING, activeSpan, publishTraced, startTracing, tracingSpec } from "../../src/tracing.ts";
import { defineConfig } from "../../src/config.ts";
import { parseTraceparent } from "../../src/traceparent.ts";

/** A real OTLP/HTTP receiver on loopback: what the exporter posts, as text. */
const received: string[] = [];
const receiver = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.url === "/v1/traces") received.push(body);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
afterAll(() => new Promise((r) => receiver.close(r)));

interface OtlpExport {
  resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ name: string; links?: unknown[] }> }> }>;
}
const spansOf = (e: OtlpExport) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("tracing", () => {
  it("reads its switch from the environment: empty is off, a URL is on, anything else is refused", () => {
    const config = defineConfig("tracing-test", tracingSpec);
    expect(config.parse({}).OTEL_EXPORTER_OTLP_ENDPOINT).toBe("");
    expect(config.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger:4318/" }).OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      "http://jaeger:4318",
    );
    expect(() => config.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "127.0.0.1 4318" })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });

  it("off, is a pass-through: no span, no context, nothing exported", async () => {
    const off = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: "" }, "test");
    expect(off).toBe(NO_TRACING);
    const published: unknown[] = [];
    const publisher = { publish: async (_t: string, m: unknown[]) => void published.push(...m) };
    await publishTraced(off, publisher, "orders", [{ key: "o1", value: { id: "o1" }, parent: PARENT }]);
    expect(published).toEqual([{ key: "o1", value: { id: "o1" } }]); // no traceparent header
    expect(await off.span("x", {}, async (s) => s.traceparent)).toBeUndefined();
  });

  it("on, continues a trace, hands the context on and exports the spans over OTLP/HTTP", async () => {
    const tracing = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: "unit-svc" }, "x");
    expect(tracing.enabled).toBe(true);
    const published: Array<{ headers?: Record<string, string> }> = [];
    const publisher = { publish: async (_t: string, m: typeof published) => void published.push(...m) };
    const [inner, active] = await tracing.span("outer", { parent: PARENT }, async (outer) => {
      expect(activeSpan().traceparent).toBe(outer.traceparent); // the active span inside
      await publishTraced(tracing, publisher, "orders", [{ key: "o1", value: {}, attributes: { "order.id": "o1" } }]);
      return [outer.traceparent, activeSpan().traceparent];
    });
    expect(active).toBe(inner);
    const outer = parseTraceparent(inner)!;
    expect(outer.traceId).toBe(parseTraceparent(PARENT)!.traceId);
    const header = parseTraceparent(published[0]!.headers!.traceparent)!;
    expect(header.traceId).toBe(outer.traceId); // the record's span is a child in the same trace
    expect(header.spanId).not.toBe(outer.spanId);
    await tracing.span("failing", {}, async () => Promise.reject(new Error("boom"))).catch(() => {});
    await tracing.shutdown();
    const sent = received.join("\n");
    for (const s of ["unit-svc", "outer", "send orders", "o1", "boom", outer.traceId]) expect(sent).toContain(s);
  });

  it("on, puts the context in an object value when asked, and links another trace's span", async () => {
    const tracing = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, "links");
    const published: Array<{ value: unknown; headers?: Record<string, string> }> = [];
    const publisher = { publish: async (_t: string, m: typeof published) => void published.push(...m) };
    await publishTraced(tracing, publisher, "orders", [
      { key: "a", value: { id: "a" }, contextInValue: true },
      { key: "b", value: { id: "b" } },
      { key: "c", value: "not an object", contextInValue: true },
    ]);
    const [a, b, c] = published;
    expect(a!.value).toEqual({ id: "a", traceparent: a!.headers!.traceparent });
    expect(b!.value).toEqual({ id: "b" });
    expect(c!.value).toBe("not an object");

    const linked = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await tracing.span("linking", {}, async (span) => {
      span.addLink(linked, { why: "unit" });
      span.addLink("not a traceparent"); // ignored
    });
    await tracing.shutdown();
    const exported = received.map((r) => JSON.parse(r) as OtlpExport).flatMap(spansOf);
    const linking = exported.find((sp) => sp.name === "linking")!;
    expect(linking.links).toEqual([
      expect.objectContaining({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331" }),
    ]);
  });
});
