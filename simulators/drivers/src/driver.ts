import type { Logger } from "pino";
import { HttpCallError, rpc, type Ingress } from "@restatedev/restate-sdk-clients";
import {
  driverDigitalTwin,
  stepTowards,
  distanceKm,
  TOPICS,
  type DeliveryAssignment,
  type DriverLocationEvent,
  type Location,
} from "@food-ordering/contracts";
import { NO_TRACING, publishTraced, sleep, traceHeaders, type Publisher, type Tracing } from "@food-ordering/kit";
import { afterReport, etaFrom, reportsFix, type ReportRules, type ReportState } from "./reports.ts";

export type SimState = "STARTING" | "IDLE" | "TO_RESTAURANT" | "TO_CUSTOMER" | "STOPPED";

export interface DriverOptions {
  id: string;
  /** The driver's enrollment credential (driverCredential of its id), shown to go on shift. */
  credential: string;
  region: string;
  start: Location;
  /** Map km moved per tick. */
  stepKm: number;
  /** Reported speed: map km per real hour. */
  speedKmh: number;
  tickMs: number;
  waitForWorkMs: number;
  /** When a fix also goes to the twin (driver-reports): the trip left the plan. */
  reportRules: ReportRules;
  ingress: Ingress;
  publisher: Publisher;
  /** Spans for a delivery's reports, in the order's trace (the assignment's traceparent). */
  tracing?: Tracing;
  log: Logger;
  onState?: (from: SimState, to: SimState) => void;
  onDelivered?: () => void;
}

/** A 4xx answer from the platform: the request was understood and refused. */
/**
 * Restate answers 404 "service ... not found" until the services are registered: in Kubernetes
 * the driver pods start before the registrar's hook Job has run. That is the platform not being
 * ready yet, to be waited out like an outage, not a refusal.
 */
const notRegisteredYet = (e: HttpCallError) =>
  e.status === 404 && /service '[^']+' not found/.test(e.responseText ?? "");
const isRefusal = (e: unknown): e is HttpCallError =>
  e instanceof HttpCallError && e.status >= 400 && e.status < 500 && !notRegisteredYet(e);

/**
 * One simulated driver app: goes on shift, long-polls its digital twin for work (no polling
 * loop; the poll says where the driver waits), drives to the restaurant and the customer
 * publishing every GPS fix to Kafka (`driver-updates`) and to its twin only the fixes it needs
 * (`driver-reports`, reports.ts), and reports pick-up and delivery. While it delivers, its fixes
 * are its sign of life (the platform's lease watcher follows them): they name the order, go on
 * while the app waits for the platform, and the first one after the delivery names none. Restate
 * or Kafka outages are ridden out with backoff; a refusal (e.g. the delivery was reassigned while
 * this app was away) drops that delivery.
 */
export class SimulatedDriver {
  readonly opts: DriverOptions;
  location: Location;
  state: SimState = "STARTING";
  private stopped = false;

  constructor(opts: DriverOptions) {
    this.opts = opts;
    this.location = opts.start;
  }

  stop() {
    this.stopped = true;
  }

  /** The token of the current shift: every call but going on shift carries it. */
  private shiftToken = "";
  /** The delivery under way, as far as reports go. */
  private trip: ReportState | undefined;

  private get twin() {
    return this.opts.ingress.client(driverDigitalTwin, this.opts.id);
  }

  private bearer<I, O>(token: string, traceparent?: string) {
    return rpc.opts<I, O>({ headers: { authorization: `Bearer ${token}`, ...traceHeaders(traceparent) } });
  }

  /**
   * Reports a step of a delivery in a span of the order's trace; the call carries the span's
   * context (or, tracing off, the order's as assigned), so the platform's handling joins the trace.
   */
  private reportStep<T>(what: string, a: DeliveryAssignment, fn: (traceparent?: string) => Promise<T>): Promise<T> {
    const attributes = { "order.id": a.orderId, "driver.id": this.opts.id, "delivery.id": a.deliveryId };
    return (this.opts.tracing ?? NO_TRACING).span(what, { kind: "client", parent: a.traceparent, attributes }, (span) =>
      this.stillReporting(() => this.call(what, () => fn(span.traceparent ?? a.traceparent))),
    );
  }

  /** Runs `fn` while the GPS goes on: a fix per tick, so waiting on the platform never reads as a vanished app. */
  private async stillReporting<T>(fn: () => Promise<T>): Promise<T> {
    const gps = setInterval(() => void this.publishFix(), this.opts.tickMs);
    try {
      return await fn();
    } finally {
      clearInterval(gps);
    }
  }

  /** Goes on shift with the enrollment credential; the answer's token is this shift's. */
  private async goOnShift() {
    const { region } = this.opts;
    const r = await this.call("go on shift", () =>
      this.twin.setDriverAvailable({ region }, this.bearer(this.opts.credential)),
    );
    this.shiftToken = r.shiftToken;
    return r;
  }

  private setState(s: SimState) {
    if (s === this.state) return;
    this.opts.onState?.(this.state, s);
    this.state = s;
  }

