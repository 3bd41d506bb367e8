import {
  BatchGetItemCommand,
  type ConsumedCapacity,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { type Item, itemSize } from './attribute-values.js';
import { backoffDelay, sleep as realSleep } from './backoff.js';
import { UnprocessedKeysError } from './errors.js';
import { keyString, pickKey } from './item-keys.js';

export interface TableReaderOptions {
  /**
   * Called after every read with the read capacity it took (DynamoDB's ConsumedCapacity
   * when it says, else an estimate from the items' sizes); awaiting it paces the reads,
   * e.g. with a TokenBucket's take.
   */
  readonly consumed?: (units: number) => Promise<void>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** One Scan page: its items and where the next page starts (absent at the segment's end). */
export interface ScanPage {
  readonly items: Item[];
  readonly lastKey?: Item;
}

/** BatchGetItem rounds before a table that keeps returning UnprocessedKeys is given up on. */
const MAX_GET_ATTEMPTS = 30;

/** Reads and identifies items of one table by their key. */
export class TableReader {
  private readonly sortedKeys: string[];
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    readonly keyNames: readonly string[],
    private readonly options: TableReaderOptions = {},
  ) {
    this.sortedKeys = [...keyNames].sort();
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  keyOf(item: Item): Item {
    return pickKey(item, this.keyNames);
  }

  id(item: Item): string {
    return keyString(pickKey(item, this.keyNames), this.sortedKeys);
  }

  /** Items of the given keys that exist, by id. BatchGetItem in 100s; unprocessed keys retried with backoff. */
  async getMany(keys: readonly Item[], consistent: boolean): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Item[] = keys.slice(i, i + 100);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await this.sleep(backoffDelay(attempt, this.random, 50, 2_000));
        if (attempt >= MAX_GET_ATTEMPTS) throw new UnprocessedKeysError(this.tableName, MAX_GET_ATTEMPTS);
        const asked = pending.length;
        const out = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } },
            ...(this.options.consumed ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
          }),
        );
        const items = out.Responses?.[this.tableName] ?? [];
        for (const item of items) found.set(this.id(item), item);
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
        await this.options.consumed?.(
          reportedUnits(out.ConsumedCapacity) ?? getReadUnits(items, consistent, asked - pending.length),
        );
      }
    }
    return found;
  }

  /** One page of a Scan segment (eventually consistent). */
  async scanPage(segment: number, totalSegments: number, limit: number, start?: Item): Promise<ScanPage> {
    const out = await this.client.send(
      new ScanCommand({
        TableName: this.tableName,
        Segment: segment,
        TotalSegments: totalSegments,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
        ...(this.options.consumed ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
      }),
    );
    const items = out.Items ?? [];
    await this.options.consumed?.(reportedUnits(out.ConsumedCapacity) ?? scanReadUnits(items));
    return { items, ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}) };
  }

  /** Pages of one Scan segment. */
  async *scanSegment(segment: number, totalSegments: number, pageSize: number): AsyncGenerator<Item[]> {
    let start: Item | undefined;
    do {
      const page = await this.scanPage(segment, totalSegments, pageSize, start);
      yield page.items;
      start = page.lastKey;
    } while (start);
  }
}

/** The capacity units DynamoDB says a request took (ReturnConsumedCapacity TOTAL); undefined when it did not say. */
export function reportedUnits(
  capacity: ConsumedCapacity | ConsumedCapacity[] | undefined,
): number | undefined {
  const list = Array.isArray(capacity) ? capacity : capacity ? [capacity] : [];
  const units = list.map((c) => c.CapacityUnits).filter((u): u is number => u !== undefined);
  return units.length > 0 ? units.reduce((a, b) => a + b, 0) : undefined;
}

/**
 * Read capacity of an eventually consistent Scan page: half a unit per 4 KB of its items
 * together, at least half a unit (an empty page is read too).
 */
export function scanReadUnits(items: readonly Item[]): number {
  const bytes = items.reduce((n, item) => n + itemSize(item), 0);
  return Math.max(1, Math.ceil(bytes / 4096)) * 0.5;
}

/** Read capacity of a BatchGetItem: per key, a unit per started 4 KB (half when eventually consistent). */
function getReadUnits(items: readonly Item[], consistent: boolean, keysRead: number): number {
  const perItem = items.reduce((n, item) => n + Math.max(1, Math.ceil(itemSize(item) / 4096)), 0);
  // A key with no item still costs the minimum read.
  const units = perItem + Math.max(0, keysRead - items.length);
  return consistent ? units : units / 2;
}
