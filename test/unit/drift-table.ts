/**
 * An in-memory DynamoDB table behind a mocked client, for the drift function's unit tests:
 * DescribeTable, parallel Scan (segments by a hash of the key, Limit, ExclusiveStartKey),
 * BatchGetItem (with an optional share of keys left unprocessed) and BatchWriteItem.
 * Items are copied in and out, so a test's objects never alias the table's.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { Item } from '../../lambda/src/attribute-values.js';
import { keyString, pickKey } from '../../lambda/src/item-keys.js';

const KEY_NAMES = ['pk', 'sk'];

export class MemoryTable {
  readonly items = new Map<string, Item>();
  /** Requests seen, by command name. */
  readonly calls: Record<string, number> = {};
  /** Of each BatchGetItem request, this many keys (from the end, at most half) come back unprocessed. */
  unprocessedPerRequest = 0;
  /** Makes every request fail with this error. */
  failWith: Error | undefined;

  constructor(readonly name: string) {}

  static id(item: Item): string {
    return keyString(pickKey(item, KEY_NAMES), KEY_NAMES);
  }

  put(item: Item): void {
    this.items.set(MemoryTable.id(item), structuredClone(item));
  }

  delete(key: Item): void {
    this.items.delete(MemoryTable.id(key));
  }

  get(key: Item): Item | undefined {
    const item = this.items.get(MemoryTable.id(key));
    return item && structuredClone(item);
  }

  /** Answers the client's DynamoDB calls from this table. */
  attach(client: DynamoDBClient) {
    const mock = mockClient(client);
    const count = (name: string) => {
      this.calls[name] = (this.calls[name] ?? 0) + 1;
      if (this.failWith) throw this.failWith;
    };
    mock.on(DescribeTableCommand).callsFake(async () => {
      count('DescribeTable');
      return {
        Table: {
          TableName: this.name,
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        },
      };
    });
    mock.on(ScanCommand).callsFake(async (input: ScanCommandInput) => {
      count('Scan');
      return this.scan(input);
    });
    mock.on(BatchGetItemCommand).callsFake(async (input: BatchGetItemCommandInput) => {
      count('BatchGetItem');
      const keys = (input.RequestItems?.[this.name]?.Keys ?? []) as Item[];
      const cut = keys.length - Math.min(this.unprocessedPerRequest, Math.floor(keys.length / 2));
      const unprocessed = keys.slice(cut);
      const answered = keys.slice(0, cut);
      return {
        Responses: {
          [this.name]: answered.map((k) => this.get(k)).filter((i): i is Item => i !== undefined),
        },
        UnprocessedKeys: unprocessed.length ? { [this.name]: { Keys: unprocessed } } : {},
      };
    });
    mock.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
      count('BatchWriteItem');
      for (const request of input.RequestItems?.[this.name] ?? []) {
        if (request.PutRequest?.Item) this.put(request.PutRequest.Item);
        if (request.DeleteRequest?.Key) this.delete(request.DeleteRequest.Key);
      }
      return { UnprocessedItems: {} };
    });
    return mock;
  }

  private scan(input: ScanCommandInput) {
    const total = input.TotalSegments ?? 1;
    const ids = [...this.items.keys()].filter((id) => segmentOf(id, total) === (input.Segment ?? 0)).sort();
    const after = input.ExclusiveStartKey ? MemoryTable.id(input.ExclusiveStartKey as Item) : undefined;
    const from = after === undefined ? 0 : ids.findIndex((id) => id > after);
    const rest = from < 0 ? [] : ids.slice(from);
    const page = rest.slice(0, input.Limit ?? rest.length);
    const items = page.map((id) => structuredClone(this.items.get(id) as Item));
    const last = items[items.length - 1];
    return {
      Items: items,
      ...(page.length < rest.length && last ? { LastEvaluatedKey: pickKey(last, KEY_NAMES) } : {}),
    };
  }
}

/** A stable segment for a key (FNV-1a), as DynamoDB spreads keys over a parallel Scan's segments. */
function segmentOf(id: string, total: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h % total;
}

/** An item keyed pk (S) / sk (N) with the given attributes. */
export function item(pk: string, sk: number, attributes: Record<string, AttributeValue> = {}): Item {
  return { pk: { S: pk }, sk: { N: String(sk) }, ...attributes };
}
