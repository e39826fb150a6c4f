import { describe, expect, it } from "vitest";
import { sseEvents } from "../../src/sse.ts";

describe("reading server-sent events as they arrive", () => {
  it("gives the same events whatever chunks the text arrives in", () => {
    const text =
      'event: order\ndata: {"a":1}\n\nevent: driver\ndata: {}\n\nevent: end\ndata: {"reason":"DELIVERED"}\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const first = sseEvents(text.slice(0, cut));
      const second = sseEvents(first.rest + text.slice(cut));
      expect([...first.events, ...second.events]).toEqual([
        { name: "order", data: '{"a":1}' },
        { name: "driver", data: "{}" },
        { name: "end", data: '{"reason":"DELIVERED"}' },
      ]);
      expect(second.rest).toBe("");
    }
  });

  it("skips a comment block (a keep-alive) and keeps an event without data", () => {
    expect(sseEvents(": keep-alive\n\nevent: end\n\npartial").events).toEqual([{ name: "end", data: "" }]);
    expect(sseEvents(": keep-alive\n\nevent: end\n\npartial").rest).toBe("partial");
  });
});
