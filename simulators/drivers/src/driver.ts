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
import { sleep, type Publisher } from "@food-ordering/kit";

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
  ingress: Ingress;
  publisher: Publisher;
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
 * loop), drives to the restaurant and the customer reporting its location to Kafka every tick,
 * and reports pick-up and delivery. Restate or Kafka outages are ridden out with backoff; a
 * refusal (e.g. the delivery was reassigned while this app was away) drops that delivery.
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

  private get twin() {
    return this.opts.ingress.client(driverDigitalTwin, this.opts.id);
  }

  private bearer<I, O>(token: string) {
    return rpc.opts<I, O>({ headers: { authorization: `Bearer ${token}` } });
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
          work = await this.call("wait for work", () =>
            this.twin.waitForWork({ timeoutMs: this.opts.waitForWorkMs }, this.bearer(this.shiftToken)),
          );
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
    try {
      if (!alreadyPickedUp) {
        this.setState("TO_RESTAURANT");
        await this.driveTo(a.restaurantLocation);
        // Both reports are idempotent on the twin, so a retry after a lost answer is safe.
        await this.call("report pick-up", () =>
          this.twin.notifyDeliveryPickup({ deliveryId: a.deliveryId }, this.bearer(this.shiftToken)),
        );
        log.info(ctx, "picked up");
      }
      this.setState("TO_CUSTOMER");
      await this.driveTo(a.customerLocation);
      await this.call("report delivery", () =>
        this.twin.notifyDeliveryDelivered({ deliveryId: a.deliveryId }, this.bearer(this.shiftToken)),
      );
      log.info(ctx, "delivered");
      this.opts.onDelivered?.();
    } catch (e) {
      if (!isRefusal(e)) throw e;
      log.warn({ ...ctx, err: e.message }, "platform refused, dropping this delivery");
    }
  }

  private async driveTo(target: Location) {
    let lastReport: Promise<void> = Promise.resolve();
    while (!this.stopped && distanceKm(this.location, target) > 1e-9) {
      await sleep(this.opts.tickMs);
      this.location = stepTowards(this.location, target, this.opts.stepKm);
      // Not awaited per tick: the driver keeps driving while its report waits for the publisher's
      // batch. The arrival's report goes out at once and is awaited, so the platform sees where the
      // driver is (and the ETA) before pick-up or delivery is reported, without a linger's delay.
      const arrived = distanceKm(this.location, target) <= 1e-9;
      lastReport = this.publishLocation(arrived);
    }
    await lastReport;
  }

  private async publishLocation(urgent: boolean) {
    const event: DriverLocationEvent = {
      driverId: this.opts.id,
      region: this.opts.region,
      location: this.location,
      speedKmh: this.opts.speedKmh,
      timestamp: Date.now(),
    };
    try {
      await this.opts.publisher.publish(TOPICS.driverUpdates, [{ key: this.opts.id, value: event }], { urgent });
    } catch (e) {
      // A lost location report only delays the ETA; the drive goes on.
      this.opts.log.warn({ driverId: this.opts.id, err: (e as Error).message }, "location report failed");
    }
  }
}
