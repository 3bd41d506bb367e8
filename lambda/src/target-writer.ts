import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type BatchWriteOptions,
  type BatchWriteResult,
  type WriteEntry,
  writeBatches,
} from './batch-writer.js';
import { type TargetConfig, targetId } from './config.js';
import { type ClientOptions, createTargetClients } from './target-clients.js';
import { wireBatchWriteCommand } from './wire-body.js';

/** Writes entries to one target table. Injectable: tests and the benchmark substitute their own. */
export interface TargetWriter {
  readonly id: string;
  write(entries: readonly WriteEntry[], options: BatchWriteOptions): Promise<BatchWriteResult>;
}

export function dynamoDbTargetWriter(target: TargetConfig, client: DynamoDBClient): TargetWriter {
  return {
    id: targetId(target),
    write: (entries, options) =>
      writeBatches(
        (request, abortSignal) => client.send(wireBatchWriteCommand(request), { abortSignal }),
        target.tableName,
        entries,
        options,
      ),
  };
}

export function createTargetWriters(
  targets: readonly TargetConfig[],
  options: ClientOptions,
): TargetWriter[] {
  const clients = createTargetClients(targets, options);
  return targets.map((t, i) => dynamoDbTargetWriter(t, clients[i] as DynamoDBClient));
}
