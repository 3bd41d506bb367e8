import { sleep as realSleep } from './backoff.js';

/**
 * Limits items per second. Starts empty and lets a caller take more than is there,
 * then makes it wait off the debt: over any run the average stays at the rate, and a
 * page is never split. `rate` undefined means no limit.
 */
export class TokenBucket {
  private tokens = 0;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: number | undefined,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = realSleep,
  ) {
    this.last = now();
  }

  /** Resolves when `count` items may go; callers are served in order. */
  take(count: number): Promise<void> {
    const rate = this.rate;
    if (rate === undefined) return Promise.resolve();
    const turn = this.queue.then(async () => {
      const t = this.now();
      this.tokens = Math.min(rate, this.tokens + ((t - this.last) / 1000) * rate);
      this.last = t;
      this.tokens -= count;
      if (this.tokens < 0) await this.sleep((-this.tokens / rate) * 1000);
    });
    this.queue = turn;
    return turn;
  }
}
