/**
 * The replicator's central promise, checked on generated histories: whatever the table's
 * key schema, the batching, throttling, unprocessed items, refused writes and deadlines,
 * once the stream is drained every target holds exactly the source's items (minus excluded
 * attributes and skipped TTL deletes), byte for byte; and a partially failed batch never
 * reports a sequence number past a record that was not applied.
 *
 * The expected state is the generated source table itself, not anything derived from the
 * events, and items are told apart by the test's own key identity (fake-table.ts): a
 * replicator that merged two keys DynamoDB keeps apart, or split one, fails here.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replicateBatch } from '../../lambda/src/replicate.js';
import type { StreamRecord } from '../../lambda/src/stream-records.js';
import {
  canonicalItem,
  type KeyType,
  keyTwins,
  keyValue,
  MAX_NESTING,
  nesting,
  ownRecord,
  STORED_NUMBER,
  significantDigits,
  storedItemAttributes,
  storedNumber,
} from './arbitraries.js';
import { FakeClock, FakeTable, keyIdentity, type StoredItem, seededRandom } from './fake-table.js';
import { eventImageOf, streamRecord } from './records.js';

type Item = Record<string, AttributeValue>;

/** What the generated runs exercised, so the property cannot pass vacuously. */
const emptySeen = () => ({
  partialBatches: 0,
  retriedWrites: 0,
  deletes: 0,
  resumedMidBatch: 0,
  hashTypes: { S: 0, N: 0, B: 0 } as Record<KeyType, number>,
  sortKeys: 0,
  maxNesting: 0,
});
let seen = emptySeen();

interface KeyAttribute {
  name: string;
  type: KeyType;
}

/** Key attribute names, including ones that trip plain objects ("__proto__") or paths ("a.b"). */
const KEY_NAMES: [string, string][] = [
  ['pk', 'sk'],
  ['id', '__proto__'],
  ['a.b', 'ü'],
  ['PK', 'pk'],
];
const keyType = fc.constantFrom<KeyType>('S', 'N', 'B');

/** Any of the twelve key schemas: an S, N or B hash key, alone or with an S, N or B sort key. */
const keySchema: fc.Arbitrary<KeyAttribute[]> = fc
  .tuple(keyType, fc.option(keyType, { freq: 2, nil: undefined }), fc.constantFrom(...KEY_NAMES))
  .map(([hash, sort, [hashName, sortName]]) => [
    { name: hashName, type: hash },
    ...(sort ? [{ name: sortName, type: sort }] : []),
  ]);

const identityOf = (v: AttributeValue) => keyIdentity({ v }, ['v']);

/** Up to `max` distinct values of a key attribute, half the time with a pair of near twins among them. */
const distinctValues = (type: KeyType, max: number): fc.Arbitrary<AttributeValue[]> =>
  fc.oneof(
    fc.uniqueArray(keyValue[type], { minLength: 1, maxLength: max, selector: identityOf }),
    fc
      .tuple(keyTwins[type], fc.uniqueArray(keyValue[type], { maxLength: max - 2, selector: identityOf }))
      .map(([twins, others]) => [
        ...new Map([...twins, ...others].map((v): [string, AttributeValue] => [identityOf(v), v])).values(),
      ]),
  );

/**
 * The table's distinct keys: a few hash values, each with one or more sort values when
 * there is a sort key, so items share a hash key and differ only in the sort key.
 */
const keyPool = (schema: KeyAttribute[]): fc.Arbitrary<Item[]> => {
  const [hash, sort] = schema as [KeyAttribute, KeyAttribute | undefined];
  return fc
    .tuple(distinctValues(hash.type, 4), sort ? distinctValues(sort.type, 3) : fc.constant([undefined]))
    .chain(([hashes, sorts]) =>
      fc
        .uniqueArray(fc.tuple(fc.nat(hashes.length - 1), fc.nat(sorts.length - 1)), {
          minLength: 1,
          maxLength: 6,
          selector: ([h, s]) => `${h},${s}`,
        })
        .map((pairs) =>
          pairs.map(([h, s]) =>
            ownRecord<AttributeValue>([
              [hash.name, hashes[h] as AttributeValue],
              ...(sort ? [[sort.name, sorts[s] as AttributeValue] as [string, AttributeValue]] : []),
            ]),
          ),
        ),
    );
};

type Op =
  | { kind: 'put'; key: number; attrs: Item; secret: boolean }
  | { kind: 'delete'; key: number; ttl: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('put' as const),
      key: fc.nat(),
      attrs: storedItemAttributes,
      secret: fc.boolean(),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat(), ttl: fc.boolean() }),
    weight: 2,
  },
);

