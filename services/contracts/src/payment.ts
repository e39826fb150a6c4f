import { z } from "zod";

/** The payment provider's API (the stub in simulators/payment implements it). */
export const ChargeRequest = z.strictObject({
  idempotencyKey: z.string().min(8).max(128),
  orderId: z.string().min(1).max(128),
  amount: z.number().int().positive(),
  currency: z.string().length(3).default("EUR"),
  paymentToken: z.string().min(1).max(64).default("tok_visa"),
});
export type ChargeRequest = z.input<typeof ChargeRequest>;

export interface ChargeResponse {
  chargeId: string;
  status: "succeeded" | "declined";
  declineReason?: string;
}

export const RefundRequest = z.strictObject({
  idempotencyKey: z.string().min(8).max(128),
  chargeId: z.string().min(1),
  orderId: z.string().min(1).max(128),
});
export type RefundRequest = z.infer<typeof RefundRequest>;

export interface RefundResponse {
  refundId: string;
  chargeId: string;
}

/** Token that the stub always declines (as a payment provider's test card would). */
export const DECLINED_TOKEN = "tok_chargeDeclined";
