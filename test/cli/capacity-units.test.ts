import { describe, expect, it } from 'vitest';
import { itemSize } from '#core';
import { readUnits, writeUnits } from '../../cli/src/backfill.js';

/** An item of exactly `bytes` bytes as DynamoDB counts them (names + values). */
const itemOf = (bytes: number) => ({ pk: { S: 'k' }, v: { S: 'x'.repeat(bytes - 4) } });

describe('capacity units of a backfill page', () => {
  it('an item of exactly n bytes', () => {
    expect(itemSize(itemOf(1024))).toBe(1024);
  });

  it('writes: one unit per started KB of each item, at least one', () => {
    expect(writeUnits([itemOf(10)])).toBe(1);
    expect(writeUnits([itemOf(1024)])).toBe(1);
    expect(writeUnits([itemOf(1025)])).toBe(2);
    expect(writeUnits([itemOf(1025), itemOf(3000), itemOf(100)])).toBe(2 + 3 + 1);
  });

  it('reads: half a unit per started 4 KB of the page as a whole', () => {
    expect(readUnits([itemOf(100)])).toBe(0.5);
    expect(readUnits(Array.from({ length: 4 }, () => itemOf(1024)))).toBe(0.5);
    expect(readUnits(Array.from({ length: 5 }, () => itemOf(1024)))).toBe(1);
    expect(readUnits([])).toBe(0);
  });
});
