/**
 * DynamoDB closes a stream's shards and opens children every few hours. On the local AWS
 * (the launcher rolls a shard over on request): the CLI's shared stream reader, the event
 * source mapping emulator, and the replicator behind it, across rollovers. Stock moto has one
 * shard that never closes, so every test here fails on it (LOCAL_AWS_SERVER=moto_server).
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetWriters, replicateBatch, type StreamRecord } from '#core';
import { descendantShards, listShards, readToEnd, ShardCursor } from '../../cli/src/stream-reader.js';
import { type EsmSettings, LocalEventSourceMapping } from '../support/event-source-mapping.js';
import { canonicalTable, createTable, dynamoClient, MOTO_CREDENTIALS, scanAll } from '../support/fixtures.js';
import { rolloverShard, startLocalAws } from '../support/local-aws.js';
import type { MotoServer } from '../support/moto.js';

let moto: MotoServer;
let source: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let tables = 0;

beforeAll(async () => {
  moto = await startLocalAws();
  source = dynamoClient(moto.endpoint, 'us-east-1');
  streams = new DynamoDBStreamsClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
  });
});

afterAll(async () => {
  await moto?.stop();
});

async function table(): Promise<{ name: string; streamArn: string }> {
  const name = `roll-${++tables}`;
  return { name, streamArn: (await createTable(source, name, { stream: true })) as string };
}

async function put(name: string, sk: number, v = 0): Promise<void> {
  await source.send(
    new PutItemCommand({
      TableName: name,
      Item: { pk: { S: 'k' }, sk: { N: String(sk) }, v: { N: String(v) } },
    }),
  );
}

const skOf = (r: { dynamodb?: { Keys?: unknown } }) =>
  (r.dynamodb?.Keys as Record<string, { N?: string }> | undefined)?.sk?.N ?? '';

describe('shard rollover on the local AWS, through the shared stream reader', () => {
  it('closes the open shard at its last record and opens a child that takes later writes', async () => {
    const { name, streamArn } = await table();
    await put(name, 0);
    await put(name, 1);
    const roll = await rolloverShard(moto.endpoint, streamArn);
    await put(name, 2);

    const [parent, child, ...rest] = await listShards(streams, streamArn);
    expect(rest).toEqual([]);
    expect(parent?.ShardId).toBe(roll.closedShardId);
    expect(child).toMatchObject({ ShardId: roll.shardId, ParentShardId: roll.closedShardId });
    expect(child?.SequenceNumberRange?.EndingSequenceNumber).toBeUndefined();
    expect(
      descendantShards(
        [parent, child].filter((s) => s !== undefined),
        roll.closedShardId,
      ),
    ).toEqual([child]);

    const read = async (shardId: string) => {
      const cursor = await ShardCursor.open(streams, streamArn, shardId, { type: 'TRIM_HORIZON' });
      const records: string[] = [];
      const closed = await readToEnd(cursor, {
        emptyReadsAtEnd: 1,
        onPage: (p) => {
          records.push(...p.map(skOf));
        },
      });
      return { closed, records, last: cursor.lastSequenceNumber };
    };
    const fromParent = await read(roll.closedShardId);
    // Read to its end, the closed shard answers no next iterator: the reader knows it is finished.
    expect(fromParent).toMatchObject({ closed: true, records: ['0', '1'] });
    expect(parent?.SequenceNumberRange?.EndingSequenceNumber).toBe(fromParent.last);
    const fromChild = await read(roll.shardId);
    expect(fromChild).toMatchObject({ closed: false, records: ['2'] });
    // Sequence numbers go on rising across the rollover (not contiguously, as on AWS).
    expect(BigInt(child?.SequenceNumberRange?.StartingSequenceNumber as string)).toBeGreaterThan(
      BigInt(fromParent.last as string) + 1n,
    );
  });

  it('pages DescribeStream, and listShards follows the pages to every shard', async () => {
    const { name, streamArn } = await table();
    await put(name, 0);
    for (let i = 0; i < 120; i++) await rolloverShard(moto.endpoint, streamArn);

    const first = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription;
    expect(first?.Shards).toHaveLength(100); // DescribeStream's default and largest Limit
    expect(first?.LastEvaluatedShardId).toBe(first?.Shards?.[99]?.ShardId);
    const small = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, Limit: 7 })))
      .StreamDescription;
    expect(small?.Shards?.map((s) => s.ShardId)).toEqual(first?.Shards?.slice(0, 7).map((s) => s.ShardId));

    const all = await listShards(streams, streamArn);
    expect(all).toHaveLength(121);
    expect(new Set(all.map((s) => s.ShardId)).size).toBe(121);
    // One lineage, parents before children; only the last shard is open.
    all.forEach((s, i) => {
      expect(s.ParentShardId).toBe(i === 0 ? undefined : all[i - 1]?.ShardId);
      expect(s.SequenceNumberRange?.EndingSequenceNumber === undefined).toBe(i === 120);
    });
    expect(descendantShards(all, all[0]?.ShardId as string)).toHaveLength(120);
  });
});

describe('the emulated event source mapping across rollovers', () => {
  const settings = (streamArn: string, overrides: Partial<EsmSettings> = {}): EsmSettings => ({
    streamArn,
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:roll',
    batchSize: 10,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: 0,
    bisectBatchOnFunctionError: false,
    maximumRecordAgeInSeconds: -1,
    reportBatchItemFailures: true,
    ...overrides,
  });
  const recorder = () => {
    const batches: string[][] = [];
    return {
      batches,
      invoke: async (event: { Records: StreamRecord[] }) => {
        batches.push(event.Records.map(skOf));
        return { result: null };
      },
    };
  };

  it('reads a parent to its end, then its children, each record once and in order', async () => {
    const { name, streamArn } = await table();
    const fn = recorder();
    const esm = new LocalEventSourceMapping({ settings: settings(streamArn), streams, invoke: fn.invoke });
    await put(name, 0);
    await put(name, 1);
    expect(await esm.drain()).toMatchObject({ records: 2 });
    // The mapping's cursor is in the open shard when it closes: the rest of it, then the children.
    await put(name, 2);
    await rolloverShard(moto.endpoint, streamArn);
    await put(name, 3);
    await rolloverShard(moto.endpoint, streamArn);
    await put(name, 4);
    expect(await esm.drain()).toMatchObject({ records: 3, invocations: 3 });
    // A batch never spans shards.
    expect(fn.batches).toEqual([['0', '1'], ['2'], ['3'], ['4']]);
    // A shard closed with no records in it ends too, and its child is read.
    await rolloverShard(moto.endpoint, streamArn);
    await rolloverShard(moto.endpoint, streamArn);
    await put(name, 5);
    expect(await esm.drain()).toMatchObject({ records: 1 });
    expect(fn.batches.at(-1)).toEqual(['5']);
  });

  it('with LATEST skips the closed shards and delivers only later writes', async () => {
    const { name, streamArn } = await table();
    await put(name, 0);
    await rolloverShard(moto.endpoint, streamArn);
    await put(name, 1);
    const fn = recorder();
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, { startingPosition: 'LATEST' }),
      streams,
      invoke: fn.invoke,
    });
    await esm.start();
    await put(name, 2);
    await rolloverShard(moto.endpoint, streamArn);
    await put(name, 3);
    await esm.drain();
    expect(fn.batches).toEqual([['2'], ['3']]);
  });

  it('keeps the replicated copy equal to the source when changes to one item span a rollover', async () => {
    const { name, streamArn } = await table();
    const target = `${name}-copy`;
    await createTable(source, target);
    Object.assign(process.env, moto.env('us-east-1'));
    const writers = createTargetWriters([{ tableName: target, region: 'us-east-1' }], {
      sessionName: 'rollover-test',
      stsRegion: 'us-east-1',
    });
    const config = { excludeAttributes: new Set<string>(), skipTtlDeletes: false, maxConcurrency: 4 };
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, { batchSize: 3 }),
      streams,
      invoke: async (event) => ({
        result: (await replicateBatch(event.Records, config, writers, { deadline: Date.now() + 10_000 }))
          .response,
      }),
    });
    const bump = (sk: number) =>
      source.send(
        new UpdateItemCommand({
          TableName: name,
          Key: { pk: { S: 'k' }, sk: { N: String(sk) } },
          UpdateExpression: 'ADD v :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      );
    for (let sk = 0; sk < 5; sk++) await put(name, sk);
    await bump(1);
    await rolloverShard(moto.endpoint, streamArn);
    await bump(1);
    await source.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'k' }, sk: { N: '2' } } }));
    await rolloverShard(moto.endpoint, streamArn);
    await put(name, 2, 7);
    await bump(4);
    expect(await esm.drain()).toMatchObject({ records: 10, sentToDlq: 0 });
    const expected = canonicalTable(await scanAll(source, name));
    expect(canonicalTable(await scanAll(source, target))).toEqual(expected);
    expect(expected.length).toBe(5);
  });
});
