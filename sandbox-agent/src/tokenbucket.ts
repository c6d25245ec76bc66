// Client-side QPS/burst limiter for our own Kubernetes calls (client-node has none, unlike
// client-go). FIFO so a burst of creates cannot starve the reaper or lease renewals forever.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError('qps must be > 0 and burst >= 1');
    this.tokens = burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  /** Takes a token without waiting; false when the caller would have to wait. */
  tryTake(): boolean {
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** Resolves when a token is granted; returns the milliseconds spent waiting. */
  take(): Promise<number> {
    if (this.tryTake()) return Promise.resolve(0);
    const start = this.clock.now();
    return new Promise((resolve) => {
      this.queue.push(() => resolve(this.clock.now() - start));
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.refill();
    const deficit = Math.max(0, 1 - this.tokens);
    const delay = Math.ceil((deficit / this.qps) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.queue.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.queue.shift()?.();
      }
      if (this.queue.length > 0) this.schedule();
    }, delay);
  }
}
