/**
 * The event source mapping emulator against a real stream (moto), with scripted functions
 * standing in for the replicator: what Lambda's trigger does with successes, partial
 * failures, errors, bisection, record age and starting positions.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamRecord } from '#core';
import {
  type EsmSettings,
  type FunctionOutcome,
  LocalEventSourceMapping,
  MappingSettingsError,
  type OnFailureRecord,
  ShardBlockedError,
  settingsFromMapping,
} from '../support/event-source-mapping.js';
import { createTable, dynamoClient, MOTO_CREDENTIALS } from '../support/fixtures.js';
import { type MotoServer, startMoto } from '../support/moto.js';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:scripted';
let moto: MotoServer;
let streams: DynamoDBStreamsClient;
let sqs: SQSClient;
let tables = 0;

beforeAll(async () => {
  moto = await startMoto();
  const config = { endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS };
  streams = new DynamoDBStreamsClient(config);
  sqs = new SQSClient(config);
});

afterAll(async () => {
  await moto?.stop();
});

/** A fresh table with a stream holding n inserts (sk 0..n-1); returns the stream ARN. */
async function streamWith(n: number): Promise<{
  streamArn: string;
  put: (sk: number) => Promise<void>;
  remove: (sk: number) => Promise<void>;
}> {
  const client = dynamoClient(moto.endpoint, 'us-east-1');
  const name = `esm-${++tables}`;
  const streamArn = (await createTable(client, name, { stream: true })) as string;
  const put = async (sk: number) => {
    await client.send(
      new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, sk: { N: String(sk) } } }),
    );
  };
  const remove = async (sk: number) => {
    await client.send(
      new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'k' }, sk: { N: String(sk) } } }),
    );
  };
  for (let i = 0; i < n; i++) await put(i);
  return { streamArn, put, remove };
}

function settings(streamArn: string, overrides: Partial<EsmSettings> = {}): EsmSettings {
  return {
    streamArn,
    functionArn: FUNCTION_ARN,
    batchSize: 4,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: 3,
    bisectBatchOnFunctionError: false,
    maximumRecordAgeInSeconds: -1,
    reportBatchItemFailures: true,
    ...overrides,
  };
}

const sk = (r: StreamRecord) => (r.dynamodb?.Keys as { sk: { N: string } } | undefined)?.sk.N ?? '';
const seq = (r: StreamRecord) => r.dynamodb?.SequenceNumber as string;

/** A function that records the sort keys of every batch it gets and answers with respond(). */
function scripted(respond: (records: StreamRecord[], call: number) => FunctionOutcome) {
  const batches: string[][] = [];
  return {
    batches,
    invoke: async (event: { Records: StreamRecord[] }) => {
      batches.push(event.Records.map(sk));
      return respond(event.Records, batches.length);
    },
  };
}

async function queue(name: string): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
}

async function failureRecords(queueUrl: string): Promise<OnFailureRecord[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
  return (out.Messages ?? []).map((m) => JSON.parse(m.Body as string) as OnFailureRecord);
}

