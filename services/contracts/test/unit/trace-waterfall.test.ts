import { describe, expect, it } from "vitest";
import { otlpTraces, type TestSpan } from "@food-ordering/testkit";
import { OtlpTracesData, TRACE_ID_PATTERN, jaegerTraceLink, layoutWaterfall } from "../../src/trace-waterfall.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const T0 = Date.UTC(2026, 0, 1, 12);
const layout = (spans: TestSpan[], maxRows?: number) =>
  layoutWaterfall(TRACE, OtlpTracesData.parse(otlpTraces(TRACE, spans, T0)), maxRows);
const summary = (spans: TestSpan[]) =>
  layout(spans).rows.map((r) => `${"  ".repeat(r.depth)}${r.name} @${r.offsetMs} +${r.durationMs}`);

/** One order's shape: publish -> receive -> run -> payment and POS -> callback. */
const ORDER: TestSpan[] = [
  { spanId: "a1", name: "orders publish", service: "webui", startMs: 0, durationMs: 4, kind: 4 },
  { spanId: "b1", parentSpanId: "a1", name: "order-status/receive", service: "restate", startMs: 10, durationMs: 20 },
  { spanId: "c2", parentSpanId: "b1", name: "order-workflow/run", service: "endpoint", startMs: 40, durationMs: 900 },
  { spanId: "c1", parentSpanId: "b1", name: "receive", service: "endpoint", startMs: 12, durationMs: 5, kind: 2 },
  { spanId: "d2", parentSpanId: "c2", name: "prepare", service: "endpoint", startMs: 300, durationMs: 30, kind: 3 },
  { spanId: "d1", parentSpanId: "c2", name: "pay", service: "endpoint", startMs: 50, durationMs: 80, kind: 3 },
  { spanId: "e1", parentSpanId: "d2", name: "kitchen", service: "restaurant", startMs: 305, durationMs: 600 },
];

