/** Name of the bench's no-op service, shared by its endpoint and the bench (which must not import the endpoint: that would serve it). */
export const NOOP_SERVICE = "bench-noop";
export const NOOP_HANDLER = "noop";
