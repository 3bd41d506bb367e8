/**
 * The live replication for the CLI tests: reads the source table's stream with the
 * DynamoDB Streams API from where it was when started (LATEST) and applies each page
 * through the replicator's own replicateBatch and writers, as the deployed function does.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { TargetConfig } from '#core';
import { createTargetWriters, replicateBatch, toLambdaRecord } from '#core';
import { listShards, readToEnd, ShardCursor } from '../../cli/src/stream-reader.js';

export interface StreamReplicator {
  /** Applies what is in the stream until a read comes back empty, then stops. */
  drainAndStop(): Promise<{ applied: number }>;
}

export async function startStreamReplicator(
  streamArn: string,
  targets: TargetConfig[],
): Promise<StreamReplicator> {
  const streams = new DynamoDBStreamsClient({ region: 'us-east-1' });
  const writers = createTargetWriters(targets, { sessionName: 'test-replicator', stsRegion: 'us-east-1' });
  const config = { excludeAttributes: new Set<string>(), skipTtlDeletes: false, maxConcurrency: 4 };
  // moto gives a stream one shard, never split.
  const [shard] = await listShards(streams, streamArn);
  const cursor = await ShardCursor.open(streams, streamArn, shard?.ShardId as string, { type: 'LATEST' });
  let applied = 0;
  let stopping = false;

  const readToCurrentEnd = () =>
    readToEnd(cursor, {
      emptyReadsAtEnd: 1,
      onPage: async (page) => {
        const records = page.map((r) => toLambdaRecord(r, streamArn));
        const outcome = await replicateBatch(records, config, writers, { deadline: Date.now() + 60_000 });
        if (outcome.response.batchItemFailures.length > 0) {
          throw new Error(`replication failed: ${JSON.stringify(outcome.targetFailures)}`);
        }
        applied += records.length;
      },
    });

  const loop = (async () => {
    while (!stopping) {
      await readToCurrentEnd();
      await new Promise((r) => setTimeout(r, 100));
    }
    await readToCurrentEnd();
  })();

  return {
    drainAndStop: async () => {
      stopping = true;
      await loop;
      return { applied };
    },
  };
}
