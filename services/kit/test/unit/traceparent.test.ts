import { describe, expect, it } from "vitest";
import {
  formatTraceparent,
  parseTraceparent,
  traceHeaders,
  traceIdOf,
  traceparentFrom,
} from "../../src/traceparent.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";
const VALID = `00-${TRACE}-${SPAN}-01`;

describe("traceparent", () => {
  it("reads the W3C example and writes it back unchanged", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(formatTraceparent(parseTraceparent(VALID)!)).toBe(VALID);
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
    expect(traceIdOf(VALID)).toBe(TRACE);
  });

  it("accepts a later version's extra fields, as the spec asks", () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-next`)?.traceId).toBe(TRACE);
  });

  it.each([
    ["an empty string", ""],
    ["a number", 42],
    ["upper-case hex", VALID.toUpperCase()],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${SPAN}-01`],
    ["an all-zero span id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["version ff", `ff-${TRACE}-${SPAN}-01`],
    ["version 00 with extra fields", `${VALID}-extra`],
    ["a short trace id", `00-${TRACE.slice(1)}-${SPAN}-01`],
    ["an oversized value", `${VALID}${" ".repeat(600)}`],
  ])("refuses %s without throwing", (_what, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
    expect(traceIdOf(value)).toBeUndefined();
  });

  it("finds the header in every shape this code base meets, case-insensitively", () => {
    expect(traceparentFrom(new Map([["traceparent", VALID]]))).toBe(VALID);
    expect(traceparentFrom(new Headers({ TraceParent: VALID }))).toBe(VALID);
    expect(traceparentFrom({ Traceparent: VALID, other: "x" })).toBe(VALID); // Node's request headers
    expect(traceparentFrom({ traceparent: Buffer.from(VALID) })).toBe(VALID); // kafkajs record headers
    expect(traceparentFrom(new Map([["traceparent", [VALID, "ignored"]]]))).toBe(VALID); // repeated header
    expect(traceparentFrom({ traceparent: "garbage" })).toBeUndefined();
    expect(traceparentFrom(undefined)).toBeUndefined();
    expect(traceparentFrom({})).toBeUndefined();
  });

  it("makes a header to spread only when there is a context", () => {
    expect(traceHeaders(VALID)).toEqual({ traceparent: VALID });
    expect(traceHeaders(undefined)).toEqual({});
  });
});
