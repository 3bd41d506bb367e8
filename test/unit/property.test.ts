/**
 * The replicator's central promise, checked on generated histories: whatever the
 * batching, throttling, unprocessed items, refused writes and deadlines, once the
 * stream is drained every target holds exactly the source's items (minus excluded
 * attributes and skipped TTL deletes), byte for byte; and a partially failed batch
 * never reports a sequence number past a record that was not applied.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toEventImage } from '../../lambda/src/lambda-event.js';
import { replicateBatch } from '../../lambda/src/replicate.js';
import type { StreamRecord } from '../../lambda/src/stream-records.js';
import { canonicalItem, itemAttributes, ownRecord } from './arbitraries.js';
import { FakeClock, FakeTable, type StoredItem, seededRandom } from './fake-table.js';
import { streamRecord } from './records.js';

/** What the generated runs exercised, so the property cannot pass vacuously. */
let seen = { partialBatches: 0, retriedWrites: 0, deletes: 0, resumedMidBatch: 0 };

const KEYS = ['alpha', 'beta', 'gamma', 'δέλτα', 'e', 'f'];

type Op =
  | { kind: 'put'; key: string; attrs: Record<string, AttributeValue> }
  | { kind: 'delete'; key: string; ttl: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key: fc.constantFrom(...KEYS),
      attrs: itemAttributes,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key: fc.constantFrom(...KEYS),
      attrs: itemAttributes.map((a) => ({ ...a, secret: { S: 'hide me' } })),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('delete' as const),
      key: fc.constantFrom(...KEYS),
      ttl: fc.boolean(),
    }),
    weight: 2,
  },
);

interface Scenario {
  ops: Op[];
  /** Digits of the first sequence number: histories cross a power of ten (…999 → 1000…). */
  seqDigits: number;
  seqSteps: number[];
  batchSizes: number[];
  targets: { seed: number; faultRate: number }[];
  budgetMs: number;
  excludeSecret: boolean;
  skipTtlDeletes: boolean;
  maxConcurrency: number;
}

const scenario = (targetCount: number): fc.Arbitrary<Scenario> =>
  fc.record({
    ops: fc.array(op, { minLength: 1, maxLength: 40, size: 'medium' }),
    seqDigits: fc.integer({ min: 2, max: 39 }),
    seqSteps: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 8 }),
    batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
    targets: fc.array(
      fc.record({ seed: fc.integer(), faultRate: fc.integer({ min: 0, max: 60 }).map((p) => p / 100) }),
      { minLength: targetCount, maxLength: targetCount },
    ),
    budgetMs: fc.integer({ min: 5, max: 3_000 }),
    excludeSecret: fc.boolean(),
    skipTtlDeletes: fc.boolean(),
    maxConcurrency: fc.integer({ min: 1, max: 4 }),
  });

/** The source table's history as the stream records DynamoDB writes for it. */
function toStream(s: Scenario): StreamRecord[] {
  const source = new Map<string, Record<string, AttributeValue>>();
  const records: StreamRecord[] = [];
  let seq = 10n ** BigInt(s.seqDigits) - BigInt(s.ops.length * 200);
  if (seq < 1n) seq = 1n;
  for (const o of s.ops) {
    const keys = { pk: { S: o.key } };
    const old = source.get(o.key);
    seq += BigInt(s.seqSteps[records.length % s.seqSteps.length] as number);
    if (o.kind === 'put') {
      const item = ownRecord<AttributeValue>([
        ...Object.entries(o.attrs).filter(([n]) => n !== 'pk'),
        ['pk', keys.pk],
      ]);
      source.set(o.key, item);
      records.push(
        streamRecord({
          seq: String(seq),
          name: old ? 'MODIFY' : 'INSERT',
          keys: toEventImage(keys),
          newImage: toEventImage(item),
          ...(old ? { oldImage: toEventImage(old) } : {}),
        }),
      );
    } else if (old) {
      // Deleting an absent item writes no stream record.
      source.delete(o.key);
      records.push(
        streamRecord({
          seq: String(seq),
          name: 'REMOVE',
          keys: toEventImage(keys),
          oldImage: toEventImage(old),
          ttl: o.ttl,
        }),
      );
    }
  }
  // What Lambda hands over is JSON.
  return JSON.parse(JSON.stringify(records));
}

const pkOf = (r: StreamRecord): string => (r.dynamodb as { Keys: { pk: { S: string } } }).Keys.pk.S;

type TableState = ReadonlyMap<string, StoredItem>;

/** The target's expected state after each prefix of the stream, applied one record at a time. */
function expectedStates(
  records: StreamRecord[],
  exclude: ReadonlySet<string>,
  skipTtl: boolean,
): TableState[] {
  const states: TableState[] = [new Map()];
  let state = new Map<string, StoredItem>();
  for (const r of records) {
    state = new Map(state);
    const pk = pkOf(r);
    const ttl = (r.userIdentity as { type?: string } | undefined)?.type === 'Service';
    if (r.eventName === 'REMOVE') {
      if (!(skipTtl && ttl)) state.delete(pk);
    } else {
      const image = r.dynamodb?.NewImage as Record<string, AttributeValue>;
      const kept = Object.entries(image).filter(([n]) => !exclude.has(n));
      // Event-form values compare equal to the SDK form once both are canonical (binaries as base64).
      state.set(pk, canonicalEventItem(kept));
    }
    states.push(state);
  }
  return states;
}

