import { describe, expect, it } from "vitest";
import { BAR_SCALE, barGeometry, formatSpanDuration, serviceClass, traceSummary } from "../../src/lib/trace.ts";
import { isFinal } from "../../src/lib/timeline.ts";
import type { OrderStatus } from "../../server/api-types.ts";

describe("the tracking page's trace waterfall", () => {
  it("places a bar by offset and duration on the trace's axis, never invisible, never past the end", () => {
    expect(barGeometry({ offsetMs: 250, durationMs: 500 }, 1000)).toEqual({ x: 250, width: 500 });
    expect(barGeometry({ offsetMs: 0, durationMs: 0 }, 1000)).toEqual({ x: 0, width: BAR_SCALE / 200 });
    expect(barGeometry({ offsetMs: 1000, durationMs: 0 }, 1000)).toEqual({ x: BAR_SCALE - 5, width: 5 });
    expect(barGeometry({ offsetMs: 900, durationMs: 500 }, 1000)).toEqual({ x: 900, width: 100 });
    expect(barGeometry({ offsetMs: 0, durationMs: 0 }, 0)).toEqual({ x: 0, width: BAR_SCALE });
  });

  it("colours a service by its place in the trace, cycling through eight colours", () => {
    const trace = { services: ["webui", "restate", "endpoint", "a", "b", "c", "d", "e", "ninth"] };
    expect(serviceClass(trace, "webui")).toBe("svc-0");
    expect(serviceClass(trace, "endpoint")).toBe("svc-2");
    expect(serviceClass(trace, "ninth")).toBe("svc-0");
  });

  it("words durations and the summary for people", () => {
    expect([0.01, 0.42, 35.4, 1250, 12_345, 125_000].map(formatSpanDuration)).toEqual([
      "0 ms",
      "0.4 ms",
      "35 ms",
      "1.25 s",
      "12.3 s",
      "2 min 05 s",
    ]);
    expect(traceSummary({ spanCount: 12, services: ["a", "b"], durationMs: 1250, errorCount: 1 })).toBe(
      "12 spans from 2 services over 1.25 s, 1 failed",
    );
    expect(traceSummary({ spanCount: 1, services: ["a"], durationMs: 3, errorCount: 0 })).toBe(
      "1 span from 1 service over 3 ms",
    );
  });

  it("loads the trace by itself only once the order is over", () => {
    expect(["DELIVERED", "REJECTED", "CANCELLED"].every((s) => isFinal(s as OrderStatus))).toBe(true);
    expect(isFinal("IN_DELIVERY")).toBe(false);
  });
});
