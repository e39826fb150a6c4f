import { describe, expect, it } from "vitest";
import { driverCredential, newSecret, secretHash } from "@food-ordering/contracts";
import { authorizationOf, checkEnrollment, checkShiftToken } from "../../src/delivery/driver-auth.ts";

const KEY = "the-fleet-key";
const bearer = (t: string) => `Bearer ${t}`;

describe("going on shift: the enrollment credential", () => {
  it("lets the driver's own credential through", () => {
    expect(checkEnrollment(KEY, "d-1", bearer(driverCredential(KEY, "d-1")))).toBeUndefined();
  });

  it("answers 401 when none is shown", () => {
    for (const header of [undefined, "", "Basic eDp5", "Bearer"])
      expect(checkEnrollment(KEY, "d-1", header)).toMatchObject({ errorCode: 401, reason: "missing" });
  });

  it("answers 403 for another driver's, another key's or a made-up credential", () => {
    for (const credential of [driverCredential(KEY, "d-2"), driverCredential("other", "d-1"), "0".repeat(64), "short"])
      expect(checkEnrollment(KEY, "d-1", bearer(credential))).toMatchObject({ errorCode: 403, reason: "forged" });
  });

  it("checks nothing without an enrollment key (the endpoint warns at start)", () => {
    expect(checkEnrollment("", "d-1", undefined)).toBeUndefined();
  });
});

describe("the app's other calls: the shift token", () => {
  const token = newSecret();
  const stored = secretHash(token);

  it("lets the current shift's token through", () => {
    expect(checkShiftToken(stored, "d-1", bearer(token))).toBeUndefined();
  });

  it("answers 401 without a token and 403 for any other, or when no shift was ever started", () => {
    expect(checkShiftToken(stored, "d-1", undefined)).toMatchObject({ errorCode: 401 });
    for (const other of [newSecret(), driverCredential(KEY, "d-1"), stored])
      expect(checkShiftToken(stored, "d-1", bearer(other))).toMatchObject({ errorCode: 403, reason: "forged" });
    expect(checkShiftToken(undefined, "d-1", bearer(token))).toMatchObject({ errorCode: 403 });
  });
});

it("finds the authorization header whatever its case", () => {
  expect(authorizationOf(new Map([["Authorization", "Bearer a"]]))).toBe("Bearer a");
  expect(authorizationOf(new Map([["authorization", "Bearer b"]]))).toBe("Bearer b");
  expect(authorizationOf(new Map([["x-other", "c"]]))).toBeUndefined();
});
