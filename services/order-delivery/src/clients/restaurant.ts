import type { PrepareRequest } from "@food-ordering/contracts";
import type { Tracing } from "@food-ordering/kit";
import { postJson } from "./http.ts";

/** Client of the restaurants' point-of-sale system. It calls back `order-workflow/{id}/preparationDone`. */
export interface RestaurantClient {
  prepare(req: PrepareRequest): Promise<void>;
}

export function restaurantClient(
  baseUrl: string,
  timeoutMs: number,
  token?: string,
  tracing?: Tracing,
): RestaurantClient {
  return {
    prepare: async (req) => {
      await postJson<unknown>(`${baseUrl}/prepare`, req, { timeoutMs, token, tracing });
    },
  };
}
