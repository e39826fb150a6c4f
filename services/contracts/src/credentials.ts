import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * The credentials outside callers present, and how the platform checks them. Secrets are
 * compared as fixed-length digests with timingSafeEqual; only hashes of per-shift and per-order
 * secrets are stored, so Restate's state (readable through its admin API) holds nothing to replay.
 */

/** A fresh secret: 32 random bytes, base64url (43 characters). */
export const newSecret = (): string => randomBytes(32).toString("base64url");

/** What an outside caller may present as a secret: base64url or hex, bounded. */
export const Secret = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, "must be 16-128 characters of A-Z a-z 0-9 _ -");

/** Hex SHA-256 of a secret, as stored and as carried in events. */
export const secretHash = (secret: string): string => createHash("sha256").update(secret).digest("hex");
export const SecretHash = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex characters (a SHA-256)");

/** Whether two hex hashes are equal, in constant time; a missing stored hash matches nothing. */
export function sameHash(givenHash: string, storedHash: string | undefined | null): boolean {
  if (!storedHash) return false;
  const given = Buffer.from(givenHash, "hex");
  const expected = Buffer.from(storedHash, "hex");
  return given.length === 32 && given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether `secret` hashes to `storedHash`, in constant time. */
export const matchesHash = (secret: string, storedHash: string | undefined | null): boolean =>
  sameHash(secretHash(secret), storedHash);

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? "");
  return m?.[1];
}

/**
 * A driver's enrollment credential: HMAC-SHA256 over the driver id under the fleet's
 * enrollment key. The operator hands it to the driver's app at onboarding; the twin recomputes
 * it, so no list of credentials is stored anywhere and a new driver needs no registration call.
 */
export const driverCredential = (enrollmentKey: string, driverId: string): string =>
  createHmac("sha256", enrollmentKey).update(`driver:${driverId}`).digest("hex");

export function verifyDriverCredential(enrollmentKey: string, driverId: string, credential: string): boolean {
  const expected = Buffer.from(driverCredential(enrollmentKey, driverId));
  const given = Buffer.from(credential);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
