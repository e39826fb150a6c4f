import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { OrderLine } from "./order.ts";

/** What the order workflow sends to a restaurant's point of sale. */
export const PrepareRequest = z.strictObject({
  orderId: z.string().min(1).max(128),
  restaurantId: z.string().min(1).max(64),
  products: z.array(OrderLine).min(1),
});
export type PrepareRequest = z.infer<typeof PrepareRequest>;

/**
 * The POS callback is signed, as webhook providers sign theirs: each restaurant holds its own
 * key, derived by the platform from its POS signing key (HMAC-SHA256 over the restaurant id) and
 * handed over when the restaurant is onboarded; the POS signs `preparationDone:<order id>` with
 * it. The workflow knows which restaurant prepares the order, derives that key and compares, so
 * a stranger or another restaurant cannot finish an order's preparation.
 */
export const PreparationDone = z.strictObject({
  /** Hex HMAC-SHA256 of `preparationDone:<order id>` under the restaurant's key. */
  signature: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex characters"),
});
export type PreparationDone = z.infer<typeof PreparationDone>;

export function restaurantKey(posSigningKey: string, restaurantId: string): Buffer {
  return createHmac("sha256", posSigningKey).update(`restaurant:${restaurantId}`).digest();
}

export function signPreparationDone(key: Buffer, orderId: string): string {
  return createHmac("sha256", key).update(`preparationDone:${orderId}`).digest("hex");
}

export function verifyPreparationDone(key: Buffer, orderId: string, signature: string): boolean {
  const expected = Buffer.from(signPreparationDone(key, orderId), "hex");
  const given = Buffer.from(signature, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