  /** Calls the platform until it answers; network errors and 5xx are retried with backoff. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    for (let wait = 250; ; wait = Math.min(wait * 2, 5000)) {
      try {
        return await fn();
      } catch (e) {
        if (isRefusal(e) || this.stopped) throw e;
        this.opts.log.warn({ driverId: this.opts.id, err: (e as Error).message }, `${what} failed, retrying`);
        await sleep(wait);
      }
    }
  }

  async run(): Promise<void> {
    const { log, id: driverId, region } = this.opts;
    let resume = await this.goOnShift();
    log.info({ driverId, region, resuming: resume.assignment?.deliveryId }, "driver on shift");
    while (!this.stopped) {
      let work: DeliveryAssignment | null;
      let pickedUp = false;
      if (resume.assignment) {
        ({ assignment: work, pickedUp } = resume);
        resume = { ...resume, assignment: null, pickedUp: false };
      } else {
        this.setState("IDLE");
        try {
          const poll = { timeoutMs: this.opts.waitForWorkMs, location: this.location, speedKmh: this.opts.speedKmh };
          work = await this.call("wait for work", () => this.twin.waitForWork(poll, this.bearer(this.shiftToken)));
        } catch (e) {
          if (this.stopped) break;
          // 409: the twin took us off shift (lease expired while we could not reach it); 403: the
          // token is of an earlier shift (the twin was put on shift again elsewhere). Rejoin.
          log.warn({ driverId, err: (e as Error).message }, "not on shift, rejoining");
          resume = await this.goOnShift();
          continue;
        }
      }
      if (work) await this.deliver(work, pickedUp);
    }
    this.setState("STOPPED");
  }

  private async deliver(a: DeliveryAssignment, alreadyPickedUp: boolean) {
    const { log, id: driverId } = this.opts;
    const ctx = { driverId, deliveryId: a.deliveryId, orderId: a.orderId, region: a.region };
    const now = Date.now();
    const trip = { assignment: a, pickedUp: alreadyPickedUp, speedKmh: this.opts.speedKmh };
    // A new assignment's ETA was computed from this app's poll (where it waited, now); a resumed
    // delivery's is unknown to the app, so its first fix is reported.
    this.trip = { ...trip, plannedEta: alreadyPickedUp ? undefined : etaFrom(trip, this.location, now) };
    try {
      if (!alreadyPickedUp) {
        this.setState("TO_RESTAURANT");
        await this.driveTo(a.restaurantLocation);
        // Both reports are idempotent on the twin, so a retry after a lost answer is safe.
        await this.reportStep("report pick-up", a, (tp) =>
          this.twin.notifyDeliveryPickup({ deliveryId: a.deliveryId }, this.bearer(this.shiftToken, tp)),
        );
        log.info(ctx, "picked up");
        this.trip = { ...this.trip, pickedUp: true };
      }
      this.setState("TO_CUSTOMER");
      await this.driveTo(a.customerLocation);
      await this.reportStep("report delivery", a, (tp) =>
        this.twin.notifyDeliveryDelivered({ deliveryId: a.deliveryId }, this.bearer(this.shiftToken, tp)),
      );
      log.info(ctx, "delivered");
      this.opts.onDelivered?.();
    } catch (e) {
      if (!isRefusal(e)) throw e;
      log.warn({ ...ctx, err: e.message }, "platform refused, dropping this delivery");
    } finally {
      this.trip = undefined;
      // The first fix without the order: the lease watcher stops following this trip.
      await this.publishFix();
    }
  }

  private async driveTo(target: Location) {
    let lastReport: Promise<void> = Promise.resolve();
    let at = Date.now();
    while (!this.stopped && distanceKm(this.location, target) > 1e-9) {
      // The driver moves at its speed for the time that passed (a late timer on a busy machine
      // does not slow it down), and the last move of a leg takes only its share of a tick: so it
      // keeps the speed the ETA assumes, and a steady trip reads as no deviation.
      const share = Math.min(1, distanceKm(this.location, target) / this.opts.stepKm);
      await sleep(this.opts.tickMs * share);
      const now = Date.now();
      this.location = stepTowards(this.location, target, (this.opts.speedKmh * (now - at)) / 3_600_000);
      at = now;
      // Not awaited per tick: the driver keeps driving while its fix waits for the publisher's batch.
      lastReport = this.publishFix();
    }
    await lastReport;
  }

  /** Every fix to the GPS stream (lossy: the map's next fix replaces it); some also to the twin. */
  private async publishFix() {
    const now = Date.now();
    const fix: DriverLocationEvent = {
      driverId: this.opts.id,
      region: this.opts.region,
      location: this.location,
      speedKmh: this.opts.speedKmh,
      timestamp: now,
      ...(this.trip && { orderId: this.trip.assignment.orderId }),
    };
    const report = !!this.trip && reportsFix(this.trip, this.location, now, this.opts.reportRules);
    if (this.trip && report) this.trip = afterReport(this.trip, this.location, now);
    const message = (value: DriverLocationEvent) => [{ key: this.opts.id, value }];
    await Promise.all([
      this.publish(TOPICS.driverUpdates, message(fix)),
      // A report during a delivery (what the platform acts on) joins the order's trace.
      report &&
        this.publish(TOPICS.driverReports, message({ ...fix, report: "deviation" }), this.trip?.assignment.traceparent),
    ]);
  }

  private async publish(topic: string, messages: Array<{ key: string; value: DriverLocationEvent }>, trace?: string) {
    try {
      if (trace)
        await publishTraced(
          this.opts.tracing ?? NO_TRACING,
          this.opts.publisher,
          topic,
          messages.map((m) => ({ ...m, parent: trace })),
        );
      else await this.opts.publisher.publish(topic, messages);
    } catch (e) {
      // A lost fix only delays the map or an ETA (the lease watcher takes the next); the drive goes on.
      this.opts.log.warn({ driverId: this.opts.id, topic, err: (e as Error).message }, "location fix failed");
    }
  }
}
