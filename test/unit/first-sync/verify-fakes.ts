/**
 * In-memory tables for the verifier's tests: the SDK client's `send` answers BatchGetItem
 * (keys in, items out, some keys left unprocessed when asked) and a keys-only Scan
 * segment, and a TargetWriter applies the replicator's wire-form puts and deletes. Hooks
 * let a test change a table between two reads, as a write in flight would.
 */
import {
  BatchGetItemCommand,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type EventImage, type Item, itemSize, toSdkItem } from '../../../lambda/src/attribute-values.js';
import type { ReportStore } from '../../../lambda/src/first-sync/verify-report.js';
import { keyString, pickKey } from '../../../lambda/src/item-keys.js';
import type { TargetWriter } from '../../../lambda/src/target-writer.js';

export const KEY_NAMES = ['pk', 'sk'] as const;
const idOf = (item: Item) => keyString(pickKey(item, KEY_NAMES), ['pk', 'sk']);

/** A key's segment, from its hash as DynamoDB's is: fixed whatever else the table holds. */
function segmentOf(id: string, total: number): number {
  let h = 0;
  for (const c of id) h = (Math.imul(h, 31) + (c.codePointAt(0) ?? 0)) >>> 0;
  return h % total;
}

export class MemoryTable {
  readonly items = new Map<string, Item>();
  batchGets = 0;
  scans: ScanCommandInput[] = [];
  /** Keys per BatchGetItem left unprocessed, for the next calls (one entry per call). */
  unprocessed: number[] = [];
  /** Runs before each BatchGetItem is answered (the call's number, from 1); may throw, as DynamoDB does. */
  beforeGet?: (call: number) => void;
  /** Runs before each Scan is answered (the call's number, from 1); may throw. */
  beforeScan?: (call: number) => void;
  /** Read capacity units answered as ConsumedCapacity, when asked for (ReturnConsumedCapacity TOTAL). */
  unitsReported = 0;
  writes = 0;

  constructor(
    readonly name: string,
    items: readonly EventImage[] = [],
  ) {
    for (const i of items) this.put(i);
  }

  put(image: EventImage): void {
    const item = toSdkItem(image);
    this.items.set(idOf(item), item);
  }

  delete(image: EventImage): void {
    this.items.delete(idOf(toSdkItem(image)));
  }

  client(): DynamoDBClient {
    return { send: (command: unknown) => this.send(command) } as unknown as DynamoDBClient;
  }

  private async send(command: unknown): Promise<unknown> {
    await Promise.resolve();
    if (command instanceof BatchGetItemCommand) {
      this.batchGets++;
      this.beforeGet?.(this.batchGets);
      const request = command.input.RequestItems?.[this.name];
      if (!request) throw new Error(`BatchGetItem of another table than ${this.name}`);
      if (request.ConsistentRead !== true) throw new Error('the verifier must read consistently');
      const keys = request.Keys ?? [];
      if (keys.length > 100) throw new Error('BatchGetItem takes at most 100 keys');
      if (new Set(keys.map(idOf)).size !== keys.length)
        throw new Error('ValidationException: duplicate keys');
      const skip = this.unprocessed.shift() ?? 0;
      const answered = keys.slice(skip);
      const left = keys.slice(0, skip);
      // As DynamoDB counts a consistent read: a unit per started 4 KB of each item, one for a key with none.
      const units = answered.reduce((n, k) => {
        const item = this.items.get(idOf(k));
        return n + (item ? Math.max(1, Math.ceil(itemSize(item) / 4096)) : 1);
      }, 0);
      return {
        ...this.consumed(command.input.ReturnConsumedCapacity, units),
        Responses: {
          [this.name]: answered.flatMap((k) => {
            const item = this.items.get(idOf(k));
            return item ? [structuredClone(item)] : [];
          }),
        },
        UnprocessedKeys: left.length > 0 ? { [this.name]: { Keys: left } } : {},
      };
    }
    if (command instanceof ScanCommand) {
      const input = command.input;
      this.scans.push(input);
      this.beforeScan?.(this.scans.length);
      if (input.ConsistentRead !== true) throw new Error('the verifier must scan consistently');
      const all = [...this.items.keys()]
        .sort()
        .filter((id) => segmentOf(id, input.TotalSegments ?? 1) === (input.Segment ?? 0));
      const startId = input.ExclusiveStartKey ? idOf(input.ExclusiveStartKey) : undefined;
      const from = startId === undefined ? 0 : all.indexOf(startId) + 1;
      const page = all.slice(from, from + (input.Limit ?? 1000));
      const names = Object.values(input.ExpressionAttributeNames ?? {});
      const items = page.map((id) => pickKey(this.items.get(id) as Item, names));
      const last = from + page.length < all.length ? items[items.length - 1] : undefined;
      // A Scan counts the whole items it reads, whatever the projection returns.
      const bytes = page.reduce((n, id) => n + itemSize(this.items.get(id) as Item), 0);
      return {
        Items: items,
        ...(last ? { LastEvaluatedKey: last } : {}),
        ...this.consumed(input.ReturnConsumedCapacity, Math.max(1, Math.ceil(bytes / 4096))),
      };
    }
    throw new Error(`MemoryTable does not answer ${(command as object).constructor.name}`);
  }

  private consumed(asked: string | undefined, units: number): object {
    if (asked !== 'TOTAL') return {};
    this.unitsReported += units;
    return { ConsumedCapacity: { TableName: this.name, CapacityUnits: units } };
  }

  writer(id: string): TargetWriter {
    return {
      id,
      write: async (entries) => {
        for (const e of entries) {
          this.writes++;
          if (e.request.PutRequest) this.put(e.request.PutRequest.Item);
          else if (e.request.DeleteRequest) this.delete(e.request.DeleteRequest.Key);
        }
        return { failed: new Map(), requests: 1, retries: 0 };
      },
    };
  }
}

/** Report objects kept in memory; `reads` lists the keys read, `bytesRead` their size. */
export class MemoryStore implements ReportStore {
  readonly objects = new Map<string, string>();
  reads: string[] = [];
  bytesRead = 0;
  put = async (key: string, body: string) => {
    this.objects.set(key, body);
  };
  create = async (key: string, body: string) => {
    if (this.objects.has(key)) return false;
    this.objects.set(key, body);
    return true;
  };
  find = async (key: string) => {
    const v = this.objects.get(key);
    if (v !== undefined) this.read(key, v);
    return v;
  };
  list = async (prefix: string) => [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  get = async (key: string) => {
    const v = this.objects.get(key);
    if (v === undefined) throw new Error(`NoSuchKey ${key}`);
    this.read(key, v);
    return v;
  };
  private read(key: string, body: string): void {
    this.reads.push(key);
    this.bytesRead += Buffer.byteLength(body);
  }
}
