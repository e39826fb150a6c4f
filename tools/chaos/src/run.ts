import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import * as clients from "@restatedev/restate-sdk-clients";
import { orderWorkflow, signOrderEvent, type OrderStatusView, type DriverView } from "@food-ordering/contracts";
import { FAST_TIME_SCALE, Stack, REPO_ROOT } from "@food-ordering/stack";
import { stateOf } from "@food-ordering/inspect";
import { audit, summaryLine, type AuditReport, type LedgerEntry } from "./audit.ts";

/** How long a run waits, by default, for its last orders to finish after the load. */
export const DEFAULT_DRAIN_MS = 180_000;

export interface ChaosOptions {
  durationS: number;
  rate: number;
  regions: string[];
  driversPerRegion: number;
  dataDir?: string;
  /** How long to wait for every order to finish once the load stops (default DEFAULT_DRAIN_MS). */
  drainTimeoutMs?: number;
  /** Fraction of scheduled orders the simulated customers try to cancel. */
  cancelFraction?: number;
  log?: (s: string) => void;
}

/** How long a probe order may take to be CREATED after a restart before the run goes on without it. */
const RECOVERY_WAIT_MS = 120_000;

export interface FaultResult {
  fault: string;
  downMs: number;
  /**
   * From the kill until a probe order published after the restart was CREATED; null when that
   * took longer than RECOVERY_WAIT_MS (the probe queued behind a backlog: an offered rate above
   * what the machine sustains). The run goes on either way, and the audit still decides.
   */
  recoveryMs: number | null;
}

