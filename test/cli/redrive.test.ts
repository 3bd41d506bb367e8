/**
 * ddbsync redrive against moto: the on-failure records are written by the event source
 * mapping emulator (Lambda's semantics and record shape) for a real stream, when the
 * replicator's writes failed because the target table was not there yet.
 */
import {
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { replicateBatch } from '#core';
import { LocalEventSourceMapping, type OnFailureRecord } from '../support/event-source-mapping.js';
import { cli, createTable, inProcessReplicator, scanAll, TARGET_ROLE, useCliAccounts } from './helpers.js';

describe('ddbsync redrive', () => {
  let source: DynamoDBClient;
  let target: DynamoDBClient;
  let sqs: SQSClient;
  let streams: DynamoDBStreamsClient;

  useCliAccounts('eu-west-1', (a) => {
    ({ source, target } = a);
  });
  beforeAll(async () => {
    sqs = new SQSClient({ region: 'us-east-1' });
    streams = new DynamoDBStreamsClient({ region: 'us-east-1' });
  });

  const depth = async (queueUrl: string) => {
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(out.Attributes?.ApproximateNumberOfMessages) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  };

  const peek = async (queueUrl: string): Promise<OnFailureRecord[]> => {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
    );
    return (out.Messages ?? []).map((m) => JSON.parse(m.Body as string) as OnFailureRecord);
  };

  it('re-reads a batch the mapping gave up on, applies it with the newest state winning, deletes the message', async () => {
    await createTable(source, 'rd-src', { stream: true });
    const { Table } = await source.send(new DescribeTableCommand({ TableName: 'rd-src' }));
    const streamArn = Table?.LatestStreamArn as string;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'rd-dlq' }))).QueueUrl as string;
    const targetsJson = JSON.stringify([{ tableName: 'rd-dst', region: 'eu-west-1', roleArn: TARGET_ROLE }]);

    // The replicator as deployed: its planner and writers behind Lambda's stream trigger,
    // with one retry and the DLQ as on-failure destination.
    const { writers, config } = inProcessReplicator(targetsJson);
    const esm = new LocalEventSourceMapping({
      settings: {
        streamArn,
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:rd-replicator',
        batchSize: 10,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 1,
        bisectBatchOnFunctionError: false,
        maximumRecordAgeInSeconds: -1,
        reportBatchItemFailures: true,
        onFailureDestination: queueUrl,
      },
      streams,
      sqs,
      invoke: async (event) => {
        // The function's time limit. The failures below are not retried, so they do not wait
        // it out; the write that must succeed gets room to on a busy machine.
        const outcome = await replicateBatch(event.Records, config, writers, {
          deadline: Date.now() + 30_000,
        });
        return { result: outcome.response };
      },
    });

    // The target table does not exist yet: every write of this batch fails.
    await source.send(
      new PutItemCommand({ TableName: 'rd-src', Item: { pk: { S: 'gone' }, v: { N: '0' } } }),
    );
    await source.send(
      new PutItemCommand({
        TableName: 'rd-src',
        Item: { pk: { S: 'a' }, v: { N: '1' }, bin: { B: Uint8Array.from([9, 8, 7]) } },
      }),
    );
    await source.send(
      new UpdateItemCommand({
        TableName: 'rd-src',
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET v = :v',
        ExpressionAttributeValues: { ':v': { N: '2' } },
      }),
    );
    await source.send(new PutItemCommand({ TableName: 'rd-src', Item: { pk: { S: 'b' }, v: { N: '3' } } }));
    await source.send(
      new PutItemCommand({
        TableName: 'rd-src',
        Item: { pk: { S: 'big' }, v: { N: '12345678901234567890123456789012345678' } },
      }),
    );
    await source.send(new DeleteItemCommand({ TableName: 'rd-src', Key: { pk: { S: 'gone' } } }));
    const first = await esm.drain();
    expect(first).toMatchObject({ records: 6, sentToDlq: 6, failureRecords: 1 });
    const [record] = await peek(queueUrl);
    expect(Object.keys(record as object).sort()).toEqual([
      'DDBStreamBatchInfo',
      'requestContext',
      'responseContext',
      'timestamp',
      'version',
    ]);
    expect(record?.DDBStreamBatchInfo).toMatchObject({ batchSize: 6, streamArn });

    // The target appears; a later change to "b" replicates normally, past the failed batch.
    await createTable(target, 'rd-dst');
    await source.send(new PutItemCommand({ TableName: 'rd-src', Item: { pk: { S: 'b' }, v: { N: '4' } } }));
    expect(await esm.drain()).toMatchObject({ records: 1, sentToDlq: 0 });
    expect([...(await scanAll(target, 'rd-dst')).keys()]).toEqual(['b|']);

    const r = await cli(['redrive', '--queue-url', queueUrl, '--targets', targetsJson]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /redriven: 6 records \(\+1 later changes to the same items, so the newest state wins\), 3 puts, 1 deletes; message deleted/,
    );
    expect(r.stdout).toMatch(/redrive: 1 redriven, 0 kept in the queue/);
    const copy = await scanAll(target, 'rd-dst');
    expect([...copy.keys()].sort()).toEqual(['a|', 'big|', 'b|']);
    expect(copy.get('a|')?.v?.N).toBe('2');
    expect(Buffer.from(copy.get('a|')?.bin?.B as Uint8Array)).toEqual(Buffer.from([9, 8, 7]));
    expect(copy.get('big|')?.v?.N).toBe('12345678901234567890123456789012345678');
    // Not rolled back to the failed batch's "b" = 3.
    expect(copy.get('b|')?.v?.N).toBe('4');
    expect(await depth(queueUrl)).toBe(0);
  });

  it('keeps a batch whose records are no longer in the stream and points to verify --repair', async () => {
    await createTable(source, 'tr-src', { stream: true });
    const { Table } = await source.send(new DescribeTableCommand({ TableName: 'tr-src' }));
    const streamArn = Table?.LatestStreamArn as string;
    await createTable(target, 'tr-dst');
    await source.send(new PutItemCommand({ TableName: 'tr-src', Item: { pk: { S: 'x' } } }));
    const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn })))
      .StreamDescription?.Shards?.[0]?.ShardId as string;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'tr-dlq' }))).QueueUrl as string;
    // moto never trims a stream (and fails internally on a sequence number below the shard's
    // start), so this record names the real shard and a range the shard does not hold: the
    // stream returns none of its records, as for a batch older than 24 hours. The real
    // service's TrimmedDataAccessException is covered in redrive-range.test.ts.
    const start = BigInt(
      (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]
        ?.SequenceNumberRange?.StartingSequenceNumber as string,
    );
    const now = new Date().toISOString();
    const record: OnFailureRecord = {
      requestContext: {
        requestId: 'c4d9b7a2-0f0e-4a5b-8c1d-2e3f4a5b6c7d',
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:tr-replicator',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: now,
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: String(start + 100n),
        endSequenceNumber: String(start + 108n),
        approximateArrivalOfFirstRecord: now,
        approximateArrivalOfLastRecord: now,
        batchSize: 9,
        streamArn,
      },
    };
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }));
    const targets = JSON.stringify([{ tableName: 'tr-dst', region: 'eu-west-1', roleArn: TARGET_ROLE }]);

    // The queue as `ddbsync status` names it (the mapping's destination ARN).
    const queueArn = 'arn:aws:sqs:us-east-1:123456789012:tr-dlq';
    const r = await cli(['redrive', '--queue-url', queueArn, '--targets', targets]);
    expect(r.stderr).not.toMatch(/^ddbsync:/);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /kept: these records are no longer in the stream \(the stream returned none of the records from \d+ on\)/,
    );
    expect(lines[0]).toMatch(/ddbsync verify --source-table <table> --targets-file <targets> --repair/);
    expect(r.stdout).toMatch(/redrive: 0 redriven, 1 kept in the queue/);
    expect(await depth(queueUrl)).toBe(1);
    expect((await peek(queueUrl))[0]?.DDBStreamBatchInfo.startSequenceNumber).toBe(String(start + 100n));
    expect((await scanAll(target, 'tr-dst')).size).toBe(0);
  });
  it('keeps the message while any target still refuses the batch', async () => {
    await createTable(source, 'kf-src', { stream: true });
    const { Table } = await source.send(new DescribeTableCommand({ TableName: 'kf-src' }));
    const streamArn = Table?.LatestStreamArn as string;
    await createTable(target, 'kf-dst');
    await source.send(new PutItemCommand({ TableName: 'kf-src', Item: { pk: { S: 'p' }, v: { N: '1' } } }));
    await source.send(new PutItemCommand({ TableName: 'kf-src', Item: { pk: { S: 'q' }, v: { N: '2' } } }));
    const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription
      ?.Shards?.[0];
    const start = BigInt(shard?.SequenceNumberRange?.StartingSequenceNumber as string);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'kf-dlq' }))).QueueUrl as string;
    const now = new Date().toISOString();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({
          requestContext: {
            requestId: '0d3c3f7e-1111-4c2a-9d7e-5a6b7c8d9e0f',
            functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:kf-replicator',
            condition: 'RetryAttemptsExhausted',
            approximateInvokeCount: 4,
          },
          responseContext: { statusCode: 200, executedVersion: '$LATEST' },
          version: '1.0',
          timestamp: now,
          DDBStreamBatchInfo: {
            shardId: shard?.ShardId,
            startSequenceNumber: String(start),
            endSequenceNumber: String(start + 1n),
            approximateArrivalOfFirstRecord: now,
            approximateArrivalOfLastRecord: now,
            batchSize: 2,
            streamArn,
          },
        }),
      }),
    );
    // The second target's table does not exist (yet): the batch is not done.
    const targets = JSON.stringify([
      { tableName: 'kf-dst', region: 'eu-west-1', roleArn: TARGET_ROLE },
      { tableName: 'kf-missing', region: 'eu-west-1', roleArn: TARGET_ROLE },
    ]);
    // A missing table is not retried, so the run does not wait its write timeout out; a short
    // one (it was 2 s) could expire before the first attempt on a busy machine instead.
    const r = await cli(['redrive', '--queue-url', queueUrl, '--targets', targets, '--write-timeout', '60']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/kept: kf-missing@eu-west-1 .*: 2 items failed: .*ResourceNotFound/);
    expect(r.stdout).toMatch(/redrive: 0 redriven, 1 kept in the queue/);
    expect(await depth(queueUrl)).toBe(1);
    // Once the table is there, the same message goes through and is deleted.
    await createTable(target, 'kf-missing');
    const again = await cli(['redrive', '--queue-url', queueUrl, '--targets', targets]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect((await scanAll(target, 'kf-missing')).size).toBe(2);
    expect(await depth(queueUrl)).toBe(0);
  });
});
