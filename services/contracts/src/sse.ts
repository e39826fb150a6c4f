/**
 * The web UI's live-update streams are server-sent events (`event: <name>` and `data: <json>`
 * lines, a blank line after each). Readers get them in arbitrary chunks: this splits what has
 * arrived into complete events and the unfinished rest, to be prefixed to the next chunk.
 */
export function sseEvents(buffer: string): { events: Array<{ name: string; data: string }>; rest: string } {
  const blocks = buffer.split("\n\n");
  const rest = blocks.pop() ?? "";
  const events = blocks.flatMap((b) => {
    const name = /^event: (.+)$/m.exec(b)?.[1];
    return name === undefined ? [] : [{ name, data: /^data: (.*)$/m.exec(b)?.[1] ?? "" }];
  });
  return { events, rest };
}
