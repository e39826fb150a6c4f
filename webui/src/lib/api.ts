import type {
  ApiError,
  CancelAnswer,
  CatalogResponse,
  FleetView,
  OrderTraceResponse,
  PlaceOrderResponse,
} from "../../server/api-types.ts";
import type { OrderRequestBody } from "./checkout.ts";

/**
 * The browser's only way out: same-origin calls to this shop's own /api. No other host is
 * known to the bundle, and the CSP (connect-src 'self') would refuse one anyway.
 */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly fields: Array<{ field: string; message: string }>;
  constructor(status: number, message: string, fields: Array<{ field: string; message: string }> = []) {
    super(message);
    this.status = status;
    this.fields = fields;
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}) },
    });
  } catch {
    throw new ApiRequestError(0, "The shop cannot be reached. Check your connection and try again.");
  }
  const body = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) {
    const err = (body ?? {}) as Partial<ApiError>;
    throw new ApiRequestError(
      res.status,
      err.error ?? `request failed with status ${res.status}`,
      err.details?.fields ?? [],
    );
  }
  return body as T;
}

export const api = {
  catalog: () => request<CatalogResponse>("/api/catalog"),
  placeOrder: (body: OrderRequestBody) =>
    request<PlaceOrderResponse>("/api/orders", { method: "POST", body: JSON.stringify(body) }),
  cancel: async (id: string, capability: string): Promise<CancelAnswer> => {
    try {
      return await request<CancelAnswer>(`/api/orders/${encodeURIComponent(id)}/cancel`, {
        method: "POST",
        body: JSON.stringify({ capability }),
      });
    } catch (e) {
      // 409 is a refusal with a reason (preparation started), not a failure of the request.
      if (e instanceof ApiRequestError && e.status === 409) return { cancelled: false, reason: e.message };
      throw e;
    }
  },
  fleet: (region: string) => request<FleetView>(`/api/fleet/${encodeURIComponent(region)}`),
  trace: (id: string) => request<OrderTraceResponse>(`/api/orders/${encodeURIComponent(id)}/trace`),
  orderEventsUrl: (id: string) => `/api/orders/${encodeURIComponent(id)}/events`,
};
