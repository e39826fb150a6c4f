import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  REPO_ROOT,
  closeProducer,
  exportSpans,
  freePort,
  makeOrder,
  otlpTraces,
  placeShopOrder,
  publishTracedOrder,
  startTestJaeger,
  waitForOrder,
  type TestJaeger,
} from "@food-ordering/testkit";
import type { OrderDetail } from "../../src/queries.ts";
import type { OrderTrace } from "../../src/trace.ts";

/**
 * `inspect order <id>` prints the order's trace as a text waterfall, read from a real Jaeger of
 * this file's own (fed OTLP spans written here) for an order of the shared stack whose event
 * carried that trace's traceparent; and says why there is none when Jaeger is not there.
 */
const run = promisify(execFile);
const stack = inject("stack");
const CLI = path.join(REPO_ROOT, "tools/inspect/src/cli.ts");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "inspect-trace-"));
let jaeger: TestJaeger;
let traceId: string;
const order = makeOrder();

async function inspect(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, "--admin-url", stack.adminUrl, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, COLUMNS: "100" },
  });
  return stdout;
}

beforeAll(async () => {
  jaeger = await startTestJaeger(path.join(dir, "jaeger"));
  traceId = await publishTracedOrder(stack, order);
  await exportSpans(
    jaeger.otlpUrl,
    otlpTraces(traceId, [
      { spanId: "a000000000000001", name: "orders publish", service: "provider", startMs: 0, durationMs: 10, kind: 4 },
      {
        spanId: "b000000000000001",
        parentSpanId: "a000000000000001",
        name: "order-workflow/run",
        service: "endpoint",
        startMs: 10,
        durationMs: 990,
      },
      {
        spanId: "b000000000000002",
        parentSpanId: "b000000000000001",
        name: "prepare",
        service: "endpoint",
        startMs: 500,
        durationMs: 100,
        kind: 3,
        exception: "restaurant POS answered 503",
      },
    ]),
  );
}, 240_000);

afterAll(async () => {
  await jaeger?.stop();
  await closeProducer();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("inspect order <id>: the trace", () => {
  it("prints the order's trace as a waterfall scaled to the terminal, with the failed span's reason", async () => {
    let out = "";
    await expect
      .poll(async () => (out = await inspect("order", order.id, "--jaeger-url", jaeger.queryUrl)), { timeout: 30_000 })
      .toContain(`Trace ${traceId}: 3 spans from 2 services over 1.0s, 1 failed`);
    const lines = out.split(`Trace ${traceId}`)[1]!.split("\n");
    expect(lines[1]).toMatch(/^SPAN\s+SERVICE\s+START\s+DURATION\s+0\s+1\.0s$/);
    expect(lines[2]).toMatch(/^orders publish\s+provider\s+\+0ms\s+10ms\s+\|█ +\|$/);
    expect(lines[3]).toMatch(/^ {2}order-workflow\/run\s+endpoint\s+\+10ms\s+990ms\s+\|█+\|$/);
    expect(lines[4]).toMatch(/^ {4}✗ prepare\s+endpoint\s+\+500ms\s+100ms\s+\| +█+ +\| ✗ restaurant POS answered 503$/);
    for (const line of lines.slice(2, 5)) expect(line.replace(/\| ✗.*$/, "|").length).toBe(100);
    expect(lines[5]).toBe(`Open in Jaeger: ${jaeger.queryUrl}/trace/${traceId}`);
  });

  it("--json carries the waterfall beside the order's detail", async () => {
    const detail = JSON.parse(
      await inspect("--json", "order", order.id, "--jaeger-url", jaeger.queryUrl),
    ) as OrderDetail & {
      trace: OrderTrace;
    };
    expect(detail.order?.traceId).toBe(traceId);
    expect(detail.trace).toMatchObject({ traceId, link: `${jaeger.queryUrl}/trace/${traceId}` });
    expect("waterfall" in detail.trace && detail.trace.waterfall.rows.map((r) => [r.depth, r.name])).toEqual([
      [0, "orders publish"],
      [1, "order-workflow/run"],
      [2, "prepare"],
    ]);
  });

  it("prints the real trace of an order the shared stack delivered, read from the stack's Jaeger", async () => {
    expect(stack.jaegerUrl, "the shared stack runs with tracing").toBeTruthy();
    // Placed in the shop, whose publish starts the order's trace.
    const delivered = await placeShopOrder(stack.webuiUrl!, { customerLocation: { x: 6, y: 6 } });
    const { final } = await waitForOrder(stack, delivered.id);
    expect(final.status).toBe("DELIVERED");
    expect(final.traceId).toMatch(/^[0-9a-f]{32}$/);
    let out = "";
    // Until every span is in: restate-server exports its own last.
    await expect
      .poll(
        async () => {
          out = await inspect("order", delivered.id, "--jaeger-url", stack.jaegerUrl!);
          return / {2}Restate {2}/.test(out) && !out.includes("parent span not in the trace");
        },
        { timeout: 30_000 },
      )
      .toBe(true);
    expect(out).toMatch(new RegExp(`Trace ${final.traceId}: \\d+ spans from \\d+ services over `));
    const rows = out
      .split(`Trace ${final.traceId}`)[1]!
      .split("\n")
      .slice(2)
      .filter((l) => l.includes("|"));
    const cells = rows.map((l) => l.split(/(?<=\S)\s{2,}/));
    const services = new Set(cells.map((c) => c[1]));
    for (const service of ["webui", "Restate", "endpoint", "restaurant"]) expect([...services], out).toContain(service);
    // The shop's publish first, the rest under it.
    expect(cells[0]!.slice(0, 2), out).toEqual(["send orders", "webui"]);
    expect(
      rows.some((l) => /^ {2}attempt order-status\//.test(l)), // receive (the row's name is cut to the column)
      out,
    ).toBe(true);
  });

  it("says why there is no trace when Jaeger is not there, and still prints the rest", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const out = await inspect("order", order.id, "--jaeger-url", closed);
    expect(out).toMatch(new RegExp(`^Order ${order.id} {2}`));
    expect(out).toContain(
      `Trace ${traceId}: the trace store (Jaeger) is not answering (ECONNREFUSED) at ${closed}. ` +
        "Local stack: is `npm start` running with tracing?",
    );
    expect(await inspect("order", order.id, "--no-trace", "--jaeger-url", closed)).not.toContain("Trace");
  });
});
