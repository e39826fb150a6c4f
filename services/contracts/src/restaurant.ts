import { z } from "zod";
import { OrderLine } from "./order.ts";

/** What the order workflow sends to a restaurant's point of sale. */
export const PrepareRequest = z.strictObject({
  orderId: z.string().min(1).max(128),
  restaurantId: z.string().min(1).max(64),
  products: z.array(OrderLine).min(1),
});
export type PrepareRequest = z.infer<typeof PrepareRequest>;
