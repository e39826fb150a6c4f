import { describe, expect, it } from "vitest";
import { etaMoved } from "@food-ordering/contracts";
import {
  checkLeaseRule,
  leaseCheckApplies,
  firstLeaseCheckIn,
  idleAppGone,
  idleDeadline,
} from "../../src/delivery/driver-digital-twin-rules.ts";
import type { DriverStatus } from "@food-ordering/contracts";

const LEASE = 60_000;
const times = { leaseMs: LEASE, graceMs: 120_000 + LEASE };
const NOW = 10_000_000;
const twin = (status: DriverStatus, seen: boolean, etaPlanned?: number, leaseId = 3) => ({
  status,
  seen,
  leaseId,
  etaPlanned,
});

describe("the backstop check of a delivering driver", () => {
  it("comes a grace after the ETA, and one lease after an assignment whose ETA is unknown", () => {
    expect(firstLeaseCheckIn(NOW + 600_000, NOW, times)).toBe(600_000 + times.graceMs);
    expect(firstLeaseCheckIn(undefined, NOW, times)).toBe(LEASE);
    // An ETA already past (a driver at the door): still no sooner than a lease.
    expect(firstLeaseCheckIn(NOW - 1_000_000, NOW, times)).toBe(LEASE);
  });

  it("waits for an ETA the app's reports moved later, whatever it saw", () => {
    const eta = NOW + 300_000;
    expect(checkLeaseRule(twin("DELIVERING", false, eta), NOW, times)).toEqual({
      verdict: "wait",
      delayMs: 300_000 + times.graceMs,
    });
  });

  it("past the ETA's grace: renews after a sign of life, expires without one", () => {
    const eta = NOW - times.graceMs;
    expect(checkLeaseRule(twin("DELIVERING", true, eta), NOW, times)).toEqual({
      verdict: "renewed",
      delayMs: times.graceMs,
    });
    expect(checkLeaseRule(twin("DELIVERING", false, eta), NOW, times)).toEqual({ verdict: "expired" });
    // No ETA ever known (no position, no report): a lease without a word is enough.
    expect(checkLeaseRule(twin("DELIVERING", false), NOW, times)).toEqual({ verdict: "expired" });
  });

  it("ignores a check of an earlier assignment, or after the watcher or a sign-off set another", () => {
    expect(leaseCheckApplies(twin("DELIVERING", false, undefined, 4), 3)).toBe(false);
    expect(leaseCheckApplies(twin("DELIVERING", false, undefined, 3), 3)).toBe(true);
  });

  it("ends once the driver is idle, offline or never on shift: an idle fleet has no timers", () => {
    const statuses: DriverStatus[] = ["WAITING_FOR_WORK", "OFFLINE", "IDLE"];
    for (const status of statuses)
      for (const seen of [true, false])
        expect([status, leaseCheckApplies(twin(status, seen, NOW - 1e6), 3)]).toEqual([status, false]);
  });

  it("finds an app that vanished right after its pick-up within two graces of its ETA", () => {
    // Picked up (seen), then nothing: renewed at ETA + grace, expired a grace later.
    const eta = NOW;
    let t = NOW + firstLeaseCheckIn(eta, NOW - 1, times) - 1;
    const first = checkLeaseRule(twin("DELIVERING", true, eta), t, times);
    expect(first.verdict).toBe("renewed");
    t += (first as { delayMs: number }).delayMs;
    expect(checkLeaseRule(twin("DELIVERING", false, eta), t, times).verdict).toBe("expired");
    expect(t - eta).toBe(2 * times.graceMs);
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
