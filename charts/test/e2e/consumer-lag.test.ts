import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SUBSCRIPTIONS, TOPICS } from "@food-ordering/contracts";
import {
  instantQuery,
  loadRuleFiles,
  REPO_ROOT,
  setConsumerByteRate,
  Stack,
  type RuleGroup,
  type Sample,
} from "@food-ordering/testkit";

/**
 * Restate's Kafka consumer lag and the chart's FoodOrderingKafkaConsumerLag alert, on a stack of
 * its own (the shared one must not be throttled) with a real Prometheus evaluating the chart's
 * rules. Lag is made the way it happens: orders keep coming while Restate's consumers fetch less
 * than is published (a broker quota on their client.id). Stopping the service endpoint would not
 * do: Restate keeps ingesting and commits the offsets, and only the invocations wait.
 * The consumers fetch one batch per partition per request (max.partition.fetch.bytes 1), so each
 * throttled response brings part of the backlog and the partition's end offset: the lag shows
 * all along. Fetching everything at once, a throttled consumer knows no newer end offset than
 * the records it just took, and reports lag only until its next commit.
 */

const ALERT = "FoodOrderingKafkaConsumerLag";
/** The shipped rule with a lower threshold and a shorter `for`, so it fires within a test. */
const SHORTENED = `${ALERT}Shortened`;
const THRESHOLD = 100;
/** Below what the provider publishes (5 orders/s of ~300 bytes) plus the drivers' locations. */
const THROTTLED_BYTES_PER_SECOND = 600;
const STATISTICS_INTERVAL_MS = "10000";

const dataDir = path.join(REPO_ROOT, ".data", `consumer-lag-${process.pid}`);
const shipped = [...loadRuleFiles().values()]
  .flatMap((f) => f.groups.flatMap((g) => g.rules))
  .find((r) => r.alert === ALERT);
let stack: Stack;
let prom: string;

/** The shipped rule with only its trailing threshold and its `for` changed. */
function shortenedRule(): RuleGroup {
  const expr = shipped!.expr.trim();
  expect(expr, "the shipped threshold is the expression's trailing number").toMatch(/ > \d+$/);
  return {
    name: "test.shortened",
    rules: [{ ...shipped!, alert: SHORTENED, expr: expr.replace(/ > \d+$/, ` > ${THRESHOLD}`), for: "20s" }],
  };
}

const alerts = (state: string): Promise<Sample[]> =>
  instantQuery(prom, `ALERTS{alertname="${SHORTENED}", alertstate="${state}"}`);

beforeAll(async () => {
  expect(shipped, `${ALERT} is in the chart's rules`).toBeDefined();
  stack = await Stack.start({
    dataDir,
    freePorts: true,
    prometheus: true,
    prometheusExtraRules: [shortenedRule()],
    webui: false,
    consumerOptions: { "max.partition.fetch.bytes": "1" },
    regions: [{ name: "amsterdam", drivers: 2 }],
    timeScale: 600,
    providerRate: 5,
    env: { LOG_LEVEL: "warn" },
  });
  prom = stack.info.prometheusUrl!;
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  if (!process.env.KEEP_TEST_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
});

interface RestateSubscription {
  id: string;
  source: string;
  options: Record<string, string>;
}

async function subscriptions(): Promise<RestateSubscription[]> {
  const res = await fetch(`${stack.info.adminUrl}/subscriptions`);
  return ((await res.json()) as { subscriptions: RestateSubscription[] }).subscriptions;
}

describe("Kafka consumer lag", () => {
  it("the registrar turns on librdkafka statistics, and Restate exports the lag of every subscription per partition", async () => {
    const subs = await subscriptions();
    expect(subs.map((s) => s.source).sort()).toEqual(SUBSCRIPTIONS.map((s) => `kafka://kafka/${s.topic}`).sort());
    for (const s of subs) expect(s.options["statistics.interval.ms"], s.source).toBe(STATISTICS_INTERVAL_MS);
    // A series per partition of every subscription (-1 where nothing was committed yet, as on a
    // quiet topic), and real values (>= 0) for the orders topic, in Prometheus.
    const orders = subs.find((s) => s.source.endsWith(`/${TOPICS.orders}`))!;
    await vi.waitFor(
      async () => {
        const series = await instantQuery(
          prom,
          'count by (subscription) (restate_kafka_ingress_consumer_lag{namespace="local"})',
        );
        expect(series.map((x) => x.metric.subscription).sort()).toEqual(subs.map((x) => x.id).sort());
        const known = await instantQuery(
          prom,
          'restate_kafka_ingress_consumer_lag{namespace="local", topic="orders"} >= 0',
        );
        expect(known.map((x) => x.metric.subscription)).toContain(orders.id);
      },
      { timeout: 90_000, interval: 2000 },
    );
    const text = await (await fetch(stack.info.restateMetricsUrl)).text();
    expect(text).toMatch(/^restate_kafka_ingress_consumer_lag\{.*topic="orders".*partition="\d+".*\} \d+$/m);
  });

  it("the lag alert fires while orders keep coming and Restate's consumers fetch less than is published, and clears after", async () => {
    expect(await alerts("firing")).toEqual([]);
    const clientIds = [...new Set((await subscriptions()).map((s) => s.options["client.id"]!))];
    expect(clientIds).toEqual(["restate-registrar.food-ordering"]);
    const cacheDir = path.join(REPO_ROOT, ".cache");
    await setConsumerByteRate(cacheDir, stack.info.kafkaBrokers, clientIds[0]!, THROTTLED_BYTES_PER_SECOND);
    let fired: Sample[];
    try {
      fired = await vi.waitFor(
        async () => {
          const firing = await alerts("firing");
          expect(firing).not.toEqual([]);
          return firing;
        },
        { timeout: 300_000, interval: 2000 },
      );
    } finally {
      await setConsumerByteRate(cacheDir, stack.info.kafkaBrokers, clientIds[0]!, null);
    }
    expect(fired.map((s) => s.metric.topic)).toContain(TOPICS.orders);
    expect(fired[0]!.metric).toMatchObject({ namespace: "local", severity: "warning" });
    // Unthrottled, Restate catches up: the backlog falls back to the commit interval's few records.
    await vi.waitFor(async () => expect(await instantQuery(prom, `ALERTS{alertname="${SHORTENED}"}`)).toEqual([]), {
      timeout: 240_000,
      interval: 2000,
    });
    // Throttling, then catching up, on a shared machine: minutes, not the project's default 3.
  }, 600_000);
});