function canonicalEventItem(entries: [string, unknown][]): StoredItem {
  const sdk = ownRecord(entries.map(([n, v]): [string, AttributeValue] => [n, eventToSdk(v)]));
  return canonicalItem(sdk);
}

/** Test-side decoding of the event form (independent of the code under test). */
function eventToSdk(v: unknown): AttributeValue {
  const e = v as Record<string, unknown>;
  if ('B' in e) return { B: Uint8Array.from(Buffer.from(e.B as string, 'base64')) };
  if ('BS' in e) return { BS: (e.BS as string[]).map((b) => Uint8Array.from(Buffer.from(b, 'base64'))) };
  if ('M' in e)
    return {
      M: ownRecord(
        Object.entries(e.M as object).map(([n, x]): [string, AttributeValue] => [n, eventToSdk(x)]),
      ),
    };
  if ('L' in e) return { L: (e.L as unknown[]).map(eventToSdk) };
  return e as unknown as AttributeValue;
}

const stateOf = (state: TableState, key: string) => JSON.stringify(state.get(key) ?? 'absent');

const asObject = (state: TableState) => Object.fromEntries([...state].sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * Lambda's event source mapping with ReportBatchItemFailures: deliver a batch from the
 * shard position; on success advance past it; on a reported sequence number resume from
 * that record (everything after it follows again). Checks every delivery for lost records.
 */
async function drain(s: Scenario): Promise<void> {
  const records = toStream(s);
  const exclude = new Set(s.excludeSecret ? ['secret'] : []);
  const states = expectedStates(records, exclude, s.skipTtlDeletes);
  const clock = new FakeClock();
  const tables = s.targets.map(
    (t, i) => new FakeTable(`replica-${i}`, seededRandom(t.seed), clock, t.faultRate),
  );
  const writers = tables.map((t) => t.writer());
  const config = {
    excludeAttributes: exclude,
    skipTtlDeletes: s.skipTtlDeletes,
    maxConcurrency: s.maxConcurrency,
  };

  let position = 0;
  let deliveries = 0;
  let stalled = 0;
  let delivered = 0;
  while (position < records.length) {
    deliveries++;
    // An outage ends eventually: after a run of deliveries without progress, faults stop.
    if (stalled >= 8) for (const t of tables) t.faultRate = 0;
    expect(deliveries).toBeLessThan(records.length * 20 + 50);

    const size = s.batchSizes[deliveries % s.batchSizes.length] as number;
    const batch = records.slice(position, position + size);
    const outcome = await replicateBatch(batch, config, writers, {
      deadline: clock.now() + s.budgetMs,
      now: clock.now,
    });
    const reported = outcome.response.batchItemFailures;
    seen.retriedWrites += outcome.writeRetries;
    seen.deletes += outcome.itemsDeleted;
    if (reported.length > 0) seen.partialBatches++;
    expect(reported.length).toBeLessThanOrEqual(1);
    let applied = batch.length;
    if (reported.length === 1) {
      applied = batch.findIndex((r) => r.dynamodb?.SequenceNumber === reported[0]?.itemIdentifier);
      expect(applied, 'the reported sequence number is one of the batch').toBeGreaterThanOrEqual(0);
    }
    // No record before the resume point may be lost: on every target each key holds the
    // state the source had at the resume point or later (up to the furthest record ever
    // delivered), never an older one. Keys with no later record must hold their final state.
    const resume = position + applied;
    delivered = Math.max(delivered, position + batch.length);
    for (const table of tables) {
      for (const key of KEYS) {
        const allowed = new Set(states.slice(resume, delivered + 1).map((st) => stateOf(st, key)));
        const held = stateOf(table.items, key);
        expect(allowed.has(held), `${table.tableName} key ${key} after delivery ${deliveries}: ${held}`).toBe(
          true,
        );
      }
    }
    if (applied > 0 && applied < batch.length) seen.resumedMidBatch++;
    stalled = applied === 0 ? stalled + 1 : 0;
    position += applied;
  }

  const final = asObject(states[records.length] as TableState);
  for (const table of tables) {
    expect(table.violations).toEqual([]);
    expect(asObject(table.items)).toEqual(final);
  }
}

/** Runs the property and checks the runs really hit the fault paths (no vacuous pass). */
async function checkConvergence(targetCount: number, numRuns: number): Promise<void> {
  seen = { partialBatches: 0, retriedWrites: 0, deletes: 0, resumedMidBatch: 0 };
  await fc.assert(fc.asyncProperty(scenario(targetCount), drain), { numRuns });
  expect(seen.partialBatches).toBeGreaterThan(numRuns / 5);
  expect(seen.retriedWrites).toBeGreaterThan(numRuns / 5);
  expect(seen.deletes).toBeGreaterThan(numRuns / 5);
  expect(seen.resumedMidBatch).toBeGreaterThan(0);
}

describe('replication converges to the source under faults (property)', () => {
  it('one target: the drained target equals the source exactly', async () => {
    await checkConvergence(1, 150);
  });

  it('two targets failing independently: both equal the source exactly', async () => {
    await checkConvergence(2, 120);
  });
});
