import { describe, expect, it } from "vitest";
import { formatDuration, formatTime, parseDuration, table } from "../../src/format.ts";
import { deploymentRows, orderRow, selectOrders } from "../../src/queries.ts";
import { renderDeployments, renderFleet, renderOrder } from "../../src/render.ts";
import type { OrderStatusView } from "@food-ordering/contracts";

describe("inspect: durations, times and tables", () => {
  it("parses durations and rejects anything else", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("250ms")).toBe(250);
    for (const bad of ["", "5", "5x", "m5", "1h 30m", "30m!"])
      expect(() => parseDuration(bad), bad).toThrow(/not a duration/);
  });

  it("formats ages compactly at every scale", () => {
    expect(
      [850, 12_340, 245_000, 3 * 3600_000 + 12 * 60_000, 2 * 86_400_000 + 4 * 3600_000].map(formatDuration),
    ).toEqual(["850ms", "12.3s", "4m05s", "3h12m", "2d04h"]);
  });

  it("prints times as ISO UTC, and a dash for none", () => {
    expect(formatTime(0)).toBe("1970-01-01T00:00:00.000Z");
    expect(formatTime("2026-11-21T22:31:34.936Z")).toBe("2026-11-21T22:31:34.936Z");
    expect(formatTime(undefined)).toBe("-");
  });

  it("aligns columns to the widest cell", () => {
    expect(table(["A", "LONG HEADER"], [["wide cell", "x"]])).toBe("A          LONG HEADER\nwide cell  x");
  });
});

const view = (
  id: string,
  statuses: Array<[OrderStatusView["status"], number]>,
  region = "amsterdam",
): OrderStatusView => ({
  id,
  status: statuses.at(-1)![0],
  eta: null,
  region,
  timeline: statuses.map(([status, at]) => ({ status, at })),
  createdAt: statuses[0]![1],
});

describe("inspect: selecting orders", () => {
  const now = 10_000_000;
  const rows = [
    view("old-stuck", [
      ["CREATED", 1000],
      ["IN_PREPARATION", 2000],
    ]),
    view(
      "fresh",
      [
        ["CREATED", now - 5000],
        ["IN_PREPARATION", now - 1000],
      ],
      "berlin",
    ),
    view("done", [
      ["CREATED", 500],
      ["DELIVERED", 900],
    ]),
  ].map(orderRow);

  it("sorts newest first and filters by status, region and time in status", () => {
    expect(selectOrders(rows, {}, now).map((r) => r.id)).toEqual(["fresh", "old-stuck", "done"]);
    expect(selectOrders(rows, { status: "in_preparation" }, now).map((r) => r.id)).toEqual(["fresh", "old-stuck"]);
    expect(selectOrders(rows, { region: "berlin" }, now).map((r) => r.id)).toEqual(["fresh"]);
    // Finished orders are never "older than": only unfinished ones sit in a status.
    expect(selectOrders(rows, { olderThanMs: 60_000 }, now).map((r) => r.id)).toEqual(["old-stuck"]);
    expect(selectOrders(rows, { limit: 1 }, now).map((r) => r.id)).toEqual(["fresh"]);
  });
});

describe("inspect: rendering", () => {
  it("an order: header, timeline with offsets, invocations and their last failure", () => {
    const o = view("o-1", [
      ["CREATED", 0],
      ["SCHEDULED", 1500],
    ]);
    const text = renderOrder(
      "o-1",
      {
        order: o,
        invocations: [
          {
            id: "inv_1",
            target: "order-workflow/o-1/run",
            handler: "order-workflow/run",
            status: "backing-off",
            createdAt: "1970-01-01T00:00:00.000Z",
            modifiedAt: "1970-01-01T00:00:02.000Z",
            journalSize: 7,
            retryCount: 3,
            lastFailure: "[500] payment provider down",
          },
        ],
      },
      61_500,
    );
    expect(text).toContain("Order o-1  SCHEDULED  region amsterdam");
    expect(text).toMatch(/1970-01-01T00:00:01.500Z\s+\+1.5s\s+SCHEDULED/);
    expect(text).toContain("In SCHEDULED for 1m00s.");
    expect(text).toMatch(/order-workflow\/run\s+backing-off\s+\S+\s+\S+\s+7\s+3\s+inv_1/);
    expect(text).toContain("inv_1 last failure: [500] payment provider down");
  });

  it("an unknown order says so rather than printing an empty timeline", () => {
    expect(renderOrder("nope", { invocations: [] }, 0)).toMatch(
      /Order nope: no order-status state in Restate[\s\S]*Restate invocations \(0\)/,
    );
  });

  it("the fleet: drivers with their delivery and last sign of life, regions with their queue", () => {
    const text = renderFleet(
      {
        drivers: [
          {
            driverId: "d1",
            status: "DELIVERING",
            region: "amsterdam",
            deliveryId: "o-1",
            orderId: "o-1",
            lastSeen: 9000,
            deliveriesCompleted: 2,
          },
        ],
        regions: [{ region: "amsterdam", freeDrivers: 0, roster: 1, waitingDeliveries: ["o-2", "o-3"] }],
      },
      10_000,
    );
    expect(text).toMatch(/d1\s+DELIVERING\s+amsterdam\s+o-1\s+1.0s ago\s+2/);
    expect(text).toMatch(/amsterdam\s+0\s+1\s+2: o-2, o-3/);
  });
});

describe("inspect deployments", () => {
  const revisions = (...names: string[]) => names.map((name) => ({ name, revision: 1 }));
  const deployments = [
    {
      id: "dp_new",
      uri: "http://ep-2:9080/",
      created_at: "2026-11-22T10:00:00Z",
      services: revisions("order-workflow", "order-status"),
    },
    {
      id: "dp_old",
      uri: "http://ep-1:9080/",
      created_at: "2026-11-20T10:00:00Z",
      services: revisions("order-workflow", "order-status"),
    },
    {
      id: "dp_gone",
      uri: "http://ep-0:9080/",
      created_at: "2026-11-19T10:00:00Z",
      services: revisions("order-workflow"),
    },
  ];
  const latest = [
    { name: "order-workflow", deployment_id: "dp_new" },
    { name: "order-status", deployment_id: "dp_new" },
  ];

  it("tells the current revision from one still draining and one drained, oldest first", () => {
    const rows = deploymentRows(deployments, latest, { dp_old: 3 });
    expect(rows.map((r) => [r.id, r.state, r.pinned, r.currentFor.join(",")])).toEqual([
      ["dp_gone", "drained", 0, ""],
      ["dp_old", "draining", 3, ""],
      ["dp_new", "current", 0, "order-status,order-workflow"],
    ]);
    // A deployment that is still the latest for any one service is current, whatever is pinned to it.
    expect(
      deploymentRows(
        deployments,
        [
          { name: "order-workflow", deployment_id: "dp_new" },
          { name: "order-status", deployment_id: "dp_old" },
        ],
        { dp_old: 3 },
      )[1],
    ).toMatchObject({ id: "dp_old", state: "current", currentFor: ["order-status"] });
  });

  it("renders a table, and says so when nothing is registered", () => {
    const text = renderDeployments(deploymentRows(deployments, latest, { dp_old: 3 }));
    expect(text.split("\n")[0]).toMatch(/^DEPLOYMENT\s+STATE\s+PINNED\s+URI\s+CREATED\s+CURRENT FOR$/);
    expect(text).toMatch(/dp_old\s+draining\s+3\s+http:\/\/ep-1:9080\/\s+2026-11-20T10:00:00.000Z\s+-/);
    expect(renderDeployments([])).toBe("No deployments registered.");
  });
});
