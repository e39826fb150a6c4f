import { isTerminal, type OrderStatusView, type DriverView } from "@food-ordering/contracts";

export interface LedgerEntry {
  kind: "charge" | "refund";
  orderId: string;
  status?: "succeeded" | "declined";
  chargeId: string;
}

export interface AuditInput {
  /** Order ids Kafka acknowledged to the provider. */
  published: string[];
  orders: Map<string, OrderStatusView>;
  ledger: LedgerEntry[];
  drivers: Map<string, DriverView>;
  /** Ids of deliveries that are finished (the delivery manager's view). */
  finishedDeliveries: Set<string>;
}

export interface AuditReport {
  orders: number;
  delivered: number;
  rejected: number;
  cancelled: number;
  /** Known to Restate (order-status has it) but not finished: still in flight when the audit ran. */
  unfinished: number;
  /** Acknowledged by Kafka but unknown to Restate: never ingested, or still queued in the topic. */
  lost: number;
  duplicates: number;
  doubleCharges: number;
  charges: number;
  refunds: number;
  problems: string[];
}

/**
 * What must hold after any run, faults or not: every published order reached a terminal status
 * (one that did not is `unfinished` if Restate has it, `lost` if Restate never saw it),
 * none was processed twice, each paid order was charged once, refunds match cancellations, and
 * no driver is left DELIVERING a delivery that is already over.
 */
export function audit(input: AuditInput): AuditReport {
  const problems: string[] = [];
  const published = [...new Set(input.published)];
  let lost = 0;
  let unfinished = 0;
  const count = { DELIVERED: 0, REJECTED: 0, CANCELLED: 0 };
  for (const id of published) {
    const o = input.orders.get(id);
    if (!o || !isTerminal(o.status)) {
      if (o) unfinished++;
      else lost++;
      if (problems.length < 20)
        problems.push(o ? `order ${id} is still ${o.status}` : `order ${id} is unknown to Restate`);
      continue;
    }
    count[o.status as keyof typeof count]++;
  }
  // A reassigned delivery legitimately repeats these two; any other repeat means double processing.
  const repeatable = new Set(["WAITING_FOR_DRIVER", "IN_DELIVERY"]);
  let duplicates = 0;
  for (const [id, o] of input.orders) {
    const statuses = o.timeline.map((t) => t.status).filter((s) => !repeatable.has(s));
    if (new Set(statuses).size !== statuses.length) {
      duplicates++;
      problems.push(`order ${id} went through a status twice: ${o.timeline.map((t) => t.status).join(" > ")}`);
    }
  }
  const succeeded = new Map<string, number>();
  const refunds = new Map<string, number>();
  for (const e of input.ledger) {
    if (e.kind === "charge" && e.status === "succeeded") succeeded.set(e.orderId, (succeeded.get(e.orderId) ?? 0) + 1);
    if (e.kind === "refund") refunds.set(e.orderId, (refunds.get(e.orderId) ?? 0) + 1);
  }
  let doubleCharges = 0;
  for (const [id, n] of succeeded) {
    if (n > 1) {
      doubleCharges++;
      problems.push(`order ${id} was charged ${n} times`);
    }
  }
  for (const [id, o] of input.orders) {
    const refunded = refunds.get(id) ?? 0;
    const expected = o.status === "CANCELLED" ? 1 : 0;
    if (refunded !== expected) problems.push(`order ${id} is ${o.status} with ${refunded} refunds`);
    if ((o.status === "DELIVERED" || o.status === "CANCELLED") && succeeded.get(id) !== 1)
      problems.push(`order ${id} is ${o.status} but has ${succeeded.get(id) ?? 0} successful charges`);
  }
  for (const [id, d] of input.drivers) {
    if (d.status === "DELIVERING" && (!d.assignment || input.finishedDeliveries.has(d.assignment.deliveryId))) {
      problems.push(`driver ${id} is DELIVERING ${d.assignment?.deliveryId ?? "nothing"}, which is over`);
    }
  }
  return {
    orders: published.length,
    delivered: count.DELIVERED,
    rejected: count.REJECTED,
    cancelled: count.CANCELLED,
    unfinished,
    lost,
    duplicates,
    doubleCharges,
    charges: [...succeeded.values()].reduce((a, b) => a + b, 0),
    refunds: [...refunds.values()].reduce((a, b) => a + b, 0),
    problems,
  };
}

export const summaryLine = (r: AuditReport) =>
  `orders ${r.orders} delivered ${r.delivered} rejected ${r.rejected} cancelled ${r.cancelled} unfinished ${r.unfinished} lost ${r.lost} duplicates ${r.duplicates} double-charges ${r.doubleCharges}`;
