/**
 * The first sync's workload: a source table seeded with many items covering every attribute
 * type (one in ten is replication-workload.ts's tricky item: 38-digit and extreme numbers, B,
 * BS, NS, SS, nested M/L, empty strings and binaries, BOOL, NULL; some near 350 KB; the others
 * plain), and a writer that races the
 * workflow with puts, updates and deletes until told to stop, recording what it did.
 */
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { largeAttributes, type SdkItem } from './fixtures.js';
import { applyChange, type Change, itemKey, type KeyAttribute, tricky } from './replication-workload.js';

/** One seed item in this many is a full tricky item (every type at once); the others are plain. */
export const TRICKY_EVERY = 10;

/**
 * A plain item: the key, a 38-digit number, a string and a binary. The local AWS spends most of
 * its time (de)serializing nested attributes; with every item tricky, a full Scan of 20,000
 * items took it a minute.
 */
function plainItem(keys: readonly KeyAttribute[], n: number): SdkItem {
  return {
    ...itemKey(keys, n),
    version: { N: '1' },
    total: { N: `${String(n).padStart(8, '9')}123456789012345678901234567890` },
    note: { S: `plain #${n} é` },
    digest: { B: Uint8Array.of(n % 256, (n >> 8) % 256, 0, 255) },
  };
}

/**
 * Items 0..count-1: every TRICKY_EVERY-th one a tricky item (38-digit and extreme numbers, B,
 * BS, NS, SS, nested M/L, empty strings and binaries, BOOL, NULL), the others plain; every
 * `largeEvery`-th one also carries about 350 KB of text and binary.
 */
export function seedItem(keys: readonly KeyAttribute[], n: number, largeEvery: number): SdkItem {
  const item = n % TRICKY_EVERY === 0 ? tricky(keys, n) : plainItem(keys, n);
  return n % largeEvery === 0 ? { ...item, ...largeAttributes(350_000) } : item;
}

export interface SeedOptions {
  readonly count: number;
  /** One item in this many is ~350 KB; default 2,500 (8 in 20,000). */
  readonly largeEvery?: number;
  /** BatchWriteItem calls in flight; default 4. */
  readonly concurrency?: number;
}

/** Writes the seed items with BatchWriteItem (25 a call, unprocessed items sent again). */
export async function seedTable(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly KeyAttribute[],
  options: SeedOptions,
): Promise<void> {
  const largeEvery = options.largeEvery ?? 2_500;
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const from = next;
      next = Math.min(options.count, next + 25);
      let requests = Array.from({ length: next - from }, (_, i) => ({
        PutRequest: { Item: seedItem(keys, from + i, largeEvery) },
      }));
      // BatchWriteItem's request is at most 16 MB; a large item goes on its own.
      while (requests.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
}

/** A seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RacingRecord {
  puts: number;
  updates: number;
  deletes: number;
  /** Keys (item numbers) changed, each once. */
  readonly touched: Set<number>;
}

export interface RacingWriter {
  readonly record: RacingRecord;
  /** Stops after the change in flight; resolves with what was done. Rejects if a change failed. */
  stop(): Promise<RacingRecord>;
}

export interface RacingOptions {
  /** Changes hit items 0..keySpace-1: existing ones and new ones past the seed. */
  readonly keySpace: number;
  /** Pause between changes (one at a time, so the stream holds them in the order made). */
  readonly pauseMs: number;
  readonly seed?: number;
  /** Every `largeEvery`-th key put is ~350 KB, as in the seed. */
  readonly largeEvery?: number;
}

function updateOf(keys: readonly KeyAttribute[], n: number, step: number): Change {
  return {
    kind: 'update',
    key: itemKey(keys, n),
    expression: 'SET #s = :s, #v = if_not_exists(#v, :zero) + :one, #m = :m ADD #t :tag REMOVE #e',
    names: { '#s': 'status', '#v': 'version', '#m': 'raced', '#t': 'tags', '#e': 'emptyString' },
    values: {
      ':s': { S: `RACED-${step}` },
      ':zero': { N: '0' },
      ':one': { N: '1' },
      ':m': { M: { at: { N: String(step) }, list: { L: [{ S: '' }, { NULL: true }, { BOOL: true }] } } },
      ':tag': { SS: [`race-${step % 7}`] },
    },
  };
}

/** Starts changing the table at once, until stop(). */
export function startRacingWriter(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly KeyAttribute[],
  options: RacingOptions,
): RacingWriter {
  const next = random(options.seed ?? 12);
  const largeEvery = options.largeEvery ?? 2_500;
  const record: RacingRecord = { puts: 0, updates: 0, deletes: 0, touched: new Set() };
  let stopping = false;
  const loop = (async () => {
    for (let step = 1; !stopping; step++) {
      const n = Math.floor(next() * options.keySpace);
      const roll = next();
      let change: Change;
      if (roll < 0.4) {
        change = {
          kind: 'put',
          item: { ...seedItem(keys, n, largeEvery), version: { N: String(1000 + step) } },
        };
        record.puts++;
      } else if (roll < 0.75) {
        change = updateOf(keys, n, step);
        record.updates++;
      } else {
        change = { kind: 'delete', key: itemKey(keys, n) };
        record.deletes++;
      }
      await applyChange(client, tableName, change);
      record.touched.add(n);
      if (options.pauseMs > 0) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  })();
  return {
    record,
    stop: async () => {
      stopping = true;
      await loop;
      return record;
    },
  };
}
