import { sseEvents } from "@food-ordering/contracts";

/**
 * A server-sent event stream read as it arrives: `events` fills with [event, data] pairs (data
 * parsed as JSON), `done` settles when the server ends the stream, `close()` aborts it.
 */
export interface FollowedStream {
  events: Array<[string, Record<string, unknown>]>;
  done: Promise<void>;
  close(): void;
}

export function followEventStream(url: string, timeoutMs = 120_000): FollowedStream {
  const events: FollowedStream["events"] = [];
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const done = (async () => {
    try {
      const res = await fetch(url, { signal: ac.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let rest = "";
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        const got = sseEvents(rest + decoder.decode(r.value, { stream: true }));
        rest = got.rest;
        for (const { name, data } of got.events)
          if (data) events.push([name, JSON.parse(data) as Record<string, unknown>]);
      }
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    } finally {
      clearTimeout(timer);
    }
  })();
  return { events, done, close: () => ac.abort() };
}
