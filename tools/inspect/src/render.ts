import { isTerminal } from "@food-ordering/contracts";
import { formatDuration, formatTime, table } from "./format.ts";
import type { DeploymentRow, Fleet, OrderDetail, OrderRow } from "./queries.ts";

/** The CLI's text output for each command; `now` is a parameter so tests can pin ages. */

const ago = (t: number | undefined, now: number) => (t === undefined ? "-" : formatDuration(now - t));

export function renderOrders(rows: OrderRow[], now: number): string {
  if (!rows.length) return "No orders.";
  return table(
    ["ORDER", "STATUS", "REGION", "RESTAURANT", "AGE", "IN STATUS", "CREATED"],
    rows.map((r) => [
      r.id,
      r.status,
      r.region ?? "-",
      r.restaurantId ?? "-",
      ago(r.createdAt, now),
      ago(r.statusSince, now),
      formatTime(r.createdAt),
    ]),
  );
}

export function renderOrder(id: string, d: OrderDetail, now: number): string {
  const out: string[] = [];
  const o = d.order;
  if (o) {
    const facts = [
      o.region && `region ${o.region}`,
      o.restaurantId && `restaurant ${o.restaurantId}`,
      o.driverId && `driver ${o.driverId}`,
    ]
      .filter(Boolean)
      .join("  ");
    out.push(`Order ${o.id}  ${o.status}${facts ? `  ${facts}` : ""}`);
    if (o.rejectionReason) out.push(`Rejected: ${o.rejectionReason}`);
    if (o.eta && o.status !== "DELIVERED") out.push(`ETA ${formatTime(o.eta)}`);
    const start = o.timeline[0]?.at;
    out.push(
      "",
      "Timeline",
      table(
        ["TIME", "+SINCE START", "STATUS", "DETAIL"],
        o.timeline.map((t) => [
          formatTime(t.at),
          `+${formatDuration(t.at - (start ?? t.at))}`,
          t.status,
          t.detail ?? "",
        ]),
      ),
    );
    if (!o.timeline.length) out.push("(no status recorded yet)");
    else if (!isTerminal(o.status)) out.push(`In ${o.status} for ${ago(o.timeline.at(-1)?.at, now)}.`);
  } else {
    out.push(`Order ${id}: no order-status state in Restate (never created, or rejected before its id could be read).`);
  }
  out.push("", `Restate invocations (${d.invocations.length})`);
  if (d.invocations.length) {
    out.push(
      table(
        ["HANDLER", "STATUS", "CREATED", "MODIFIED", "JOURNAL", "RETRIES", "ID"],
        d.invocations.map((i) => [
          i.handler,
          i.status,
          formatTime(i.createdAt),
          formatTime(i.modifiedAt),
          String(i.journalSize ?? "-"),
          String(i.retryCount ?? "-"),
          i.id,
        ]),
      ),
    );
    for (const i of d.invocations.filter((x) => x.lastFailure)) out.push(`  ${i.id} last failure: ${i.lastFailure}`);
  } else {
    out.push("(none kept: completed invocations are kept for the journal retention only)");
  }
  return out.join("\n");
}

export function renderFleet(f: Fleet, now: number): string {
  const drivers = f.drivers.length
    ? table(
        ["DRIVER", "STATUS", "REGION", "DELIVERY", "LAST SEEN", "DELIVERED"],
        f.drivers.map((d) => [
          d.driverId,
          d.status,
          d.region ?? "-",
          d.deliveryId ?? "-",
          d.lastSeen ? `${ago(d.lastSeen, now)} ago` : "-",
          String(d.deliveriesCompleted),
        ]),
      )
    : "No drivers.";
  const regions = f.regions.length
    ? table(
        ["REGION", "FREE DRIVERS", "ROSTER", "WAITING DELIVERIES"],
        f.regions.map((r) => [
          r.region,
          String(r.freeDrivers),
          String(r.roster),
          r.waitingDeliveries.length ? `${r.waitingDeliveries.length}: ${r.waitingDeliveries.join(", ")}` : "0",
        ]),
      )
    : "No regions with a matcher yet.";
  return `${drivers}\n\n${regions}`;
}

export function renderDeployments(rows: DeploymentRow[]): string {
  if (!rows.length) return "No deployments registered.";
  return table(
    ["DEPLOYMENT", "STATE", "PINNED", "URI", "CREATED", "CURRENT FOR"],
    rows.map((r) => [
      r.id,
      r.state,
      String(r.pinned),
      r.uri,
      formatTime(r.createdAt),
      r.currentFor.length ? r.currentFor.join(", ") : "-",
    ]),
  );
}
