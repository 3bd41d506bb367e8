/**
 * An in-memory target table behind the real BatchWriteItem writer: `send` applies
 * BatchWriteItem's semantics to a Map and, driven by a seeded generator, throttles,
 * refuses, or leaves items unprocessed, as DynamoDB does under load. Time is a fake
 * clock that sleeps and sends advance, so the writer's deadline is exercised for real.
 */
import type { AttributeValue, BatchWriteItemCommandOutput, WriteRequest } from '@aws-sdk/client-dynamodb';
import {
  type BatchWriteRequest,
  type WireWriteRequest,
  writeBatches,
} from '../../lambda/src/batch-writer.js';
import type { TargetWriter } from '../../lambda/src/target-writer.js';
import { canonical, canonicalItem } from './arbitraries.js';
import { sdkWriteRequest } from './records.js';

export class FakeClock {
  ms = 1_000_000;
  now = (): number => this.ms;
  sleep = async (ms: number): Promise<void> => {
    this.ms += ms;
  };
}

/** A small deterministic generator (mulberry32) so a fast-check seed replays a run exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class ServiceError extends Error {
  constructor(
    override readonly name: string,
    readonly $metadata: { httpStatusCode: number },
  ) {
    super(`${name} (simulated)`);
  }
}

/** Canonical stored form of an item: exact bytes, order-independent. */
export type StoredItem = ReturnType<typeof canonicalItem>;

/**
 * The identity of an item's key as DynamoDB sees it: the key attributes' types and exact
 * values (a binary's bytes, a number's digits). Numbers are compared as text, which is
 * their value only in the normalized form DynamoDB stores and streams them in (the
 * generators make no other). Throws when a key attribute is missing.
 */
export function keyIdentity(item: Record<string, AttributeValue>, keyNames: readonly string[]): string {
  return JSON.stringify(
    keyNames.map((name) => {
      const v = Object.hasOwn(item, name) ? item[name] : undefined;
      if (v === undefined) throw new Error(`item without its key attribute ${JSON.stringify(name)}`);
      return canonical(v);
    }),
  );
}

export class FakeTable {
  /** Items by keyIdentity. */
  readonly items = new Map<string, StoredItem>();
  /** Protocol violations seen (over-large batches, a key twice in one request). */
  readonly violations: string[] = [];
  sends = 0;
  /** Chance of each kind of fault per request; 0 turns faults off. */
  faultRate: number;

  constructor(
    readonly tableName: string,
    readonly keyNames: readonly string[],
    private readonly random: () => number,
    private readonly clock: FakeClock,
    faultRate: number,
  ) {
    this.faultRate = faultRate;
  }

  send = async (request: BatchWriteRequest): Promise<BatchWriteItemCommandOutput> => {
    this.sends++;
    this.clock.ms += 1 + Math.floor(this.random() * 20);
    // What DynamoDB reads is the body; its items come back through the SDK in the SDK's form.
    const body = JSON.parse(request.body) as { RequestItems: Record<string, WireWriteRequest[]> };
    const requests: WriteRequest[] = (body.RequestItems[this.tableName] ?? []).map(sdkWriteRequest);
    const keyOf = (r: WriteRequest) =>
      keyIdentity(r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {}, this.keyNames);
    if (requests.length === 0 || requests.length > 25) this.violations.push(`${requests.length} requests`);
    // DynamoDB refuses the whole request for either of these (ValidationException).
    const misfits = requests.filter((r) => !this.fitsSchema(r));
    if (misfits.length > 0) {
      this.violations.push(`a request whose key is not the table's: ${JSON.stringify(misfits[0])}`);
      throw new ServiceError('ValidationException', { httpStatusCode: 400 });
    }
    const keys = requests.map(keyOf);
    if (new Set(keys).size !== keys.length) this.violations.push('a key twice in one BatchWriteItem');

    const roll = this.random();
    if (roll < this.faultRate / 3)
      throw new ServiceError('ProvisionedThroughputExceededException', { httpStatusCode: 400 });
    if (roll < (this.faultRate * 2) / 3)
      throw new ServiceError('AccessDeniedException', { httpStatusCode: 400 });
    const leaveSome = roll < this.faultRate;
    const unprocessed: WriteRequest[] = [];
    for (const r of requests) {
      if (leaveSome && this.random() < 0.5) {
        unprocessed.push(r);
        continue;
      }
      if (r.PutRequest?.Item) this.items.set(keyOf(r), canonicalItem(r.PutRequest.Item));
      else this.items.delete(keyOf(r));
    }
    return {
      $metadata: { httpStatusCode: 200 },
      UnprocessedItems: unprocessed.length ? { [this.tableName]: unprocessed } : {},
    };
  };

  /** A put has every key attribute; a delete's key has the key attributes and nothing else. */
  private fitsSchema(r: WriteRequest): boolean {
    const image = r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {};
    const names = Object.keys(image);
    if (!this.keyNames.every((n) => names.includes(n))) return false;
    return r.PutRequest !== undefined || names.length === this.keyNames.length;
  }

  writer(): TargetWriter {
    return {
      id: `${this.tableName}@us-east-1`,
      write: (entries, options) =>
        writeBatches(this.send, this.tableName, entries, {
          ...options,
          now: this.clock.now,
          sleep: this.clock.sleep,
          random: this.random,
        }),
    };
  }
}
