import { z } from "zod";
import { Location } from "./geo.ts";
import { OrderId, OrderStatus, describeIssues, type OrderStatusView } from "./order.ts";

/**
 * A record of the `order-updates` topic (key = order id): the order's whole status view after a
 * change, with its version. order-status publishes one per change from its handlers; a retried
 * handler may publish a version twice, so a reader keeps the highest version it saw. Unknown
 * fields are kept (the view grows); the ones a reader relies on are checked.
 */
export const OrderUpdate = z.looseObject({
  id: OrderId,
  status: OrderStatus,
  version: z.number().int().positive(),
  eta: z.number().finite().nullable(),
  timeline: z.array(z.looseObject({ status: OrderStatus, at: z.number().finite() })).max(100),
  driverId: z.string().max(128).optional(),
  driverLocation: Location.optional(),
});
export type OrderUpdate = OrderStatusView & { version: number };

export type RecordRead<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Reads one Kafka record's JSON value against `schema`, and its key against the value's `id`
 * field (`keyField`); a bad record is a reason, never an exception, so it cannot stop a consumer.
 */
export function readJsonRecord<S extends z.ZodType>(
  schema: S,
  raw: Uint8Array | string | null | undefined,
  opts: { maxBytes: number; key?: string; keyField?: string },
): RecordRead<z.infer<S>> {
  if (raw === null || raw === undefined || raw.length === 0) return { ok: false, reason: "empty record" };
  if (raw.length > opts.maxBytes) return { ok: false, reason: `record too large: ${raw.length} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === "string" ? raw : Buffer.from(raw).toString("utf8"));
  } catch (e) {
    return { ok: false, reason: `not valid JSON: ${(e as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: describeIssues(parsed.error) };
  const id = opts.keyField ? (parsed.data as Record<string, unknown>)[opts.keyField] : undefined;
  if (opts.keyField && opts.key !== undefined && id !== opts.key)
    return { ok: false, reason: `${opts.keyField} "${String(id)}" does not match the record key "${opts.key}"` };
  return { ok: true, value: parsed.data };
}

/** One `order-updates` record (a view is well under 4 kB; 64 kB leaves room to grow). */
export const readOrderUpdate = (key: string | undefined, raw: Uint8Array | string | null | undefined) =>
  readJsonRecord(OrderUpdate, raw, { maxBytes: 64 * 1024, key, keyField: "id" }) as RecordRead<OrderUpdate>;
