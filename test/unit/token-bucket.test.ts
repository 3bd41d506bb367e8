import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../lambda/src/token-bucket.js';

/** A clock that only moves when the bucket sleeps, so pacing is exact and load cannot skew it. */
function virtualClock(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
    elapsed: () => t - start,
    sleeps,
  };
}

describe('TokenBucket (backfill --rate and capacity limits)', () => {
  it('paces pages so that the average over a run is the rate, from the first page on', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(400, clock.now, clock.sleep);
    for (let page = 0; page < 40; page++) await bucket.take(50);
    // 2,000 items at 400 items/s: exactly 5 s, with no free burst at the start.
    expect(clock.elapsed()).toBeCloseTo(5_000, 6);
    expect(clock.sleeps).toHaveLength(40);
    for (const ms of clock.sleeps) expect(ms).toBeCloseTo(125, 6);
  });

  it('lets a page larger than a second of budget through whole, then waits off the debt', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(100, clock.now, clock.sleep);
    await bucket.take(250);
    expect(clock.elapsed()).toBeCloseTo(2_500, 6);
    await bucket.take(100);
    expect(clock.elapsed()).toBeCloseTo(3_500, 6);
  });

  it('saves at most one second of budget while idle, so a pause is not followed by a flood', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(200, clock.now, clock.sleep);
    clock.advance(60_000);
    // One second's worth (200 items) goes at once; the next 200 wait their full second.
    await bucket.take(200);
    expect(clock.sleeps).toEqual([]);
    await bucket.take(200);
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeCloseTo(1_000, 6);
  });

  it('serves concurrent callers (scan segments) in order, together at the rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(1_000, clock.now, clock.sleep);
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map((segment) => bucket.take(250).then(() => order.push(segment))),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(clock.elapsed()).toBeCloseTo(2_000, 6);
  });

  it('never waits without a rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(undefined, clock.now, clock.sleep);
    for (let i = 0; i < 10; i++) await bucket.take(1_000_000);
    expect(clock.sleeps).toEqual([]);
  });
});
