import { BatchGetItemCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '#core';
import { backoffDelay, keyString, pickKey, sleep } from '#core';

/** Reads and identifies items of one table by their key. */
export class TableReader {
  private readonly sortedKeys: string[];

  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
    readonly keyNames: readonly string[],
  ) {
    this.sortedKeys = [...keyNames].sort();
  }

  keyOf(item: Item): Item {
    return pickKey(item, this.keyNames);
  }

  id(item: Item): string {
    return keyString(pickKey(item, this.keyNames), this.sortedKeys);
  }

  /** Items of the given keys that exist, by id. BatchGetItem in 100s; unprocessed keys retried. */
  async getMany(keys: readonly Item[], consistent: boolean): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Item[] = keys.slice(i, i + 100);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffDelay(attempt, Math.random, 50, 2_000));
        if (attempt > 30)
          throw new Error(`BatchGetItem on ${this.tableName} kept returning unprocessed keys`);
        const out = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: consistent } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(this.id(item), item);
        pending = (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
      }
    }
    return found;
  }

  /** Pages of one Scan segment. */
  async *scanSegment(segment: number, totalSegments: number, pageSize: number): AsyncGenerator<Item[]> {
    let start: Item | undefined;
    do {
      const out = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: pageSize,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      yield out.Items ?? [];
      start = out.LastEvaluatedKey;
    } while (start);
  }
}
