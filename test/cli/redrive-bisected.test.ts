/**
 * ddbsync redrive of what Lambda reports after bisecting: one on-failure record spanning from
 * the first to the last record it discarded, successful records between them included, on a
 * stream whose shard has since rolled over, so the later changes to the batch's items are in a
 * child shard past the first page of DescribeStream. Runs on the local AWS (the launcher rolls
 * shards over; LOCAL_AWS_SERVER=moto_server shows it failing on stock moto).
 */
import {
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { replicateBatch } from '#core';
import { listShards } from '../../cli/src/stream-reader.js';
import { LocalEventSourceMapping, type OnFailureRecord } from '../support/event-source-mapping.js';
import { rolloverShard, startLocalAws } from '../support/local-aws.js';
import type { MotoServer } from '../support/moto.js';
import { cli, createTable, inProcessReplicator, scanAll, TARGET_ROLE, useCliAccounts } from './helpers.js';

describe('ddbsync redrive of a bisected batch across a shard rollover', () => {
  let moto: MotoServer;
  let source: DynamoDBClient;
  let target: DynamoDBClient;
  let sqs: SQSClient;
  let streams: DynamoDBStreamsClient;

  useCliAccounts(
    'eu-west-1',
    (a) => {
      ({ moto, source, target } = a);
    },
    startLocalAws,
  );
  beforeAll(async () => {
    sqs = new SQSClient({ region: 'us-east-1' });
    streams = new DynamoDBStreamsClient({ region: 'us-east-1' });
  });

  const put = (pk: string, v: number, poison = false) =>
    source.send(
      new PutItemCommand({
        TableName: 'rb-src',
        Item: { pk: { S: pk }, v: { N: String(v) }, ...(poison ? { poison: { BOOL: true } } : {}) },
      }),
    );

  it('applies the whole reported range with the later changes from the child shard, so nothing rolls back', async () => {
    await createTable(source, 'rb-src', { stream: true });
    await createTable(target, 'rb-dst');
    const streamArn = (await source.send(new DescribeTableCommand({ TableName: 'rb-src' }))).Table
      ?.LatestStreamArn as string;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'rb-dlq' }))).QueueUrl as string;
    const targetsJson = JSON.stringify([{ tableName: 'rb-dst', region: 'eu-west-1', roleArn: TARGET_ROLE }]);

    // The replicator behind Lambda's trigger, except that it crashes on a "poison" item (a
    // function error, so the mapping bisects), with no retries and the DLQ as destination.
    const { writers, config } = inProcessReplicator(targetsJson);
    const esm = new LocalEventSourceMapping({
      settings: {
        streamArn,
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rb-replicator',
        batchSize: 10,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 0,
        bisectBatchOnFunctionError: true,
        maximumRecordAgeInSeconds: -1,
        reportBatchItemFailures: true,
        onFailureDestination: queueUrl,
      },
      streams,
      sqs,
      invoke: async (event) => {
        if (event.Records.some((r) => (r.dynamodb?.NewImage as { poison?: unknown } | undefined)?.poison)) {
          return { error: { name: 'Error', message: 'cannot handle a poison item' } };
        }
        return {
          result: (await replicateBatch(event.Records, config, writers, { deadline: Date.now() + 5000 }))
            .response,
        };
      },
    });

    await put('a', 1);
    await put('b', 1, true);
    await put('c', 1);
    await put('d', 1);
    await put('e', 1);
    await put('f', 1, true);
    await put('g', 1);
    // [a..g] → [a..d] → [a,b] → [a] ok, [b] out; [c,d] ok; [e,f,g] → [e,f] → [e] ok, [f] out; [g] ok.
    expect(await esm.drain()).toMatchObject({ records: 7, invocations: 11, sentToDlq: 2, failureRecords: 1 });
    const [message, ...others] =
      (
        await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        )
      ).Messages ?? [];
    expect(others).toEqual([]);
    const info = (JSON.parse(message?.Body as string) as OnFailureRecord).DDBStreamBatchInfo;
    expect(info.batchSize).toBe(5); // b..f: the successful c, d, e are inside the reported range
    expect((await scanAll(target, 'rb-dst')).size).toBe(5);

    // The shard closes; the later changes land past the first page of DescribeStream.
    for (let i = 0; i < 101; i++) await rolloverShard(moto.endpoint, streamArn);
    expect((await listShards(streams, streamArn)).length).toBe(102);
    await put('b', 2);
    await source.send(
      new UpdateItemCommand({
        TableName: 'rb-src',
        Key: { pk: { S: 'c' } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    await source.send(new DeleteItemCommand({ TableName: 'rb-src', Key: { pk: { S: 'd' } } }));
    await put('h', 1);
    expect(await esm.drain()).toMatchObject({ records: 4, sentToDlq: 0 });

    const r = await cli(['redrive', '--queue-url', queueUrl, '--targets', targetsJson]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`(${info.shardId} ${info.startSequenceNumber}..${info.endSequenceNumber})`);
    expect(r.stdout).toMatch(
      /redriven: 5 records \(\+3 later changes to the same items, so the newest state wins\), 4 puts, 1 deletes; message deleted/,
    );
    // The copy is the source: c and b not rolled back to the batch's values, d not resurrected.
    const copy = await scanAll(target, 'rb-dst');
    const want = await scanAll(source, 'rb-src');
    expect([...copy.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [key, item] of want) expect(copy.get(key)).toEqual(item);
    expect(copy.get('c|')?.v?.N).toBe('2');
    expect(copy.has('d|')).toBe(false);
    const depth = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    expect(depth.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});