describe("layoutWaterfall", () => {
  it("orders rows depth-first, children by start time, with offsets from the first span", () => {
    expect(summary(ORDER)).toEqual([
      "orders publish @0 +4",
      "  order-status/receive @10 +20",
      "    receive @12 +5",
      "    order-workflow/run @40 +900",
      "      pay @50 +80",
      "      prepare @300 +30",
      "        kitchen @305 +600",
    ]);
    const w = layout(ORDER);
    expect(w).toMatchObject({
      traceId: TRACE,
      startedAt: T0,
      durationMs: 940,
      spanCount: 7,
      errorCount: 0,
      omitted: 0,
    });
    expect(w.services).toEqual(["webui", "restate", "endpoint", "restaurant"]);
    expect(w.rows.find((r) => r.name === "pay")).toMatchObject({ kind: "client", service: "endpoint", error: false });
    expect(w.rows[0]!.kind).toBe("producer");
  });

  it("keeps sub-millisecond precision of nanosecond timestamps far from the epoch", () => {
    const w = layout([
      { spanId: "a", name: "root", service: "s", startMs: 0, durationMs: 1.234 },
      { spanId: "b", parentSpanId: "a", name: "child", service: "s", startMs: 0.5, durationMs: 0.001 },
    ]);
    expect(w.rows.map((r) => [r.offsetMs, r.durationMs])).toEqual([
      [0, 1.234],
      [0.5, 0.001],
    ]);
  });

  it("marks errors with the status message, else the exception event's message", () => {
    const w = layout([
      { spanId: "a", name: "run", service: "endpoint", startMs: 0, durationMs: 10 },
      {
        spanId: "b",
        parentSpanId: "a",
        name: "pay",
        service: "endpoint",
        startMs: 1,
        durationMs: 2,
        error: "card declined",
      },
      {
        spanId: "c",
        parentSpanId: "a",
        name: "prepare",
        service: "endpoint",
        startMs: 3,
        durationMs: 2,
        exception: "POS 503",
      },
      { spanId: "d", parentSpanId: "a", name: "bare", service: "endpoint", startMs: 5, durationMs: 2, error: "" },
    ]);
    expect(w.rows.map((r) => [r.name, r.error, r.errorMessage])).toEqual([
      ["run", false, undefined],
      ["pay", true, "card declined"],
      ["prepare", true, "POS 503"],
      ["bare", true, undefined],
    ]);
    expect(w.errorCount).toBe(3);
  });

  it("draws a span whose parent is not in the trace as a root marked missingParent", () => {
    const w = layout([
      { spanId: "a", name: "publish", service: "webui", startMs: 0, durationMs: 2 },
      { spanId: "c", parentSpanId: "lost", name: "callback", service: "restaurant", startMs: 5, durationMs: 2 },
      { spanId: "d", parentSpanId: "c", name: "preparationDone", service: "restate", startMs: 6, durationMs: 1 },
    ]);
    expect(w.rows.map((r) => [r.name, r.depth, r.missingParent])).toEqual([
      ["publish", 0, undefined],
      ["callback", 0, true],
      ["preparationDone", 1, undefined],
    ]);
  });

  it("shifts a child that starts before its parent (clock skew) to the parent's start, with its subtree", () => {
    const w = layout([
      { spanId: "a", name: "prepare", service: "endpoint", startMs: 100, durationMs: 50 },
      { spanId: "b", parentSpanId: "a", name: "kitchen", service: "restaurant", startMs: 70, durationMs: 20 },
      { spanId: "c", parentSpanId: "b", name: "cook", service: "restaurant", startMs: 75, durationMs: 5 },
    ]);
    expect(w.rows.map((r) => [r.name, r.offsetMs, r.durationMs, r.clockSkewMs])).toEqual([
      ["prepare", 0, 50, undefined],
      ["kitchen", 0, 20, 30],
      ["cook", 5, 5, undefined],
    ]);
    expect(w.durationMs).toBe(50);
  });

  it("survives malformed data: parent cycles (drawn after the real roots), duplicate spans, an end before the start", () => {
    const w = layout([
      { spanId: "x", parentSpanId: "y", name: "x", service: "s", startMs: 0, durationMs: 1 },
      { spanId: "y", parentSpanId: "x", name: "y", service: "s", startMs: 1, durationMs: 1 },
      { spanId: "z", name: "z", service: "s", startMs: 2, durationMs: -5 },
      { spanId: "z", name: "z again", service: "s", startMs: 3, durationMs: 1 },
    ]);
    expect(w.rows.map((r) => [r.name, r.depth, r.durationMs])).toEqual([
      ["z", 0, 0],
      ["x", 0, 1],
      ["y", 1, 1],
    ]);
  });

  it("caps the rows and counts what it left out", () => {
    const spans = Array.from({ length: 10 }, (_, i) => ({
      spanId: `s${i}`,
      ...(i ? { parentSpanId: "s0" } : {}),
      name: `span ${i}`,
      service: "s",
      startMs: i,
      durationMs: 1,
    }));
    const w = layout(spans, 4);
    expect(w.rows.map((r) => r.name)).toEqual(["span 0", "span 1", "span 2", "span 3"]);
    expect(w).toMatchObject({ spanCount: 10, omitted: 6 });
  });

  it("answers an empty waterfall for no spans, and deep chains without recursion", () => {
    expect(layout([])).toMatchObject({ spanCount: 0, rows: [] });
    const chain = Array.from({ length: 20_000 }, (_, i) => ({
      spanId: `s${i}`,
      ...(i ? { parentSpanId: `s${i - 1}` } : {}),
      name: `n${i}`,
      service: "s",
      startMs: i,
      durationMs: 1,
    }));
    expect(layout(chain, 20_000).rows.at(-1)).toMatchObject({ depth: 19_999, offsetMs: 19_999 });
  });

  it("reads span kinds and status codes in their enum-name form too", () => {
    const data = OtlpTracesData.parse({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: TRACE,
                  spanId: "a",
                  name: "n",
                  kind: "SPAN_KIND_SERVER",
                  startTimeUnixNano: "1000000",
                  endTimeUnixNano: 3_000_000,
                  status: { code: "STATUS_CODE_ERROR", message: "boom" },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(layoutWaterfall(TRACE, data).rows[0]).toMatchObject({
      kind: "server",
      service: "unknown service",
      error: true,
      errorMessage: "boom",
      durationMs: 2,
    });
  });
});

describe("trace ids and links", () => {
  it("accepts 32 lowercase hex characters, not all zero", () => {
    expect(TRACE_ID_PATTERN.test(TRACE)).toBe(true);
    for (const bad of ["0".repeat(32), TRACE.toUpperCase(), TRACE.slice(1), `${TRACE}0`, "../../api/services"])
      expect(TRACE_ID_PATTERN.test(bad), bad).toBe(false);
  });

  it("links to the Jaeger UI's trace page, or nowhere without a UI", () => {
    expect(jaegerTraceLink("http://jaeger.example:16686/", TRACE)).toBe(`http://jaeger.example:16686/trace/${TRACE}`);
    expect(jaegerTraceLink("", TRACE)).toBeUndefined();
  });
});
