import { Command, InvalidArgumentError } from "commander";
import { ORDER_STATUSES } from "@food-ordering/contracts";
import { parseDuration } from "./format.ts";
import { listDeployments, listFleet, listOrders, orderDetail, reachable } from "./queries.ts";
import { renderDeployments, renderFleet, renderOrder, renderOrders } from "./render.ts";
import { DEFAULT_JAEGER_URL, readOrderTrace, renderOrderTrace } from "./trace.ts";

/**
 * `npm run inspect -- <command>` and `kubectl food <command>`: the platform's state as Restate
 * holds it, read through the admin SQL API (locally, or through a port-forward in Kubernetes).
 */

interface Global {
  adminUrl: string;
  json?: boolean;
}

const print = (json: boolean | undefined, data: unknown, text: () => string) =>
  console.log(json ? JSON.stringify(data, null, 2) : text());

const durationArg = (v: string) => {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};
const statusArg = (v: string) => {
  const s = v.toUpperCase();
  if (!(ORDER_STATUSES as readonly string[]).includes(s))
    throw new InvalidArgumentError(`unknown status "${v}" (one of ${ORDER_STATUSES.join(", ")})`);
  return s;
};
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
};

function program(): Command {
  const p = new Command("inspect")
    .description(
      "Inspect orders, drivers, their Restate invocations and the endpoint's deployments through Restate's admin API.",
    )
    .option(
      "--admin-url <url>",
      "Restate admin API (env RESTATE_ADMIN_URL)",
      process.env.RESTATE_ADMIN_URL ?? "http://127.0.0.1:9070",
    )
    .option("--json", "print JSON instead of tables")
    .showHelpAfterError();
  const global = () => p.opts<Global>();

  p.command("orders")
    .description("orders with status and age, newest first")
    .option("--status <status>", "only orders in this status", statusArg)
    .option("--region <region>", "only orders of this region")
    .option(
      "--older-than <duration>",
      "only unfinished orders in their current status for at least this long (e.g. 30m)",
      durationArg,
    )
    .option("--limit <n>", "at most this many", positiveInt, 100)
    .action(async (o: { status?: string; region?: string; olderThan?: number; limit: number }) => {
      const { adminUrl, json } = global();
      const now = Date.now();
      const rows = await reachable(adminUrl, () =>
        listOrders(adminUrl, { status: o.status, region: o.region, olderThanMs: o.olderThan, limit: o.limit }, now),
      );
      print(json, rows, () => renderOrders(rows, now));
    });

  p.command("order")
    .description("one order's full timeline, its Restate invocations and its trace (from Jaeger) as a waterfall")
    .argument("<id>", "order id")
    .option(
      "--jaeger-url <url>",
      "Jaeger's query API, for the order's trace (env JAEGER_QUERY_URL)",
      process.env.JAEGER_QUERY_URL || DEFAULT_JAEGER_URL,
    )
    .option("--no-trace", "leave the trace out (Jaeger is not asked)")
    .action(async (id: string, o: { jaegerUrl: string; trace: boolean }) => {
      const { adminUrl, json } = global();
      const detail = await reachable(adminUrl, () => orderDetail(adminUrl, id));
      const trace = o.trace && detail.order ? await readOrderTrace(detail.order.traceId, o.jaegerUrl) : undefined;
      // Bars fill the terminal; piped output gets COLUMNS or 120.
      const width = process.stdout.columns || Number(process.env.COLUMNS) || 120;
      print(json, trace ? { ...detail, trace } : detail, () =>
        [renderOrder(id, detail, Date.now()), ...(trace ? [renderOrderTrace(trace, width)] : [])].join("\n\n"),
      );
      if (!detail.order && !detail.invocations.length) process.exitCode = 1;
    });

  p.command("drivers")
    .description("drivers with status, region, current delivery and last sign of life; waiting deliveries per region")
    .argument("[region]", "only this region")
    .action(async (region: string | undefined) => {
      const { adminUrl, json } = global();
      const fleet = await reachable(adminUrl, () => listFleet(adminUrl, region));
      print(json, fleet, () => renderFleet(fleet, Date.now()));
    });

  p.command("deployments")
    .description(
      "the endpoint's Restate deployments (one per revision): current, or draining/drained with the unfinished invocations pinned to it",
    )
    .action(async () => {
      const { adminUrl, json } = global();
      const rows = await reachable(adminUrl, () => listDeployments(adminUrl));
      print(json, rows, () => renderDeployments(rows));
    });
  return p;
}

try {
  await program().parseAsync();
} catch (e) {
  console.error(`inspect: ${(e as Error).message}`);
  process.exitCode = 2;
}