interface Scenario {
  schema: KeyAttribute[];
  keys: Item[];
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
  keySchema
    .chain((schema) => keyPool(schema).map((keys) => ({ schema, keys })))
    .chain(({ schema, keys }) =>
      fc.record({
        schema: fc.constant(schema),
        keys: fc.constant(keys),
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
      }),
    );

type TableState = ReadonlyMap<string, StoredItem>;

interface History {
  /** The stream records DynamoDB writes for the source table's history, as Lambda delivers them. */
  records: StreamRecord[];
  /** The target's expected state after each prefix of the records. */
  states: TableState[];
  /** keyIdentity of every key the history touches. */
  keys: string[];
}

/**
 * Plays the operations on a model of the source table. The events are encoded from the
 * source items by the test (records.ts), and the expected target states are taken from the
 * source items directly, so neither side goes through the replicator's converters.
 */
function history(s: Scenario): History {
  const names = s.schema.map((k) => k.name);
  const exclude = s.excludeSecret ? 'secret' : undefined;
  const source = new Map<string, Item>();
  const records: StreamRecord[] = [];
  let target = new Map<string, StoredItem>();
  const states: TableState[] = [target];
  let seq = 10n ** BigInt(s.seqDigits) - BigInt(s.ops.length * 200);
  if (seq < 1n) seq = 1n;
  for (const o of s.ops) {
    const key = s.keys[o.key % s.keys.length] as Item;
    const id = keyIdentity(key, names);
    const old = source.get(id);
    seq += BigInt(s.seqSteps[records.length % s.seqSteps.length] as number);
    const base = { seq: String(seq), keys: eventImageOf(key) };
    if (o.kind === 'put') {
      const item = ownRecord<AttributeValue>([
        ...Object.entries(o.attrs).filter(([n]) => !names.includes(n) && n !== 'secret'),
        ...(o.secret ? [['secret', { S: 'hide me' }] as [string, AttributeValue]] : []),
        ...Object.entries(key),
      ]);
      source.set(id, item);
      records.push(
        streamRecord({
          ...base,
          name: old ? 'MODIFY' : 'INSERT',
          newImage: eventImageOf(item),
          ...(old ? { oldImage: eventImageOf(old) } : {}),
        }),
      );
      target = new Map(target);
      target.set(id, canonicalItem(ownRecord(Object.entries(item).filter(([n]) => n !== exclude))));
      states.push(target);
      seen.maxNesting = Math.max(seen.maxNesting, ...Object.values(item).map(nesting));
    } else if (old) {
      // Deleting an absent item writes no stream record.
      source.delete(id);
      records.push(streamRecord({ ...base, name: 'REMOVE', oldImage: eventImageOf(old), ttl: o.ttl }));
      if (!(o.ttl && s.skipTtlDeletes)) {
        target = new Map(target);
        target.delete(id);
      }
      states.push(target);
    }
  }
  // What Lambda hands over is JSON.
  return {
    records: JSON.parse(JSON.stringify(records)),
    states,
    keys: s.keys.map((k) => keyIdentity(k, names)),
  };
}

const asObject = (state: TableState) => Object.fromEntries([...state].sort(([a], [b]) => (a < b ? -1 : 1)));

/**
 * Lambda's event source mapping with ReportBatchItemFailures: deliver a batch from the
 * shard position; on success advance past it; on a reported sequence number resume from
 * that record (everything after it follows again). Checks every delivery for lost records.
 */
async function drain(s: Scenario): Promise<void> {
  seen.hashTypes[(s.schema[0] as KeyAttribute).type]++;
  if (s.schema.length > 1) seen.sortKeys++;
  const { records, states, keys } = history(s);
  // Each key's state after each prefix, as text, computed once for the checks below.
  const stateText = states.map((st) => new Map(keys.map((k) => [k, JSON.stringify(st.get(k) ?? 'absent')])));
  const clock = new FakeClock();
  const names = s.schema.map((k) => k.name);
  const tables = s.targets.map(
    (t, i) => new FakeTable(`replica-${i}`, names, seededRandom(t.seed), clock, t.faultRate),
  );
  const writers = tables.map((t) => t.writer());
  const config = {
    excludeAttributes: new Set(s.excludeSecret ? ['secret'] : []),
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
      for (const key of keys) {
        const allowed = new Set(stateText.slice(resume, delivered + 1).map((st) => st.get(key)));
        const held = JSON.stringify(table.items.get(key) ?? 'absent');
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

/** Runs the property and checks the runs really hit the fault paths and key schemas (no vacuous pass). */
async function checkConvergence(targetCount: number, numRuns: number): Promise<void> {
  seen = emptySeen();
  await fc.assert(fc.asyncProperty(scenario(targetCount), drain), { numRuns });
  expect(seen.partialBatches).toBeGreaterThan(numRuns / 5);
  expect(seen.retriedWrites).toBeGreaterThan(numRuns / 5);
  expect(seen.deletes).toBeGreaterThan(numRuns / 5);
  expect(seen.resumedMidBatch).toBeGreaterThan(0);
  for (const type of ['S', 'N', 'B'] as const) expect(seen.hashTypes[type]).toBeGreaterThan(numRuns / 6);
  expect(seen.sortKeys).toBeGreaterThan(numRuns / 4);
  expect(seen.maxNesting).toBe(MAX_NESTING);
}

describe('the generated numbers are the ones DynamoDB streams', () => {
  it('are in stored form, 38 significant digits at least a third of the time', () => {
    const sample = fc.sample(storedNumber, { numRuns: 3_000, seed: 11 });
    for (const n of sample) expect(n).toMatch(STORED_NUMBER);
    const full = sample.filter((n) => significantDigits(n) === 38).length;
    expect(full / sample.length).toBeGreaterThanOrEqual(1 / 3);
  });
});

describe('replication converges to the source under faults (property)', () => {
  it('one target: the drained target equals the source exactly', async () => {
    await checkConvergence(1, 250);
  });

  it('two targets failing independently: both equal the source exactly', async () => {
    await checkConvergence(2, 200);
  });
});
