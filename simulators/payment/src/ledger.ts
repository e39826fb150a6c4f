import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { DECLINED_TOKEN, type ChargeResponse, type RefundResponse } from "@food-ordering/contracts";

export interface ChargeRecord extends ChargeResponse {
  kind: "charge";
  idempotencyKey: string;
  orderId: string;
  amount: number;
  at: number;
}
export interface RefundRecord extends RefundResponse {
  kind: "refund";
  idempotencyKey: string;
  orderId: string;
  at: number;
}
type Entry = ChargeRecord | RefundRecord;

/**
 * The payment stub's books: charges and refunds, deduplicated by idempotency key (a retried
 * request gets the first answer back and charges nothing), optionally appended to a JSON-lines
 * file so the records survive a restart and tests can count charges per order.
 */
export class Ledger {
  private readonly byKey = new Map<string, Entry>();
  private readonly file?: string;
  private readonly declineRate: number;

  constructor(opts: { file?: string; declineRate?: number }) {
    this.file = opts.file;
    this.declineRate = opts.declineRate ?? 0;
    if (this.file && fs.existsSync(this.file)) {
      for (const line of fs.readFileSync(this.file, "utf8").split("\n")) {
        if (line.trim()) {
          const e = JSON.parse(line) as Entry;
          this.byKey.set(e.idempotencyKey, e);
        }
      }
    }
  }

  charge(req: { idempotencyKey: string; orderId: string; amount: number; paymentToken: string }): {
    record: ChargeRecord;
    replayed: boolean;
  } {
    const seen = this.byKey.get(req.idempotencyKey);
    if (seen) {
      if (seen.kind !== "charge" || seen.orderId !== req.orderId || seen.amount !== req.amount) {
        throw new Error(`idempotency key ${req.idempotencyKey} was already used for a different request`);
      }
      return { record: seen, replayed: true };
    }
    const declined = req.paymentToken === DECLINED_TOKEN || Math.random() < this.declineRate;
    const record: ChargeRecord = {
      kind: "charge",
      idempotencyKey: req.idempotencyKey,
      orderId: req.orderId,
      amount: req.amount,
      chargeId: `ch_${randomUUID()}`,
      status: declined ? "declined" : "succeeded",
      ...(declined
        ? { declineReason: req.paymentToken === DECLINED_TOKEN ? "card declined" : "insufficient funds" }
        : {}),
      at: Date.now(),
    };
    this.append(record);
    return { record, replayed: false };
  }

  refund(req: { idempotencyKey: string; chargeId: string; orderId: string }): {
    record: RefundRecord;
    replayed: boolean;
  } {
    const seen = this.byKey.get(req.idempotencyKey);
    if (seen?.kind === "refund") return { record: seen, replayed: true };
    const charge = [...this.byKey.values()].find(
      (e): e is ChargeRecord => e.kind === "charge" && e.chargeId === req.chargeId,
    );
    if (!charge || charge.status !== "succeeded") throw new Error(`no successful charge ${req.chargeId} to refund`);
    if (charge.orderId !== req.orderId) throw new Error(`charge ${req.chargeId} belongs to another order`);
    const record: RefundRecord = {
      kind: "refund",
      idempotencyKey: req.idempotencyKey,
      orderId: req.orderId,
      chargeId: req.chargeId,
      refundId: `re_${randomUUID()}`,
      at: Date.now(),
    };
    this.append(record);
    return { record, replayed: false };
  }

  entries(filter: { orderId?: string } = {}): Entry[] {
    return [...this.byKey.values()].filter((e) => !filter.orderId || e.orderId === filter.orderId);
  }

  private append(e: Entry) {
    this.byKey.set(e.idempotencyKey, e);
    if (this.file) fs.appendFileSync(this.file, `${JSON.stringify(e)}\n`);
  }
}
