import type { ChargeRequest, ChargeResponse, RefundRequest, RefundResponse } from "@food-ordering/contracts";
import type { Tracing } from "@food-ordering/kit";
import { postJson } from "./http.ts";

/** Client of the payment provider. The provider deduplicates on the idempotency key. */
export interface PaymentClient {
  charge(req: ChargeRequest): Promise<ChargeResponse>;
  refund(req: RefundRequest): Promise<RefundResponse>;
}

export function paymentClient(baseUrl: string, timeoutMs: number, tracing?: Tracing): PaymentClient {
  return {
    charge: (req) => postJson<ChargeResponse>(`${baseUrl}/charges`, req, { timeoutMs, tracing }),
    refund: (req) => postJson<RefundResponse>(`${baseUrl}/refunds`, req, { timeoutMs, tracing }),
  };
}
