import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { OrderStatusView } from "@food-ordering/contracts";
import { REPO_ROOT } from "@food-ordering/testkit";
import { freePort } from "@food-ordering/testkit";
import type { DeploymentRow, Fleet, OrderDetail, OrderRow } from "../../src/queries.ts";
import { closeProducer, makeOrder, publishOrder, waitForOrder } from "@food-ordering/testkit";

/** The inspection CLI, run as operators run it (a child process), against the shared stack. */

const run = promisify(execFile);
const stack = inject("stack");
const CLI = path.join(REPO_ROOT, "tools/inspect/src/cli.ts");

async function inspect(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, "--admin-url", stack.adminUrl, ...args], { cwd: REPO_ROOT });
  return stdout;
}

let delivered: OrderStatusView;

beforeAll(async () => {
  const order = makeOrder({ region: "amsterdam" });
  await publishOrder(stack, order);
  delivered = (await waitForOrder(stack, order.id)).final;
  expect(delivered.status).toBe("DELIVERED");
});
afterAll(closeProducer);

describe("inspect CLI against the shared stack", () => {
  it("order <id> prints the order's real timeline, in order, with its times", async () => {
    const out = await inspect("order", delivered.id);
    expect(out).toContain(`Order ${delivered.id}  DELIVERED`);
    const timeline = out.split("\nTimeline\n")[1]!.split("\n\n")[0]!.split("\n").slice(1); // rows after the header
    expect(timeline.map((l) => l.split(/\s+/)[2])).toEqual(delivered.timeline.map((t) => t.status));
    expect(timeline.map((l) => l.split(/\s+/)[0])).toEqual(delivered.timeline.map((t) => new Date(t.at).toISOString()));
  });

  it("order <id> lists the order's Restate invocations: its workflow run and every status change", async () => {
    const detail = JSON.parse(await inspect("--json", "order", delivered.id)) as OrderDetail;
    expect(detail.order?.timeline).toEqual(delivered.timeline);
    const handlers = detail.invocations.map((i) => i.handler);
    expect(handlers).toContain("order-workflow/run");
    expect(handlers).toContain("order-status/receive");
    // One setStatus per status after CREATED, each a completed invocation with a journal — except
    // that an order wanted at once records SCHEDULED and IN_PREPARATION with one message.
    const setStatus = detail.invocations.filter((i) => i.handler === "order-status/setStatus");
    expect(delivered.timeline[1]).toMatchObject({ status: "SCHEDULED", at: delivered.timeline[2]!.at });
    expect(setStatus.length).toBe(delivered.timeline.length - 2);
    for (const i of detail.invocations.filter((x) => x.handler !== "order-workflow/run")) {
      expect(i.status).toBe("completed:success");
      expect(i.journalSize).toBeGreaterThan(0);
    }
    const text = await inspect("order", delivered.id);
    expect(text).toMatch(new RegExp(`Restate invocations \\(${detail.invocations.length}\\)`));
    expect(text).toMatch(/order-workflow\/run\s+completed:success/);
  });

  it("orders lists the order with its status and age", async () => {
    const rows = JSON.parse(
      await inspect("--json", "orders", "--region", "amsterdam", "--status", "delivered", "--limit", "10000"),
    ) as OrderRow[];
    const row = rows.find((r) => r.id === delivered.id);
    expect(row).toMatchObject({ status: "DELIVERED", region: "amsterdam", createdAt: delivered.createdAt });
    expect(rows.every((r) => r.status === "DELIVERED" && r.region === "amsterdam")).toBe(true);
    const text = await inspect("orders", "--limit", "10000");
    expect(text.split("\n")[0]).toMatch(/^ORDER\s+STATUS\s+REGION\s+RESTAURANT\s+AGE\s+IN STATUS\s+CREATED$/);
    expect(text).toMatch(new RegExp(`${delivered.id}\\s+DELIVERED\\s+amsterdam`));
    // A delivered order is never "stuck", however old.
    const stuck = JSON.parse(
      await inspect("--json", "orders", "--older-than", "1ms", "--limit", "10000"),
    ) as OrderRow[];
    expect(stuck.map((r) => r.id)).not.toContain(delivered.id);
  });

  it("drivers amsterdam lists the region's drivers and its waiting deliveries", async () => {
    const fleet = JSON.parse(await inspect("--json", "drivers", "amsterdam")) as Fleet;
    expect(fleet.drivers.length).toBeGreaterThanOrEqual(4); // the shared stack runs 4 simulated drivers there
    expect(fleet.drivers.every((d) => d.region === "amsterdam")).toBe(true);
    expect(fleet.drivers.find((d) => d.driverId === delivered.driverId)).toBeDefined();
    expect(fleet.regions.map((r) => r.region)).toEqual(["amsterdam"]);
    const text = await inspect("drivers", "amsterdam");
    expect(text).toContain(delivered.driverId!);
    expect(text).toMatch(/^REGION\s+FREE DRIVERS\s+ROSTER\s+WAITING DELIVERIES$/m);
    expect(text).not.toMatch(/\sberlin\s/);
  });

  it("deployments shows the stack's endpoint as the current deployment of every platform service", async () => {
    const rows = JSON.parse(await inspect("--json", "deployments")) as DeploymentRow[];
    const endpoint = rows.find((r) => r.uri === new URL(stack.endpointUrl).href);
    expect(endpoint, JSON.stringify(rows)).toBeDefined();
    expect(endpoint!.state).toBe("current");
    expect(endpoint!.currentFor).toEqual([
      "catalog",
      "catalog-directory",
      "delivery-manager",
      "driver-delivery-matcher",
      "driver-digital-twin",
      "order-status",
      "order-workflow",
    ]);
    expect(Number.isInteger(endpoint!.pinned) && endpoint!.pinned >= 0).toBe(true);
    const text = await inspect("deployments");
    expect(text).toMatch(new RegExp(`^${endpoint!.id}\\s+current\\s+\\d+\\s+${endpoint!.uri}`, "m"));
  });

  it("fails with a clear message when Restate is unreachable", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    // orders reads through SQL, deployments through the registrar's admin client: both say the same.
    for (const command of ["orders", "deployments"]) {
      const err = await run(process.execPath, [CLI, "--admin-url", closed, command], { cwd: REPO_ROOT }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(err, command).toMatchObject({ code: 2 });
      expect((err as { stderr: string }).stderr, command).toContain(
        `cannot reach Restate's admin API at ${closed} (ECONNREFUSED)`,
      );
      expect((err as { stderr: string }).stderr, command).toContain(
        "kubectl port-forward svc/<release>-food-ordering-restate 9070",
      );
    }
  });
});
