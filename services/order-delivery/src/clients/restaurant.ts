import type { PrepareRequest } from "@food-ordering/contracts";
import { postJson } from "./http.ts";

/** Client of the restaurants' point-of-sale system. It calls back `order-workflow/{id}/preparationDone`. */
export interface RestaurantClient {
  prepare(req: PrepareRequest): Promise<void>;
}

export function restaurantClient(baseUrl: string, timeoutMs: number, token?: string): RestaurantClient {
  return {
    prepare: async (req) => {
      await postJson<unknown>(`${baseUrl}/prepare`, req, { timeoutMs, token });
    },
  };
}
