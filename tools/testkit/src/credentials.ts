import {
  driverCredential,
  newSecret,
  secretHash,
  type DeliveryAssignment,
  type OrderEvent,
} from "@food-ordering/contracts";
import type { StackInfo } from "@food-ordering/stack";
import { makeOrder } from "./platform.ts";

/**
 * Tests that play an outsider the platform trusts: a driver app enrolled with the stack's fleet
 * key, a customer holding an order's cancel capability. Forgeries are made by passing other values.
 */

/** POSTs a JSON body to a Restate ingress path, with `Authorization: Bearer <bearer>` when given. */
export const ingressPost = (stack: StackInfo, path: string, body: unknown, bearer?: string) =>
  fetch(`${stack.ingressUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(body),
  });

export interface ShiftAnswer {
  shiftToken: string;
  assignment: DeliveryAssignment | null;
  pickedUp: boolean;
}

export interface DriverApp {
  driverId: string;
  credential: string;
  /** The token of the app's current shift ("" before goOnShift). */
  shiftToken: string;
  goOnShift(region: string): Promise<ShiftAnswer>;
  /** One call of the app; `bearer` defaults to the current shift token (pass "" for none). */
  call(handler: string, body?: unknown, bearer?: string): Promise<Response>;
  /** The twin as the platform shows it (public `get`). */
  view(): Promise<Record<string, unknown>>;
}

/** A driver app: its enrollment credential, and after goOnShift the shift token its calls carry. */
export function driverApp(stack: StackInfo, driverId: string): DriverApp {
  const credential = driverCredential(stack.credentials.driverEnrollmentKey, driverId);
  const path = (handler: string) => `driver-digital-twin/${encodeURIComponent(driverId)}/${handler}`;
  const app: DriverApp = {
    driverId,
    credential,
    shiftToken: "",
    async goOnShift(region: string): Promise<ShiftAnswer> {
      const res = await ingressPost(stack, path("setDriverAvailable"), { region }, credential);
      if (!res.ok) throw new Error(`${driverId} could not go on shift: ${res.status} ${await res.text()}`);
      const answer = (await res.json()) as ShiftAnswer;
      app.shiftToken = answer.shiftToken;
      return answer;
    },
    call: (handler, body = {}, bearer = app.shiftToken) => ingressPost(stack, path(handler), body, bearer || undefined),
    view: async () => (await ingressPost(stack, path("get"), {})).json() as Promise<Record<string, unknown>>,
  };
  return app;
}

/** An order as the shop places it: its event carries the hash of a capability only the customer holds. */
export function cancellableOrder(overrides: Partial<OrderEvent> = {}): { order: OrderEvent; capability: string } {
  const capability = newSecret();
  return { order: makeOrder({ ...overrides, cancelCapabilityHash: secretHash(capability) }), capability };
}

/** Long-polls as a driver app does (5 s polls) until work comes; throws at a refusal or after `timeoutMs`. */
export async function waitForWork(driver: DriverApp, timeoutMs = 60_000): Promise<DeliveryAssignment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await driver.call("waitForWork", { timeoutMs: 5000 });
    if (res.status !== 200)
      throw new Error(`${driver.driverId}: waitForWork answered ${res.status} ${await res.text()}`);
    const work = (await res.json()) as DeliveryAssignment | null;
    if (work) return work;
    if (Date.now() > deadline) throw new Error(`${driver.driverId} got no work in ${timeoutMs} ms`);
  }
}
