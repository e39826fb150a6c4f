import { createHmac, timingSafeEqual } from "node:crypto";
import { TOPICS } from "./topics.ts";

/**
 * Only the platform's producers can start an order: each order event carries an HMAC-SHA256
 * under the platform's order signing key, over the order id (the Kafka key, so a signature
 * cannot be replayed for another order) and the event's exact bytes. `order-status/receive`
 * checks it before anything else, whether the event came from Kafka or over Restate's ingress.
 *
 * The signature travels in the value, as its last member: restate-server (1.7) hands a handler
 * the record's key and value but not its headers. A signed value is the event's JSON object
 * with `,"signature":"<64 hex>"}` in place of its closing brace, so it stays one JSON object
 * that any consumer reads; the signed bytes are the event as it was before (the value minus
 * that member). Only a JSON object can carry a signature: anything else arrives unsigned.
 */

const MEMBER_HEAD = ',"signature":"';
const MEMBER_BYTES = MEMBER_HEAD.length + 64 + '"}'.length;
const MEMBER = /^,"signature":"([0-9a-f]{64})"\}$/;

/** Why an event was refused: no signature (401 over HTTP) or one that does not verify (403). */
export type OrderSignatureRefusal = {
  ok: false;
  reason: "unsigned_event" | "bad_signature";
  errorCode: 401 | 403;
  message: string;
};
export type OpenedOrderEvent = { ok: true; event: Buffer } | OrderSignatureRefusal;

const bytesOf = (value: Uint8Array | string): Buffer =>
  typeof value === "string"
    ? Buffer.from(value, "utf8")
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);

/** Hex HMAC-SHA256 of an order event: the id, length-prefixed so id and bytes cannot be shifted, then the bytes. */
export function orderEventSignature(signingKey: string, orderId: string, event: Uint8Array | string): string {
  return createHmac("sha256", signingKey)
    .update(`order-event:${Buffer.byteLength(orderId)}:${orderId}:`)
    .update(bytesOf(event))
    .digest("hex");
}

/**
 * The value to publish for an event (a JSON object's bytes, as serialized): the same object with
 * the signature as its last member. An empty key signs nothing (the endpoint checks nothing then).
 */
export function signOrderEvent<T extends Uint8Array | string>(signingKey: string, orderId: string, event: T): T {
  if (!signingKey) return event;
  const bytes = bytesOf(event);
  const text = bytes.toString("latin1");
  if (!/^\s*\{/.test(text) || !/\}$/.test(text) || /\{\s*\}$/.test(text))
    throw new Error("only a non-empty JSON object can be signed (an order event serialized without trailing space)");
  const member = `${MEMBER_HEAD}${orderEventSignature(signingKey, orderId, bytes)}"}`;
  const signed = Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from(member)]);
  return (typeof event === "string" ? signed.toString("utf8") : signed) as T;
}

/** Splits a value into the event's bytes and its signature member, if it ends with one. */
function split(raw: Buffer): { event: Buffer; signature?: string } {
  if (raw.length <= MEMBER_BYTES) return { event: raw };
  const m = MEMBER.exec(raw.subarray(raw.length - MEMBER_BYTES).toString("latin1"));
  if (!m) return { event: raw };
  return { event: Buffer.concat([raw.subarray(0, raw.length - MEMBER_BYTES), Buffer.from("}")]), signature: m[1] };
}

/**
 * The event's bytes (signature member removed) if `raw` is signed for `orderId` under the key,
 * else why not. An empty key checks nothing: the event is returned with any signature removed.
 */
export function openOrderEvent(signingKey: string, orderId: string, raw: Uint8Array | string): OpenedOrderEvent {
  const { event, signature } = split(bytesOf(raw));
  if (!signingKey) return { ok: true, event };
  if (!signature)
    return {
      ok: false,
      reason: "unsigned_event",
      errorCode: 401,
      message: 'the event is not signed (it must end with the member "signature" of a platform producer)',
    };
  const expected = Buffer.from(orderEventSignature(signingKey, orderId, event), "hex");
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex")))
    return {
      ok: false,
      reason: "bad_signature",
      errorCode: 403,
      message: "the event's signature does not verify (another key, another order id or changed bytes)",
    };
  return { ok: true, event };
}

/**
 * A publisher's value encoder (kit's createPublisher `encodeValue`) that signs what goes to the
 * `orders` topic. Without a key it says so once through `warn`, and publishes unsigned.
 */
export function signingOrderEvents(
  signingKey: string,
  warn: (message: string) => void = () => {},
): (topic: string, key: string, json: string) => string {
  if (!signingKey)
    warn("ORDER_SIGNING_KEY is empty: order events are published unsigned (an endpoint with the key drops them)");
  return (topic, key, json) => (topic === TOPICS.orders ? signOrderEvent(signingKey, key, json) : json);
}
