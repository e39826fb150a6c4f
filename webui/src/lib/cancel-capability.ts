/**
 * The browser keeps each order's cancel capability, which the shop hands out once with the order
 * id: only whoever holds it may cancel. localStorage keeps it across reloads and tabs of this
 * browser; where storage is unavailable (private modes, disabled) the order simply cannot be
 * cancelled from here.
 */
type Store = Pick<Storage, "getItem" | "setItem">;

const keyOf = (orderId: string) => `cancel-capability:${orderId}`;

function browserStore(): Store | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // access itself throws when storage is disabled
  }
}

export function keepCancelCapability(orderId: string, capability: string, store = browserStore()): void {
  try {
    store?.setItem(keyOf(orderId), capability);
  } catch {
    // full or refused: the order is placed all the same, only not cancellable from here
  }
}

export function cancelCapabilityOf(orderId: string, store = browserStore()): string | null {
  try {
    return store?.getItem(keyOf(orderId)) ?? null;
  } catch {
    return null;
  }
}
