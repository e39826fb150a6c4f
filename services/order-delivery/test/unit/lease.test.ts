import { describe, expect, it } from "vitest";
import { etaMoved } from "@food-ordering/contracts";
import {
  checkLeaseRule,
  idleAppGone,
  idleDeadline,
  type LeaseVerdict,
} from "../../src/delivery/driver-digital-twin-rules.ts";
import type { DriverStatus } from "@food-ordering/contracts";

const LEASE = 60_000;
const twin = (status: DriverStatus, seen: boolean, leaseId = 3) => ({ status, seen, leaseId });

describe("the lease of a delivering driver", () => {
  it("renews a period with a sign of life and expires one without", () => {
    expect(checkLeaseRule(twin("DELIVERING", true), 3)).toBe("renewed");
    expect(checkLeaseRule(twin("DELIVERING", false), 3)).toBe("expired");
  });

  it("ignores a check of an earlier period (a newer assignment or sign-off armed another)", () => {
    expect(checkLeaseRule(twin("DELIVERING", false, 4), 3)).toBe("stale");
  });

  it("ends the checks once the driver is idle, offline or never on shift: an idle fleet has no timers", () => {
    const verdicts: Array<[DriverStatus, LeaseVerdict]> = [
      ["WAITING_FOR_WORK", "ended"],
      ["OFFLINE", "stale"],
      ["IDLE", "stale"],
    ];
    for (const [status, verdict] of verdicts) {
      expect([status, checkLeaseRule(twin(status, false), 3)]).toEqual([status, verdict]);
      expect([status, checkLeaseRule(twin(status, true), 3)]).toEqual([status, verdict]);
    }
  });
});

describe("an idle driver's deadline", () => {
  it("lasts to the end of its poll plus one lease", () => {
    expect(idleDeadline(1000, 240_000, LEASE)).toBe(1000 + 240_000 + LEASE);
    // A delivery or going on shift is a sign of life with no poll yet: one lease to start polling.
    expect(idleDeadline(1000, 0, LEASE)).toBe(1000 + LEASE);
  });

  it("refuses an app past its deadline at assignment, and takes one at or before it", () => {
    const until = idleDeadline(0, 240_000, LEASE);
    expect(idleAppGone(until, until)).toBe(false);
    expect(idleAppGone(until + 1, until)).toBe(true);
    expect(idleAppGone(1, until)).toBe(false);
  });

  it("takes a twin that has no deadline yet (kept from before deadlines)", () => {
    expect(idleAppGone(Number.MAX_SAFE_INTEGER, undefined)).toBe(false);
  });

  it("detects an app that vanished idle: gone at the first match after its last poll ended plus a lease", () => {
    // The app polled at t=0 for 240 s and vanished: a match at 299 s still takes it (its
    // assignment's own lease then detects it), one after 300 s is refused at once.
    const until = idleDeadline(0, 240_000, LEASE);
    expect(idleAppGone(299_000, until)).toBe(false);
    expect(idleAppGone(300_001, until)).toBe(true);
  });
});

describe("which ETA reaches the order", () => {
  it("the first one always, then only one that moved by more than the threshold from the last told", () => {
    expect(etaMoved(undefined, 5000, 120_000)).toBe(true);
    expect(etaMoved(1_000_000, 1_120_000, 120_000)).toBe(false);
    expect(etaMoved(1_000_000, 880_000, 120_000)).toBe(false);
    expect(etaMoved(1_000_000, 1_120_001, 120_000)).toBe(true);
    expect(etaMoved(1_000_000, 879_999, 120_000)).toBe(true);
  });

  it("with a threshold of 0 every change is told", () => {
    expect(etaMoved(1000, 1001, 0)).toBe(true);
    expect(etaMoved(1000, 1000, 0)).toBe(false);
  });
});
