/** Name of the bench's no-op service, shared by its endpoint and the bench (which must not import the endpoint: that would serve it). */
export const NOOP_SERVICE = "bench-noop";
export const NOOP_HANDLER = "noop";
/** The process of the stack that serves them (its CPU is the no-op's endpoint part). */
export const NOOP_PROCESS = "bench-noop";
/** The least a stateful handler does: read one state key and write it back (virtual object, 4 journal entries). */
export const NOOP_OBJECT = "bench-noop-object";
export const NOOP_OBJECT_HANDLER = "touch";
/** Every service of the bench's own endpoint: not the platform's, so never counted as its invocations. */
export const BENCH_SERVICES = [NOOP_SERVICE, NOOP_OBJECT];
