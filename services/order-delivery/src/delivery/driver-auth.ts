import { bearerToken, matchesHash, verifyDriverCredential } from "@food-ordering/contracts";

/**
 * Who may speak for a driver, as pure functions; the twin applies them before it reads or
 * changes anything. Going on shift takes the driver's enrollment credential (derived from the
 * fleet's key, see driverCredential); every other call of the app takes the token that shift
 * answered, whose hash the twin keeps. A missing credential is 401, a wrong one 403.
 */
export interface AuthRefusal {
  errorCode: 401 | 403;
  /** The metric's `reason` label. */
  reason: "missing" | "forged";
  message: string;
}

/** The `authorization` header of an invocation (Restate hands headers over as received; names are matched case-blind). */
export function authorizationOf(headers: ReadonlyMap<string, string>): string | undefined {
  for (const [name, value] of headers) if (name.toLowerCase() === "authorization") return value;
  return undefined;
}

const missing = (what: string): AuthRefusal => ({
  errorCode: 401,
  reason: "missing",
  message: `${what} required: send Authorization: Bearer <${what}>`,
});

/** Going on shift: the credential must be this driver's. An empty enrollment key checks nothing (logged at start). */
export function checkEnrollment(
  enrollmentKey: string,
  driverId: string,
  authorization: string | undefined,
): AuthRefusal | undefined {
  if (!enrollmentKey) return undefined;
  const presented = bearerToken(authorization);
  if (!presented) return missing("the driver's enrollment credential");
  if (verifyDriverCredential(enrollmentKey, driverId, presented)) return undefined;
  return { errorCode: 403, reason: "forged", message: `not the enrollment credential of driver ${driverId}` };
}

/** Any other call of the driver's app: the token of its current shift. */
export function checkShiftToken(
  shiftTokenHash: string | undefined,
  driverId: string,
  authorization: string | undefined,
): AuthRefusal | undefined {
  const presented = bearerToken(authorization);
  if (!presented) return missing("shift token");
  if (matchesHash(presented, shiftTokenHash)) return undefined;
  return {
    errorCode: 403,
    reason: "forged",
    message: `not the shift token of driver ${driverId}'s current shift (go on shift with setDriverAvailable for one)`,
  };
}
