import type { _Record, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Item, ReplicatorConfig, TargetWriter } from '#core';
import { compareSequenceNumbers, keyString, replicateBatch, toLambdaRecord } from '#core';
import type { StreamBatchInfo } from './dlq-message.js';
import { CliError } from './errors.js';
import { descendantShards, listShards, readToEnd, ShardCursor, StreamTrimmedError } from './stream-reader.js';

/** The batch's records cannot be read any more: trimmed (older than 24 h), or the shard is gone. */
export class RangeUnreadableError extends CliError {
  override readonly name = 'RangeUnreadableError';
}

/**
 * Empty reads in a row after which an open shard counts as read to its current end
 * (DynamoDB Streams may answer an empty page before later records, so one is not enough).
 */
const EMPTY_READS_AT_END = 5;

function keyOf(r: _Record): string {
  return keyString((r.dynamodb?.Keys ?? {}) as Item);
}

export interface ShardRead {
  /** The failed batch: the records from startSequenceNumber to endSequenceNumber. */
  readonly batch: _Record[];
  /** Later changes to the batch's items, in the same shard and its descendants, up to now. */
  readonly later: _Record[];
}

/**
 * Reads the failed batch's records again, and the later changes to the same items up to the
 * current end of the shard (and of the shards split from it). Throws RangeUnreadableError when
 * the stream no longer has the batch's records; access and other errors are thrown as they are.
 */
export async function readRange(streams: DynamoDBStreamsClient, info: StreamBatchInfo): Promise<ShardRead> {
  const batch: _Record[] = [];
  const later: _Record[] = [];
  const keys = new Set<string>();
  // The batch comes first in the shard, so its keys are known before any later record.
  const take = (r: _Record) => {
    const seq = r.dynamodb?.SequenceNumber ?? '';
    if (compareSequenceNumbers(seq, info.endSequenceNumber) <= 0) {
      batch.push(r);
      keys.add(keyOf(r));
    } else if (keys.has(keyOf(r))) later.push(r);
  };
  let closed: boolean;
  try {
    const cursor = await ShardCursor.open(streams, info.streamArn, info.shardId, {
      type: 'AT_SEQUENCE_NUMBER',
      sequenceNumber: info.startSequenceNumber,
    });
    closed = await readToEnd(cursor, {
      emptyReadsAtEnd: EMPTY_READS_AT_END,
      onPage: (page) => page.forEach(take),
    });
  } catch (err) {
    if (err instanceof StreamTrimmedError) throw new RangeUnreadableError(err.message, { cause: err });
    if ((err as Error).name === 'ResourceNotFoundException') {
      throw new RangeUnreadableError(`${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`, {
        cause: err,
      });
    }
    throw err;
  }
  const first = batch[0]?.dynamodb?.SequenceNumber;
  if (first !== info.startSequenceNumber) {
    throw new RangeUnreadableError(
      first === undefined
        ? `the stream returned none of the records from ${info.startSequenceNumber} on`
        : `the stream's first record from there is ${first}, after the batch's first record ${info.startSequenceNumber}: trimmed`,
    );
  }
  const last = batch.at(-1)?.dynamodb?.SequenceNumber;
  if (last !== info.endSequenceNumber) {
    throw new RangeUnreadableError(
      `the stream's records end at ${last}, before the batch's last record ${info.endSequenceNumber}`,
    );
  }
  if (closed) {
    // Writes to the batch's items after the shard closed went to the shards split from it.
    for (const child of descendantShards(await listShards(streams, info.streamArn), info.shardId)) {
      const cursor = await ShardCursor.open(streams, info.streamArn, child.ShardId as string, {
        type: 'TRIM_HORIZON',
      });
      await readToEnd(cursor, {
        emptyReadsAtEnd: EMPTY_READS_AT_END,
        onPage: (page) => {
          for (const r of page) if (keys.has(keyOf(r))) later.push(r);
        },
      });
    }
  }
  return { batch, later };
}

export interface RedriveResult {
  readonly records: number;
  /** Later changes to the batch's items, applied with it so the newest state wins. */
  readonly newerChanges: number;
  readonly itemsPut: number;
  readonly itemsDeleted: number;
  /** Empty when every record reached every target. */
  readonly failures: readonly string[];
}

/**
 * Applies one failed batch again through the replicator's own path (the Lambda event
 * records, replicateBatch = planBatch + the target writers). The stream moved on after the
 * batch failed, so later changes to the same items may already be in the targets: those
 * later records are applied with the batch, and the planner's "last change per key wins"
 * leaves each item in its newest state instead of rolling it back.
 */
export async function redriveBatch(
  streams: DynamoDBStreamsClient,
  info: StreamBatchInfo,
  config: Pick<ReplicatorConfig, 'excludeAttributes' | 'skipTtlDeletes' | 'maxConcurrency'>,
  writers: readonly TargetWriter[],
  timeoutMs: number,
): Promise<RedriveResult> {
  const { batch, later: newer } = await readRange(streams, info);
  const records = [...batch, ...newer].map((r) => toLambdaRecord(r, info.streamArn));
  const outcome = await replicateBatch(records, config, writers, { deadline: Date.now() + timeoutMs });
  return {
    records: batch.length,
    newerChanges: newer.length,
    itemsPut: outcome.itemsPut,
    itemsDeleted: outcome.itemsDeleted,
    failures: [
      ...outcome.recordFailures.map((f) => `record ${f.sequenceNumber}: ${f.error.message}`),
      ...outcome.targetFailures.map((f) => `${f.target}: ${f.failedItems} items failed: ${f.firstError}`),
    ],
  };
}
