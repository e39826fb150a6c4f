import type { ChargeRequest, ChargeResponse, RefundRequest, RefundResponse } from "@food-ordering/contracts";
import { postJson } from "./http.ts";

/** Client of the payment provider. The provider deduplicates on the idempotency key. */
export interface PaymentClient {
  charge(req: ChargeRequest): Promise<ChargeResponse>;
  refund(req: RefundRequest): Promise<RefundResponse>;
}

export function paymentClient(baseUrl: string, timeoutMs: number): PaymentClient {
  return {
    charge: (req) => postJson<ChargeResponse>(`${baseUrl}/charges`, req, { timeoutMs }),
    refund: (req) => postJson<RefundResponse>(`${baseUrl}/refunds`, req, { timeoutMs }),
  };
}