export interface ChaosReport extends AuditReport {
  faults: FaultResult[];
  cancelRequests: number;
  cancelAccepted: number;
  drainMs: number;
  durationS: number;
  rate: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Fault injection on a stack of its own: the order provider publishes at `rate` over the regions
 * while restate-server, the service endpoint, the Kafka broker and one region's driver simulator
 * are SIGKILLed and restarted in turn; customers cancel some scheduled orders. Then the load
 * stops, every order is awaited, and the books are audited from Restate state and the payment
 * provider's ledger.
 */
/** A stack shaped for fault injection: several regions, short driver leases, a provider that logs what Kafka acknowledged. */
export async function startChaosStack(
  o: Pick<ChaosOptions, "regions" | "driversPerRegion" | "dataDir" | "log">,
): Promise<Stack> {
  const dataDir = o.dataDir ?? path.join(REPO_ROOT, ".data", `chaos-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  o.log?.(`chaos: starting a stack in ${dataDir}`);
  return await Stack.start({
    dataDir,
    freePorts: true,
    webui: false,
    regions: o.regions.map((name) => ({ name, drivers: o.driversPerRegion })),
    timeScale: FAST_TIME_SCALE,
    // Coarse ticks keep location events (one invocation each) cheap: 2 s moves 10 km at 600x.
    tickMs: 2000,
    providerRate: 0,
    // Short leases and polls: a killed driver simulator's deliveries go back within 25 s, and its
    // idle drivers, refused at their next match once their poll ended a lease ago, soon after.
    env: { LOG_LEVEL: "info", DRIVER_LEASE_MS: "25000", WAIT_FOR_WORK_MS: "10000" },
    componentEnv: {
      provider: {
        PUBLISHED_LOG_FILE: path.join(dataDir, "published.txt"),
        MAX_DELIVERY_DELAY_MS: "4000",
        DECLINED_FRACTION: "0.03",
      },
    },
  });
}

/** The fault run itself, on a stack from startChaosStack (it may have served other tests before). */
export async function runChaosOn(stack: Stack, o: ChaosOptions): Promise<ChaosReport> {
  const say = o.log ?? (() => {});
  const publishedLog = path.join(stack.info.dataDir, "published.txt");
  const info = stack.info;
  const ingress = clients.connect({ url: info.ingressUrl });
  const setRate = (rate: number) =>
    fetch(`${info.providerUrl}/rate`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rate }),
    });
  const faults: FaultResult[] = [];
  let cancelRequests = 0;
  let cancelAccepted = 0;
  let stopCancels = false;
  let loadTimer: NodeJS.Timeout | undefined;
  try {
    await setRate(o.rate);
    const started = Date.now();
    // The load lasts durationS whatever happens: a slow recovery must not stretch it (and the backlog).
    loadTimer = setTimeout(() => void setRate(0).catch(() => {}), o.durationS * 1000);
    // Customers: every second, try to cancel a few recent orders (some still SCHEDULED, some too late).
    const canceller = (async () => {
      let seen = 0;
      while (!stopCancels) {
        await sleep(1000);
        const orders = readPublished(publishedLog);
        const fresh = orders.slice(seen);
        seen = orders.length;
        // Each customer shows the capability the provider handed out with the order (probes have none).
        for (const { id, capability } of fresh.filter(
          (p) => p.capability && Math.random() < (o.cancelFraction ?? 0.05),
        )) {
          cancelRequests++;
          try {
            const r = await ingress.client(orderWorkflow, id).cancel({ reason: "chaos customer", capability });
            if (r.cancelled) cancelAccepted++;
          } catch {
            // Unknown yet (still in Kafka) or a component is down: a customer gives up.
          }
        }
      }
    })();

    const killList: Array<{ name: string; proc: string; downMs: number }> = [
      { name: "service endpoint", proc: "endpoint", downMs: 2000 },
      { name: "restate-server", proc: "restate", downMs: 3000 },
      { name: "Kafka broker", proc: "kafka", downMs: 4000 },
      { name: `driver simulator (${o.regions[0]})`, proc: `drivers-${o.regions[0]}`, downMs: 8000 },
    ];
    const slot = (o.durationS * 1000) / (killList.length + 1);
    for (const [i, k] of killList.entries()) {
      await sleep(Math.max(0, started + slot * (i + 1) - Date.now()));
      say(`chaos: SIGKILL ${k.name}`);
      const t = Date.now();
      const p = stack.process(k.proc);
      await p.kill();
      await sleep(k.downMs);
      await p.start();
      const probe = `probe-${randomUUID().slice(0, 8)}`;
      await publishProbe(info.kafkaBrokers, info.credentials.orderSigningKey, probe);
      fs.appendFileSync(publishedLog, `${probe}\n`);
      const flowing = await waitUntil(async () => {
        const s = await fetch(`${info.ingressUrl}/order-status/${probe}/get`, { method: "POST" })
          .then((r) => (r.ok ? (r.json() as Promise<OrderStatusView>) : undefined))
          .catch(() => undefined);
        return !!s && s.status !== "NEW";
      }, RECOVERY_WAIT_MS);
      faults.push({ fault: k.name, downMs: k.downMs, recoveryMs: flowing ? Date.now() - t : null });
      say(
        flowing
          ? `chaos: ${k.name} back; orders flowing again ${Date.now() - t} ms after the kill`
          : `chaos: ${k.name} back, but the probe order was not CREATED within ${RECOVERY_WAIT_MS / 1000} s (queued behind the backlog); going on`,
      );
    }
    await sleep(Math.max(0, started + o.durationS * 1000 - Date.now()));
    clearTimeout(loadTimer);
    await setRate(0);
    stopCancels = true;
    await canceller;

    // Drain: wait until every published order is terminal (or the deadline passes).
    const drainStart = Date.now();
    const published = readPublished(publishedLog).map((p) => p.id);
    say(`chaos: load stopped after ${published.length} orders; waiting for them to finish`);
    let report = await collect(stack, published);
    while (report.unfinished + report.lost > 0 && Date.now() - drainStart < (o.drainTimeoutMs ?? DEFAULT_DRAIN_MS)) {
      await sleep(2000);
      report = await collect(stack, published);
    }
    return {
      ...report,
      faults,
      cancelRequests,
      cancelAccepted,
      drainMs: Date.now() - drainStart,
      durationS: o.durationS,
      rate: o.rate,
    };
  } finally {
    clearTimeout(loadTimer);
    stopCancels = true;
    await setRate(0).catch(() => {});
  }
}

async function collect(stack: Stack, published: string[]): Promise<AuditReport> {
  const { adminUrl, paymentUrl } = stack.info;
  const [orders, drivers, deliveries, ledger] = await Promise.all([
    stateOf<OrderStatusView>(adminUrl, "order-status", "order"),
    stateOf<DriverView>(adminUrl, "driver-digital-twin", "driver"),
    stateOf<{ status: string }>(adminUrl, "delivery-manager", "delivery"),
    fetch(`${paymentUrl}/ledger`).then((r) => r.json() as Promise<LedgerEntry[]>),
  ]);
  const finished = new Set([...deliveries].filter(([, d]) => d.status === "DELIVERED").map(([id]) => id));
  return audit({ published, orders, ledger, drivers, finishedDeliveries: finished });
}

/** The provider's log of acknowledged orders: `<id> <cancel capability>` per line (a probe: just its id). */
function readPublished(file: string): Array<{ id: string; capability?: string }> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [id = "", capability] = line.split(" ");
      return { id, capability };
    });
}

/** Polls until `check` holds (true) or the time is up (false). */
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) return false;
    await sleep(200);
  }
  return true;
}

async function publishProbe(brokers: string[], signingKey: string, id: string) {
  const { Kafka, Partitioners, logLevel } = await import("kafkajs");
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 20 } }).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    const order = {
      id,
      restaurantId: "ams-pizzeria",
      region: "amsterdam",
      products: [{ productId: "ams-pz-1", quantity: 1 }],
      totalCost: 950,
      deliveryDelay: 0,
      source: "chaos-probe",
    };
    const value = signOrderEvent(signingKey, id, JSON.stringify(order));
    await producer.send({ topic: "orders", acks: -1, messages: [{ key: id, value }] });
  } finally {
    await producer.disconnect();
  }
}

export function formatReport(r: ChaosReport): string {
  const lines = [
    `Chaos run: ${r.durationS} s at ${r.rate} orders/s`,
    `  charges ${r.charges}, refunds ${r.refunds}, cancel requests ${r.cancelRequests} (${r.cancelAccepted} accepted), drain ${(r.drainMs / 1000).toFixed(1)} s`,
    ...r.faults.map(
      (f) =>
        `  ${f.fault.padEnd(34)} down ${f.downMs} ms, ${f.recoveryMs === null ? `not flowing within ${RECOVERY_WAIT_MS / 1000} s (backlog)` : `recovered ${f.recoveryMs} ms after the kill`}`,
    ),
    ...r.problems.slice(0, 20).map((p) => `  problem: ${p}`),
    summaryLine(r),
  ];
  return lines.join("\n");
}
