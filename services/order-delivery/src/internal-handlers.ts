import { INTERNAL_HANDLERS } from "@food-ordering/contracts";

/** Per-handler options closing a service's internal handlers (INTERNAL_HANDLERS) to the ingress. */
export function internalHandlers(service: { readonly name: string }): Record<string, { ingressPrivate: true }> {
  return Object.fromEntries((INTERNAL_HANDLERS[service.name] ?? []).map((h) => [h, { ingressPrivate: true as const }]));
}