describe('LocalEventSourceMapping', () => {
  it('delivers batches in order, checkpoints, and picks up later writes on the next drain', async () => {
    const { streamArn, put } = await streamWith(10);
    const fn = scripted(() => ({ result: { batchItemFailures: [] } }));
    const esm = new LocalEventSourceMapping({ settings: settings(streamArn), streams, invoke: fn.invoke });
    expect(await esm.drain()).toEqual({
      invocations: 3,
      records: 10,
      retries: 0,
      sentToDlq: 0,
      failureRecords: 0,
    });
    expect(fn.batches).toEqual([
      ['0', '1', '2', '3'],
      ['4', '5', '6', '7'],
      ['8', '9'],
    ]);
    expect(await esm.drain()).toMatchObject({ invocations: 0, records: 0 });
    await put(10);
    expect(await esm.drain()).toMatchObject({ invocations: 1, records: 1 });
    expect(fn.batches.at(-1)).toEqual(['10']);
  });

  it('delivers the records in the Lambda event shape', async () => {
    const { streamArn } = await streamWith(1);
    let event: { Records: StreamRecord[] } | undefined;
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn),
      streams,
      invoke: async (e) => {
        event = e;
        return { result: null };
      },
    });
    await esm.drain();
    expect(event?.Records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: {
        Keys: { pk: { S: 'k' }, sk: { N: '0' } },
        NewImage: { pk: { S: 'k' }, sk: { N: '0' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
  });

  it('retries from the reported item, keeping the records before it checkpointed', async () => {
    const { streamArn } = await streamWith(4);
    const fn = scripted((records, call) =>
      call === 1
        ? { result: { batchItemFailures: [{ itemIdentifier: seq(records[2] as StreamRecord) }] } }
        : { result: { batchItemFailures: [] } },
    );
    const esm = new LocalEventSourceMapping({ settings: settings(streamArn), streams, invoke: fn.invoke });
    expect(await esm.drain()).toMatchObject({ invocations: 2, retries: 1, sentToDlq: 0 });
    expect(fn.batches).toEqual([
      ['0', '1', '2', '3'],
      ['2', '3'],
    ]);
  });

  it('treats an unknown item identifier as a failure of the whole batch', async () => {
    const { streamArn } = await streamWith(2);
    const fn = scripted((_r, call) =>
      call === 1 ? { result: { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } } : { result: {} },
    );
    const esm = new LocalEventSourceMapping({ settings: settings(streamArn), streams, invoke: fn.invoke });
    await esm.drain();
    expect(fn.batches).toEqual([
      ['0', '1'],
      ['0', '1'],
    ]);
  });

  it('ignores batchItemFailures when ReportBatchItemFailures is off', async () => {
    const { streamArn } = await streamWith(2);
    const fn = scripted((records) => ({
      result: { batchItemFailures: [{ itemIdentifier: seq(records[0] as StreamRecord) }] },
    }));
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, { reportBatchItemFailures: false }),
      streams,
      invoke: fn.invoke,
    });
    expect(await esm.drain()).toMatchObject({ invocations: 1, retries: 0 });
  });

  it('bisects a failing batch down to the bad record and sends only it to the queue', async () => {
    const { streamArn } = await streamWith(4);
    const queueUrl = await queue('bisect-failures');
    const fn = scripted((records) =>
      records.some((r) => sk(r) === '2')
        ? { error: { name: 'Error', message: 'poison' }, requestId: `req-${records.length}` }
        : { result: { batchItemFailures: [] } },
    );
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, {
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 3,
        onFailureDestination: queueUrl,
      }),
      streams,
      sqs,
      invoke: fn.invoke,
    });
    const stats = await esm.drain();
    // "Splitting a batch does not count towards the retry quota"
    // (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html):
    // [0..3] fails and is split; [0,1] ok; [2,3] fails and is split; [2] fails, then is sent
    // again three times (its 3 retries), then discarded; [3] ok. 8 invocations.
    expect(fn.batches).toEqual([
      ['0', '1', '2', '3'],
      ['0', '1'],
      ['2', '3'],
      ['2'],
      ['2'],
      ['2'],
      ['2'],
      ['3'],
    ]);
    expect(stats).toEqual({ invocations: 8, records: 4, retries: 7, sentToDlq: 1, failureRecords: 1 });
    const [record] = await failureRecords(queueUrl);
    expect(record?.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      requestId: 'req-1',
      approximateInvokeCount: 6,
    });
    expect(record?.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(record?.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(record?.DDBStreamBatchInfo.startSequenceNumber).toBe(record?.DDBStreamBatchInfo.endSequenceNumber);
  });

  it('bisects even with no retries, so a large batch loses only its bad record', async () => {
    const { streamArn } = await streamWith(16);
    const queueUrl = await queue('bisect-no-retries');
    const fn = scripted((records) =>
      records.some((r) => sk(r) === '11')
        ? { error: { name: 'Error', message: 'poison' } }
        : { result: null },
    );
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, {
        batchSize: 16,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 0,
        onFailureDestination: queueUrl,
      }),
      streams,
      sqs,
      invoke: fn.invoke,
    });
    const stats = await esm.drain();
    // 16 → 8 ok + 8 → 4 ok + 4 → 2 ok + 2 ([10, 11]) → [10] ok, [11] discarded.
    expect(stats).toMatchObject({ invocations: 9, sentToDlq: 1, failureRecords: 1 });
    expect(fn.batches.filter((b) => b.length === 1)).toEqual([['10'], ['11']]);
    const [record] = await failureRecords(queueUrl);
    expect(record?.DDBStreamBatchInfo.batchSize).toBe(1);
    expect(record?.requestContext.approximateInvokeCount).toBe(5);
  });

  it('writes one on-failure record spanning every record discarded from a bisected batch', async () => {
    const { streamArn } = await streamWith(4);
    const queueUrl = await queue('bisect-consolidated');
    const bad = new Set(['1', '3']);
    const seqs = new Map<string, string>();
    const fn = scripted((records) => {
      for (const r of records) seqs.set(sk(r), seq(r));
      return records.some((r) => bad.has(sk(r)))
        ? { error: { name: 'Error', message: 'poison' } }
        : { result: null };
    });
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, {
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 0,
        onFailureDestination: queueUrl,
      }),
      streams,
      sqs,
      invoke: fn.invoke,
    });
    expect(await esm.drain()).toMatchObject({ invocations: 7, sentToDlq: 2, failureRecords: 1 });
    const all = await failureRecords(queueUrl);
    expect(all).toHaveLength(1);
    // "Lambda consolidates failed messages metadata when writing to the OnFailure destination"
    // (CloudFormation AWS::Lambda::EventSourceMapping, BisectBatchOnFunctionError): one record
    // from "1" to "3", with the successful "2" inside the range.
    expect(all[0]?.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: seqs.get('1'),
      endSequenceNumber: seqs.get('3'),
      batchSize: 3,
    });
  });

  it('sends records older than MaximumRecordAgeInSeconds to the queue without invoking', async () => {
    const { streamArn } = await streamWith(3);
    const queueUrl = await queue('age-failures');
    const fn = scripted(() => ({ result: { batchItemFailures: [] } }));
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, { maximumRecordAgeInSeconds: 60, onFailureDestination: queueUrl }),
      streams,
      sqs,
      invoke: fn.invoke,
      now: () => Date.now() + 120_000,
    });
    expect(await esm.drain()).toMatchObject({ invocations: 0, sentToDlq: 3, failureRecords: 1 });
    const [record] = await failureRecords(queueUrl);
    expect(record?.requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 0,
    });
    expect(record?.DDBStreamBatchInfo.batchSize).toBe(3);
  });

  it('with LATEST delivers only what is written after start()', async () => {
    const { streamArn, put } = await streamWith(3);
    const fn = scripted(() => ({ result: null }));
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, { startingPosition: 'LATEST' }),
      streams,
      invoke: fn.invoke,
    });
    await esm.start();
    await put(3);
    expect(await esm.drain()).toMatchObject({ records: 1 });
    expect(fn.batches).toEqual([['3']]);
  });

  it('raises ShardBlockedError instead of retrying forever when MaximumRetryAttempts is -1', async () => {
    const { streamArn } = await streamWith(1);
    const fn = scripted(() => ({ error: { name: 'Error', message: 'always' } }));
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, { maximumRetryAttempts: -1 }),
      streams,
      invoke: fn.invoke,
      infiniteRetryCap: 5,
    });
    await expect(esm.drain()).rejects.toBeInstanceOf(ShardBlockedError);
    expect(fn.batches).toHaveLength(5);
  });

  it('reads its settings from a GetEventSourceMapping response', () => {
    const s = settingsFromMapping({
      UUID: 'a1b2',
      EventSourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
      FunctionArn: FUNCTION_ARN,
      BatchSize: 50,
      StartingPosition: 'LATEST',
      MaximumRetryAttempts: 5,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq' } },
    });
    expect(s).toEqual({
      streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000',
      functionArn: FUNCTION_ARN,
      batchSize: 50,
      startingPosition: 'LATEST',
      maximumRetryAttempts: 5,
      bisectBatchOnFunctionError: true,
      maximumRecordAgeInSeconds: 3600,
      reportBatchItemFailures: true,
      parallelizationFactor: 1,
      maximumBatchingWindowInSeconds: 0,
      onFailureDestination: 'arn:aws:sqs:us-east-1:123456789012:orders-dlq',
    });
    expect(settingsFromMapping({ EventSourceArn: s.streamArn, FunctionArn: FUNCTION_ARN })).toMatchObject({
      batchSize: 100,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      reportBatchItemFailures: false,
    });
    expect(() =>
      settingsFromMapping({ EventSourceArn: 'arn:aws:sqs:us-east-1:1:q', FunctionArn: 'x' }),
    ).toThrow(MappingSettingsError);
    expect(
      settingsFromMapping({
        EventSourceArn: s.streamArn,
        FunctionArn: FUNCTION_ARN,
        ParallelizationFactor: 4,
        MaximumBatchingWindowInSeconds: 5,
        FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
      }),
    ).toMatchObject({
      parallelizationFactor: 4,
      maximumBatchingWindowInSeconds: 5,
      filterPatterns: ['{"eventName":["INSERT"]}'],
    });
    // A setting that changes delivery and is not emulated stops the emulator, named.
    expect(() =>
      settingsFromMapping({
        EventSourceArn: s.streamArn,
        FunctionArn: FUNCTION_ARN,
        TumblingWindowInSeconds: 60,
      }),
    ).toThrow(expect.objectContaining({ name: 'MappingSettingsError', setting: 'TumblingWindowInSeconds' }));
  });

  it('refuses settings out of range or filter rules it cannot emulate, naming the setting', () => {
    const make = (overrides: Partial<EsmSettings>) => () =>
      new LocalEventSourceMapping({
        settings: settings('arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x', overrides),
        streams,
        invoke: async () => ({}),
      });
    expect(make({ filterPatterns: ['{"eventName":[{"wildcard":"*"}]}'] })).toThrow(
      expect.objectContaining({ setting: 'FilterCriteria' }),
    );
    expect(make({ parallelizationFactor: 11 })).toThrow(
      expect.objectContaining({ setting: 'ParallelizationFactor' }),
    );
    expect(make({ maximumBatchingWindowInSeconds: 301 })).toThrow(
      expect.objectContaining({ setting: 'MaximumBatchingWindowInSeconds' }),
    );
  });

  it('drops records that match no filter before batching and counts them as processed', async () => {
    const { streamArn, put, remove } = await streamWith(6);
    await remove(1);
    await remove(3);
    await put(6);
    const fn = scripted((records) => {
      if (records.some((r) => r.eventName === 'REMOVE'))
        return { error: { name: 'Error', message: 'got a REMOVE' } };
      return { result: null };
    });
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, { filterPatterns: ['{"eventName":["INSERT","MODIFY"]}'] }),
      streams,
      invoke: fn.invoke,
    });
    // Batches are filled with matching records: [0..3] and [4, 5, 6], never a REMOVE.
    expect(await esm.drain()).toEqual({
      invocations: 2,
      records: 9,
      filtered: 2,
      retries: 0,
      sentToDlq: 0,
      failureRecords: 0,
    });
    expect(fn.batches).toEqual([
      ['0', '1', '2', '3'],
      ['4', '5', '6'],
    ]);
    // The filtered records are behind the checkpoint: nothing is delivered again.
    expect(await esm.drain()).toMatchObject({ invocations: 0, records: 0, filtered: 0 });
  });

  it('with ParallelizationFactor runs batches concurrently, each item in order', async () => {
    const { streamArn, put } = await streamWith(0);
    for (let round = 0; round < 3; round++) for (let key = 0; key < 8; key++) await put(key);
    const run = async (parallelizationFactor: number) => {
      let inFlight = 0;
      let most = 0;
      const seen = new Map<string, string[]>();
      const esm = new LocalEventSourceMapping({
        settings: settings(streamArn, { batchSize: 2, parallelizationFactor }),
        streams,
        invoke: async (event) => {
          most = Math.max(most, ++inFlight);
          for (const r of event.Records) seen.set(sk(r), [...(seen.get(sk(r)) ?? []), seq(r)]);
          await new Promise((r) => setTimeout(r, 10));
          inFlight--;
          return { result: null };
        },
      });
      const stats = await esm.drain();
      return { stats, most, seen };
    };
    const serial = await run(1);
    expect(serial.most).toBe(1);
    const parallel = await run(4);
    expect(parallel.most).toBeGreaterThan(1);
    expect(parallel.stats).toMatchObject({ records: 24, retries: 0 });
    for (let key = 0; key < 8; key++) {
      const order = parallel.seen.get(String(key)) ?? [];
      expect(order).toHaveLength(3);
      expect(order).toEqual(serial.seen.get(String(key))); // stream order, once each
    }
  });

  it('resolves an on-failure queue ARN to its URL', async () => {
    const { streamArn } = await streamWith(1);
    await queue('arn-failures');
    const esm = new LocalEventSourceMapping({
      settings: settings(streamArn, {
        maximumRetryAttempts: 0,
        onFailureDestination: 'arn:aws:sqs:us-east-1:123456789012:arn-failures',
      }),
      streams,
      sqs,
      invoke: async () => ({ error: { name: 'Error', message: 'no' } }),
    });
    expect(await esm.drain()).toMatchObject({ invocations: 1, sentToDlq: 1, failureRecords: 1 });
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'arn-failures' }))).QueueUrl as string;
    expect(await failureRecords(url)).toHaveLength(1);
  });
});
