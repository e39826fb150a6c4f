import { describe, expect, it } from "vitest";
import { OtlpTracesData, layoutWaterfall } from "@food-ordering/contracts";
import { otlpTraces, type TestSpan } from "@food-ordering/testkit";
import { barSpan, renderOrderTrace, renderWaterfall } from "../../src/trace.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPANS: TestSpan[] = [
  { spanId: "a", name: "orders publish", service: "webui", startMs: 0, durationMs: 100 },
  { spanId: "b", parentSpanId: "a", name: "order-workflow/run", service: "endpoint", startMs: 100, durationMs: 900 },
  {
    spanId: "c",
    parentSpanId: "b",
    name: "pay",
    service: "endpoint",
    startMs: 100,
    durationMs: 400,
    error: "declined",
  },
  { spanId: "d", parentSpanId: "b", name: "kitchen", service: "restaurant", startMs: 50, durationMs: 100 },
  { spanId: "e", parentSpanId: "gone", name: "pickup", service: "drivers", startMs: 900, durationMs: 100 },
];
const waterfall = layoutWaterfall(TRACE, OtlpTracesData.parse(otlpTraces(TRACE, SPANS)));
const bar = (line: string) => /\|([ █]+)\|/.exec(line)?.[1] ?? "";

describe("barSpan", () => {
  it("scales offset and duration to columns, at least one column, never past the axis", () => {
    expect(barSpan(0, 100, 1000, 10)).toEqual([0, 1]);
    expect(barSpan(500, 500, 1000, 10)).toEqual([5, 10]);
    expect(barSpan(999, 0, 1000, 10)).toEqual([9, 10]);
    expect(barSpan(0, 0, 0, 10)).toEqual([0, 1]);
  });
});

describe("renderWaterfall", () => {
  it("prints a header, one indented line per span with service, start, duration and a scaled bar", () => {
    const text = renderWaterfall(waterfall, 120, `http://127.0.0.1:16686/trace/${TRACE}`);
    const lines = text.split("\n");
    expect(lines[0]).toBe(`Trace ${TRACE}: 5 spans from 4 services over 1.0s, 1 failed`);
    expect(lines[1]).toMatch(/^SPAN\s+SERVICE\s+START\s+DURATION\s+0\s+1\.0s$/);
    expect(lines.slice(2, 7).map((l) => l.split(/(?<=\S)\s{2,}/).slice(0, 4))).toEqual([
      ["orders publish", "webui", "+0ms", "100ms"],
      ["  order-workflow/run", "endpoint", "+100ms", "900ms"],
      ["    kitchen", "restaurant", "+100ms", "100ms"],
      ["    ✗ pay", "endpoint", "+100ms", "400ms"],
      ["pickup", "drivers", "+900ms", "100ms"],
    ]);
    // Lines fit the width; notes (errors, skew, missing parents) run past it.
    for (const line of lines.slice(2, 7)) expect(line.replace(/\| [^|█]*$/, "|").length).toBe(120);
    // Bars: the axis is what the width leaves; the run covers 90 % of it, starting at 10 %.
    const cols = bar(lines[2]!).length;
    expect(cols).toBeGreaterThan(40);
    expect(bar(lines[3]!).trimStart().length).toBe(cols - Math.floor(cols / 10));
    expect(lines[4]).toMatch(/\(moved \+50ms: clock skew\)$/);
    expect(lines[5]).toMatch(/\| ✗ declined$/);
    expect(lines[6]).toMatch(/\(parent span not in the trace\)$/);
    expect(lines[7]).toBe(`Open in Jaeger: http://127.0.0.1:16686/trace/${TRACE}`);
  });

  it("narrows the bars to the terminal, never below ten columns", () => {
    const wide = bar(renderWaterfall(waterfall, 200).split("\n")[2]!).length;
    const narrow = bar(renderWaterfall(waterfall, 80).split("\n")[2]!).length;
    expect(wide - narrow).toBe(120);
    expect(bar(renderWaterfall(waterfall, 20).split("\n")[2]!).length).toBe(10);
  });

  it("says how many spans it left out", () => {
    const capped = layoutWaterfall(TRACE, OtlpTracesData.parse(otlpTraces(TRACE, SPANS)), 2);
    expect(renderWaterfall(capped, 100).split("\n").at(-1)).toBe("… and 3 more spans.");
  });
});

describe("renderOrderTrace", () => {
  it("says why there is no trace", () => {
    expect(renderOrderTrace({ problem: "none recorded" }, 100)).toBe("Trace: none recorded");
    expect(renderOrderTrace({ traceId: TRACE, problem: "not answering" }, 100)).toBe(`Trace ${TRACE}: not answering`);
  });
});
