import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  driverAvailable,
  driverGone,
  deliveryRequested,
  emptyMatcher,
  type Match,
  type MatcherState,
} from "../../src/delivery/matching.ts";

type Cmd =
  { kind: "available"; driver: string } | { kind: "gone"; driver: string } | { kind: "request"; delivery: string };
const cmd = fc.oneof(
  fc.record({ kind: fc.constant("available" as const), driver: fc.constantFrom("d1", "d2", "d3", "d4") }),
  fc.record({ kind: fc.constant("gone" as const), driver: fc.constantFrom("d1", "d2", "d3", "d4") }),
  fc.record({ kind: fc.constant("request" as const), delivery: fc.constantFrom("x1", "x2", "x3", "x4", "x5") }),
);

function run(cmds: Cmd[]): { states: MatcherState[]; matches: Match[] } {
  let s = emptyMatcher();
  const states = [s];
  const matches: Match[] = [];
  for (const c of cmds) {
    const step =
      c.kind === "available"
        ? driverAvailable(s, c.driver)
        : c.kind === "gone"
          ? { state: driverGone(s, c.driver) }
          : deliveryRequested(s, c.delivery);
    s = step.state;
    if (step.match) matches.push(step.match);
    states.push(s);
  }
  return { states, matches };
}

describe("driver-delivery matcher as a state machine", () => {
  it("never keeps a free driver and a waiting delivery at the same time", () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) =>
        run(cmds).states.every((s) => s.drivers.length === 0 || s.pending.length === 0),
      ),
    );
  });

  it("holds each driver and each delivery at most once in its queue", () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) =>
        run(cmds).states.every(
          (s) => new Set(s.drivers).size === s.drivers.length && new Set(s.pending).size === s.pending.length,
        ),
      ),
    );
  });

  it("matches only drivers that were free and deliveries that were requested, first come first served", () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
        let s = emptyMatcher();
        for (const c of cmds) {
          const before = s;
          const step =
            c.kind === "available"
              ? driverAvailable(s, c.driver)
              : c.kind === "gone"
                ? { state: driverGone(s, c.driver) }
                : deliveryRequested(s, c.delivery);
          if (step.match) {
            if (c.kind === "available")
              expect(step.match).toEqual({ driverId: c.driver, deliveryId: before.pending[0] });
            else if (c.kind === "request")
              expect(step.match).toEqual({ deliveryId: c.delivery, driverId: before.drivers[0] });
          }
          s = step.state;
        }
      }),
    );
  });

  it("a driver who left is never matched until it is available again", () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
        const gone = new Set<string>();
        let s = emptyMatcher();
        for (const c of cmds) {
          const step =
            c.kind === "available"
              ? driverAvailable(s, c.driver)
              : c.kind === "gone"
                ? { state: driverGone(s, c.driver) }
                : deliveryRequested(s, c.delivery);
          if (c.kind === "gone") gone.add(c.driver);
          if (c.kind === "available") gone.delete(c.driver);
          if (step.match && c.kind === "request") expect(gone.has(step.match.driverId)).toBe(false);
          s = step.state;
        }
      }),
    );
  });

  it("keeps every driver ever seen on the roster", () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => {
        const { states } = run(cmds);
        const seen = new Set(cmds.filter((c) => c.kind === "available").map((c) => (c as { driver: string }).driver));
        expect(new Set(states.at(-1)!.roster)).toEqual(seen);
      }),
    );
  });
});
