import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { DECLINED_TOKEN } from "@food-ordering/contracts";
import { REPO_ROOT, TOPOLOGY, freePort, placeShopOrder, uniqueId, waitForOrder } from "@food-ordering/testkit";

/**
 * Distributed tracing on the shared stack, read back from its real Jaeger: one order is one
 * trace from the web UI's publish to DELIVERED, across Kafka, restate-server, the endpoint's
 * handlers and side effects, the restaurant's callback and the driver app's reports.
 */
const stack = inject("stack");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tracing-test-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  startTime: number;
  duration: number;
  tags: Array<{ key: string; value: unknown }>;
  logs: Array<{ timestamp: number; fields: Array<{ key: string; value: unknown }> }>;
  processID: string;
  service: string;
}

/** The trace's spans (v1 query API), each with its service name. */
async function fetchTrace(traceId: string): Promise<JaegerSpan[]> {
  const res = await fetch(`${stack.jaegerUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`Jaeger answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as {
    data: Array<{ spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }>;
  };
  return body.data.flatMap((t) => t.spans.map((s) => ({ ...s, service: t.processes[s.processID]!.serviceName })));
}

/** Polls the trace until `done` holds for its spans (spans are exported in batches, every ~0.5 s). */
async function traceUntil(traceId: string, done: (spans: JaegerSpan[]) => boolean): Promise<JaegerSpan[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const spans = await fetchTrace(traceId);
    if (done(spans)) return spans;
    if (Date.now() > deadline) {
      const names = spans.map((s) => `${s.service}: ${s.operationName}`).join("\n  ");
      throw new Error(`trace ${traceId} did not complete in 30 s; it has:\n  ${names}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** restate-server's service name in its spans. */
const RESTATE = "Restate";

const tag = (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value;
const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;

/** The one span matching; fails naming what the trace has. */
function one(spans: JaegerSpan[], what: string, match: (s: JaegerSpan) => boolean): JaegerSpan {
  const found = spans.filter(match);
  if (found.length === 0)
    throw new Error(`no ${what} span among:\n  ${spans.map((s) => `${s.service}: ${s.operationName}`).join("\n  ")}`);
  return found.sort((a, b) => a.startTime - b.startTime)[0]!;
}

/** Whether `ancestor` is on the path from `span` to the trace's root. */
function descendsFrom(spans: JaegerSpan[], span: JaegerSpan, ancestor: JaegerSpan): boolean {
  const byId = new Map(spans.map((s) => [s.spanID, s]));
  for (let cur: JaegerSpan | undefined = span; cur; cur = byId.get(parentOf(cur) ?? "")) {
    if (cur.spanID === ancestor.spanID) return true;
  }
  return false;
}

/** An order placed in the shop (the web UI's backend publishes it), delivered near the restaurant. */
const placeOrder = async (body: Record<string, unknown>) =>
  (await placeShopOrder(stack.webuiUrl!, { customerLocation: { x: 6, y: 6 }, ...body })).id;

const attempt = (service: string, handler: string) => (s: JaegerSpan) =>
  s.service === "endpoint" &&
  s.operationName.startsWith(`attempt ${service}/`) &&
  s.operationName.endsWith(`/${handler}`);

describe("distributed tracing", () => {
  it("follows one order in one trace from the web UI's publish to DELIVERED, in causal order", async () => {
    const id = await placeOrder({});
    const { final } = await waitForOrder(stack, id);
    expect(final.status).toBe("DELIVERED");
    expect(final.traceId).toMatch(/^[0-9a-f]{32}$/);
    const traceId = final.traceId!;

    // Complete once the last step and its ancestors are in: restate-server exports its spans late.
    const isPublish = (s: JaegerSpan) => s.service === "webui" && s.operationName === "send orders";
    const spans = await traceUntil(traceId, (ss) => {
      const root = ss.find(isPublish);
      const last = ss.find(attempt("driver-digital-twin", "notifyDeliveryDelivered"));
      return (
        !!root &&
        !!last &&
        ss.some(attempt("order-workflow", "run")) &&
        ss.some((s) => s.service === RESTATE) &&
        ss.some((s) => s.service === "payment") &&
        descendsFrom(ss, last, root)
      );
    });
    // One trace id across every process, restate-server's included.
    expect(new Set(spans.map((s) => s.traceID))).toEqual(new Set([traceId]));
    expect([...new Set(spans.map((s) => s.service))].sort()).toEqual([
      "Restate",
      "drivers-amsterdam",
      "endpoint",
      "payment",
      "restaurant",
      "webui",
    ]);

    // The web UI's publish is the root: the event carries its context to order-status/receive.
    const publish = one(spans, "web UI publish", isPublish);
    expect(parentOf(publish)).toBeUndefined();
    expect(tag(publish, "messaging.system")).toBe("kafka");
    expect(tag(publish, "messaging.destination.name")).toBe("orders");
    expect(tag(publish, "order.id")).toBe(id);

    const receive = one(spans, "order-status receive", attempt("order-status", "receive"));
    const run = one(spans, "order-workflow run", attempt("order-workflow", "run"));
    const payment = one(spans, "payment run", (s) => s.operationName === "run (charge payment)");
    const charge = one(
      spans,
      "payment provider",
      (s) => s.service === "payment" && s.operationName === "payment charge",
    );
    const pos = one(spans, "POS call", (s) => s.operationName === "run (request preparation)");
    const kitchen = one(
      spans,
      "restaurant preparation",
      (s) => s.service === "restaurant" && s.operationName === "prepare order",
    );
    const prepared = one(spans, "preparationDone", attempt("order-workflow", "preparationDone"));
    const pickUp = one(spans, "driver pick-up", (s) => s.operationName === "report pick-up");
    const delivered = one(spans, "driver delivered", (s) => s.operationName === "report delivery");
    const deliveredHandled = one(spans, "delivery done", attempt("driver-digital-twin", "notifyDeliveryDelivered"));

    // Causal order: each step descends from the one that caused it.
    for (const s of [receive, run, payment, pos, kitchen, prepared, pickUp, delivered, deliveredHandled])
      expect(descendsFrom(spans, s, publish), s.operationName).toBe(true);
    expect(descendsFrom(spans, payment, run)).toBe(true);
    expect(parentOf(charge)).toBe(payment.spanID);
    expect(tag(charge, "order.id")).toBe(id);
    expect(tag(charge, "payment.status")).toBe("succeeded");
    expect(descendsFrom(spans, kitchen, pos)).toBe(true);
    expect(descendsFrom(spans, prepared, kitchen)).toBe(true);
    expect(descendsFrom(spans, deliveredHandled, delivered)).toBe(true);
    expect(parentOf(receive)).toBe(publish.spanID);
    expect(tag(kitchen, "order.id")).toBe(id);
    expect(tag(receive, "order.id")).toBe(id);

    // restate-server starts a trace of its own for the record (it ignores the record's
    // traceparent): receive links it, and it holds Restate's Kafka ingress span.
    const links = receive.references.filter((r) => r.refType === "FOLLOWS_FROM");
    expect(links).toHaveLength(1);
    expect(links[0]!.traceID).not.toBe(traceId);
    const restateTrace = await traceUntil(links[0]!.traceID, (ss) => ss.some((s) => s.spanID === links[0]!.spanID));
    const kafkaIngress = one(restateTrace, "Kafka ingress", (s) => s.operationName.startsWith("ingress_kafka"));
    expect(kafkaIngress.service).toBe(RESTATE);
    expect(parentOf(kafkaIngress)).toBeUndefined();
    // ... and in time.
    const starts = [publish, receive, payment, pos, kitchen, prepared, pickUp, delivered].map((s) => s.startTime);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it("shows why a rejected order was rejected", async () => {
    const id = await placeOrder({ paymentToken: DECLINED_TOKEN });
    const { final } = await waitForOrder(stack, id);
    expect(final.status).toBe("REJECTED");
    const spans = await traceUntil(final.traceId!, (ss) => ss.some((s) => s.logs.some((l) => l.fields.length > 0)));
    const rejection = spans
      .flatMap((s) =>
        s.logs.map((l) => ({ span: s, fields: Object.fromEntries(l.fields.map((f) => [f.key, f.value])) })),
      )
      .find((l) => l.fields.event === "order rejected");
    expect(rejection, JSON.stringify(spans.map((s) => [s.operationName, s.logs]))).toBeDefined();
    expect(rejection!.fields["order.rejection_reason"]).toBe(final.rejectionReason);
    expect(String(final.rejectionReason)).toMatch(/^payment declined/);
  });

  /** Records to LOADED_FILE every OpenTelemetry module the process resolves (static or dynamic import). */
  const hook = path.join(scratch, "record-otel-loads.mjs");
  fs.writeFileSync(
    hook,
    [
      'import fs from "node:fs";',
      'import { registerHooks } from "node:module";',
      "registerHooks({ resolve(specifier, context, next) {",
      "  const r = next(specifier, context);",
      // The SDK, not @opentelemetry/api: prom-client loads the API (a no-op without an SDK) in every process.
      "  if (/@opentelemetry\\/(sdk-|exporter-|otlp-|resources|context-async-hooks)|restate-sdk-opentelemetry/.test(r.url))",
      '    fs.appendFileSync(process.env.LOADED_FILE, r.url + "\\n");',
      "  return r;",
      "} });",
    ].join("\n"),
  );
  const loaded = (file: string) =>
    fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  const services = async (): Promise<string[]> =>
    ((await (await fetch(`${stack.jaegerUrl}/api/services`)).json()) as { data: string[] | null }).data ?? [];

  /** Starts the kit's tracing in a fresh Node process, makes one span and flushes. */
  async function probe(name: string, otlpEndpoint: string): Promise<string[]> {
    const file = path.join(scratch, `${name}.loaded`);
    const script =
      `const k = await import(${JSON.stringify(path.join(REPO_ROOT, "services/kit/src/index.ts"))});` +
      `const t = await k.startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: ${JSON.stringify(otlpEndpoint)} }, ${JSON.stringify(name)});` +
      'await t.span("probe", {}, async () => {}); await t.shutdown();';
    const child = spawn(process.execPath, ["--import", hook, "--input-type=module", "-e", script], {
      env: { ...process.env, LOADED_FILE: file },
      stdio: ["ignore", "inherit", "inherit"],
    });
    const code = await new Promise((r) => child.on("exit", r));
    expect(code).toBe(0);
    return loaded(file);
  }

  it("with tracing off, loads no OpenTelemetry and exports nothing; a process's orders still flow", async () => {
    // The check can fail: the same probe with an endpoint loads the SDK and its span reaches Jaeger.
    const tracedName = uniqueId("probe-on");
    expect((await probe(tracedName, stack.otlpEndpoint!)).length).toBeGreaterThan(0);
    const untracedName = uniqueId("probe-off");
    expect(await probe(untracedName, "")).toEqual([]);

    // A real process of the platform, tracing off, beside the traced stack: the order provider.
    const serviceName = uniqueId("provider-untraced");
    const prefix = uniqueId("untraced");
    const published = path.join(scratch, "published.log");
    const loadedFile = path.join(scratch, "provider.loaded");
    const provider = spawn(process.execPath, ["--import", hook, path.join(REPO_ROOT, TOPOLOGY.provider.entry)], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        LOADED_FILE: loadedFile,
        OTEL_EXPORTER_OTLP_ENDPOINT: "",
        OTEL_SERVICE_NAME: serviceName,
        KAFKA_BROKERS: stack.kafkaBrokers.join(","),
        RESTATE_INGRESS_URL: stack.ingressUrl,
        ORDER_SIGNING_KEY: stack.credentials.orderSigningKey,
        REGIONS: "amsterdam",
        RATE: "2",
        MAX_DELIVERY_DELAY_MS: "0",
        DECLINED_FRACTION: "0",
        ORDER_ID_PREFIX: prefix,
        PUBLISHED_LOG_FILE: published,
        PORT: String(await freePort()),
        METRICS_PORT: "0",
        BIND_HOST: "127.0.0.1",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    let firstId: string | undefined;
    try {
      const deadline = Date.now() + 60_000;
      while (!(firstId = loaded(published)[0]?.split(" ")[0]) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
    } finally {
      provider.kill("SIGTERM");
      await new Promise((r) => provider.on("exit", r));
    }
    expect(firstId, "the untraced provider published no order").toBeDefined();
    const { final } = await waitForOrder(stack, firstId!, (v) => v.status !== "NEW" && v.status !== "CREATED");
    // Restate traced it from its first hop; nothing came from the untraced producer.
    const spans = await traceUntil(final.traceId!, (ss) => ss.some(attempt("order-status", "receive")));
    expect(spans.filter((s) => s.operationName === "send orders")).toEqual([]);
    expect(loaded(loadedFile)).toEqual([]);
    const known = await services();
    expect(known).toContain(tracedName);
    expect(known).not.toContain(untracedName);
    expect(known).not.toContain(serviceName);
  });
});
