/**
 * Emits work at a rate that can change at any time: every tick it releases the orders due since
 * the last tick (fractional remainders carry over, so 0.2/s means one order every 5 s).
 */
export class Pacer {
  private rate: number;
  private credit = 0;
  private last = Date.now();
  private timer?: NodeJS.Timeout;
  private busy = false;
  private readonly emit: (n: number) => Promise<void>;
  private readonly tickMs: number;

  constructor(rate: number, emit: (n: number) => Promise<void>, tickMs = 100) {
    this.rate = rate;
    this.emit = emit;
    this.tickMs = tickMs;
  }

  get currentRate(): number {
    return this.rate;
  }

  setRate(rate: number) {
    this.rate = rate;
    this.credit = Math.min(this.credit, 1);
  }

  start() {
    this.last = Date.now();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
  }

  stop() {
    clearInterval(this.timer);
  }

  private async tick() {
    const now = Date.now();
    this.credit += ((now - this.last) / 1000) * this.rate;
    this.last = now;
    // While a publish is still out (e.g. Kafka is down), the credit accrues but is capped at 1 s worth.
    this.credit = Math.min(this.credit, Math.max(1, this.rate));
    if (this.busy || this.credit < 1) return;
    const n = Math.floor(this.credit);
    this.credit -= n;
    this.busy = true;
    try {
      await this.emit(n);
    } finally {
      this.busy = false;
    }
  }
}
