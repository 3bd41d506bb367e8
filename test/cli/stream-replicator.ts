/**
 * The live replication for the CLI tests: reads the source table's stream with the
 * DynamoDB Streams API from where it was when started (LATEST) and applies each page
 * through the replicator's own replicateBatch and writers, as the deployed function does.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { TargetConfig } from '#core';
import { createTargetWriters, replicateBatch, toLambdaRecord } from '#core';

export interface StreamReplicator {
  /** Applies what is in the stream until a read comes back empty, then stops. */
  drainAndStop(): Promise<{ applied: number }>;
}

export interface StreamReplicatorOptions {
  /** Called with each page of stream records once every target has them (tests wait on it). */
  onApplied?: (records: readonly StreamRecord[]) => void;
}

export async function startStreamReplicator(
  streamArn: string,
  targets: TargetConfig[],
  options: StreamReplicatorOptions = {},
): Promise<StreamReplicator> {
  const streams = new DynamoDBStreamsClient({ region: 'us-east-1' });
  const writers = createTargetWriters(targets, { sessionName: 'test-replicator', stsRegion: 'us-east-1' });
  const config = { excludeAttributes: new Set<string>(), skipTtlDeletes: false, maxConcurrency: 4 };
  const stream = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shardId = stream.StreamDescription?.Shards?.[0]?.ShardId as string;
  let iterator = (
    await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'LATEST' }),
    )
  ).ShardIterator;
  let applied = 0;
  let stopping = false;

  const poll = async (): Promise<number> => {
    const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    iterator = out.NextShardIterator;
    const records = (out.Records ?? []).map((r) => toLambdaRecord(r, streamArn));
    if (records.length === 0) return 0;
    const outcome = await replicateBatch(records, config, writers, { deadline: Date.now() + 60_000 });
    if (outcome.response.batchItemFailures.length > 0) {
      throw new Error(`replication failed: ${JSON.stringify(outcome.targetFailures)}`);
    }
    applied += records.length;
    options.onApplied?.(out.Records ?? []);
    return records.length;
  };

  const loop = (async () => {
    while (!stopping) {
      if ((await poll()) === 0) await new Promise((r) => setTimeout(r, 100));
    }
    while ((await poll()) > 0) {
      // drain
    }
  })();

  return {
    drainAndStop: async () => {
      stopping = true;
      await loop;
      return { applied };
    },
  };
}
