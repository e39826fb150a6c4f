/** Name of the bench's no-op service, shared by its endpoint and the bench (which must not import the endpoint: that would serve it). */
export const NOOP_SERVICE = "bench-noop";
export const NOOP_HANDLER = "noop";
/** The least a stateful handler does: read one state key and write it back (virtual object, 4 journal entries). */
export const NOOP_OBJECT = "bench-noop-object";
export const NOOP_OBJECT_HANDLER = "touch";
