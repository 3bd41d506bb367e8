/**
 * How redrive tells "these records are gone" from other failures, for the answers the real
 * DynamoDB Streams service gives and moto cannot produce (it never trims a stream).
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  LimitExceededException,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RangeUnreadableError, readRange } from '../../cli/src/redrive.js';

const info = {
  shardId: 'shardId-00000001700000000000-aaaaaaaa',
  startSequenceNumber: '300',
  endSequenceNumber: '302',
  streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000',
};
const record = (seq: string) => ({
  eventName: 'MODIFY' as const,
  dynamodb: { SequenceNumber: seq, Keys: { pk: { S: seq } } },
});

describe('readRange', () => {
  const streams = mockClient(DynamoDBStreamsClient);
  beforeEach(() => streams.reset());
  const client = () => new DynamoDBStreamsClient({ region: 'eu-west-1' });

  it('reports TrimmedDataAccessException as records no longer in the stream', async () => {
    streams.on(GetShardIteratorCommand).rejects(
      new TrimmedDataAccessException({
        message: 'Attempted to access data past the trim horizon',
        $metadata: {},
      }),
    );
    await expect(readRange(client(), info)).rejects.toThrow(RangeUnreadableError);
    await expect(readRange(client(), info)).rejects.toThrow(/TrimmedDataAccessException/);
  });

  it('reports a first record beyond the batch start as trimmed', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams
      .on(GetRecordsCommand)
      .resolves({ Records: [record('301'), record('302')], NextShardIterator: undefined });
    await expect(readRange(client(), info)).rejects.toThrow(
      /first record from there is 301, after the batch's first record 300: trimmed/,
    );
  });

  it('throws other errors as they are, not as "trimmed"', async () => {
    streams
      .on(GetShardIteratorCommand)
      .rejects(new LimitExceededException({ message: 'slow down', $metadata: {} }));
    await expect(readRange(client(), info)).rejects.toThrow(LimitExceededException);
  });

  it('returns the batch and the later changes to the same items only', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams
      .on(GetRecordsCommand)
      .resolvesOnce({ Records: [record('300'), record('301'), record('302')], NextShardIterator: 'it-2' })
      .resolvesOnce({
        Records: [
          record('303'),
          { ...record('304'), dynamodb: { SequenceNumber: '304', Keys: { pk: { S: '301' } } } },
        ],
        NextShardIterator: 'it-3',
      })
      .resolves({ Records: [], NextShardIterator: 'it-3' });
    const read = await readRange(client(), info);
    expect(read.batch.map((r) => r.dynamodb?.SequenceNumber)).toEqual(['300', '301', '302']);
    expect(read.later.map((r) => r.dynamodb?.SequenceNumber)).toEqual(['304']);
  });

  it('follows a closed shard into the shards split from it for later changes to the same items', async () => {
    const key = (seq: string, pk: string) => ({
      ...record(seq),
      dynamodb: { SequenceNumber: seq, Keys: { pk: { S: pk } } },
    });
    streams.on(GetShardIteratorCommand).callsFake((input) => ({ ShardIterator: `${input.ShardId}:0` }));
    streams.on(GetRecordsCommand).callsFake((input) => {
      switch (input.ShardIterator) {
        case `${info.shardId}:0`: // the batch, then the shard closes
          return { Records: [record('300'), record('301'), record('302')] };
        case 'child:0':
          return { Records: [key('400', '300'), key('401', 'other')], NextShardIterator: 'child:1' };
        case 'child:1':
          return { Records: [], NextShardIterator: 'child:1' };
        default:
          throw new Error(`unexpected iterator ${input.ShardIterator}`);
      }
    });
    streams.on(DescribeStreamCommand).resolves({
      StreamDescription: {
        Shards: [
          { ShardId: info.shardId, SequenceNumberRange: { EndingSequenceNumber: '399' } },
          { ShardId: 'child', ParentShardId: info.shardId },
          { ShardId: 'unrelated' },
        ],
      },
    });
    const read = await readRange(client(), info);
    expect(read.batch.map((r) => r.dynamodb?.SequenceNumber)).toEqual(['300', '301', '302']);
    expect(read.later.map((r) => r.dynamodb?.SequenceNumber)).toEqual(['400']);
  });
});
