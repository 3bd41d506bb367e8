/**
 * The comparison: the per-record replication most tutorials show. Every stream record
 * becomes one PutItem (INSERT/MODIFY, the new image) or DeleteItem (REMOVE, the keys),
 * awaited in order, one target after the other. It uses the same SDK client settings
 * and the same event-to-SDK conversion as the function, so only the strategy differs.
 */
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { StreamRecord } from '#core';
import { toSdkItem } from '#core';

export async function replicatePerRecord(
  records: readonly StreamRecord[],
  client: DynamoDBClient,
  tableNames: readonly string[],
): Promise<number> {
  let requests = 0;
  for (const record of records) {
    const d = record.dynamodb ?? {};
    for (const TableName of tableNames) {
      if (record.eventName === 'REMOVE') {
        await client.send(new DeleteItemCommand({ TableName, Key: toSdkItem(d.Keys) }));
      } else {
        await client.send(new PutItemCommand({ TableName, Item: toSdkItem(d.NewImage) }));
      }
      requests++;
    }
  }
  return requests;
}
