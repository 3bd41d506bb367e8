/**
 * The Lambda handler with the function's real Powertools logger and metrics: its
 * deadline, its response, the EMF metrics it prints and what its logs never contain.
 */
import { BatchWriteItemCommand, DynamoDBClient, DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { BatchWriteOptions, BatchWriteResult } from '../../lambda/src/batch-writer.js';
import { parseConfig } from '../../lambda/src/config.js';
import { MalformedRecordError } from '../../lambda/src/errors.js';
import { createHandler } from '../../lambda/src/handler.js';
import { createLogger, createMetrics, METRIC } from '../../lambda/src/observability.js';
import type { TargetWriter } from '../../lambda/src/target-writer.js';
import { dynamoDbTargetWriter } from '../../lambda/src/target-writer.js';
import { captureOutput } from './output-capture.js';
import { put, remove, streamRecord } from './records.js';

const config = parseConfig({
  AWS_REGION: 'us-east-1',
  REPLICATION_TARGETS: '[{"tableName":"orders-replica"}]',
});
const NOW = 1_700_000_100_000;

/** JSON lines printed (logs and EMF metrics). */
const { output, printed } = captureOutput();

function recordingWriter(
  result: (n: number) => BatchWriteResult = () => ({ failed: new Map(), requests: 1, retries: 0 }),
) {
  const options: BatchWriteOptions[] = [];
  const writer: TargetWriter = {
    id: 'orders-replica@us-east-1',
    write: async (entries, o) => {
      options.push(o);
      return result(entries.length);
    },
  };
  return { writer, options };
}

const handlerWith = (writers: TargetWriter[]) =>
  createHandler({ config, writers, logger: createLogger(), metrics: createMetrics(), now: () => NOW });

const context = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });

describe('handler', () => {
  it.each([
    [60_000, 5_000],
    [10_000, 1_000],
    [3_000, 500],
  ])('with %i ms left, stops writing %i ms before the timeout', async (remaining, margin) => {
    const { writer, options } = recordingWriter();
    await handlerWith([writer])({ Records: [put('1', 'a')] }, context(remaining));
    expect(options[0]?.deadline).toBe(NOW + remaining - margin);
  });

  it('writes through the real writer when the remaining time gives a fractional margin', async () => {
    // 7,777 ms left: a tenth is 777.7 ms. A fractional timer once made every write fail.
    const ddb = mockClient(DynamoDBClient);
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    try {
      const writer = dynamoDbTargetWriter(
        { tableName: 'orders-replica', region: 'us-east-1' },
        new DynamoDBClient({ region: 'us-east-1' }),
      );
      const response = await handlerWith([writer])({ Records: [put('1', 'a')] }, context(7_777));
      expect(response).toEqual({ batchItemFailures: [] });
      expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
    } finally {
      ddb.restore();
    }
  });

  it('throws on an event with no Records array, failing the whole batch', async () => {
    const handler = handlerWith([recordingWriter().writer]);
    await expect(handler({} as never, context(60_000))).rejects.toBeInstanceOf(MalformedRecordError);
    await expect(handler({ Records: 'x' }, context(60_000))).rejects.toThrow(/Records/);
  });

  it('throws on a record without a sequence number', async () => {
    const bad = put('1', 'a');
    delete (bad.dynamodb as Record<string, unknown>).SequenceNumber;
    await expect(
      handlerWith([recordingWriter().writer])({ Records: [bad] }, context(60_000)),
    ).rejects.toBeInstanceOf(MalformedRecordError);
  });

  it('returns the batch item failure to retry from', async () => {
    const failing = recordingWriter((n) => ({
      failed: new Map(Array.from({ length: n }, (_, i) => [i, new Error('denied')])),
      requests: 1,
      retries: 0,
    }));
    const response = await handlerWith([failing.writer])(
      { Records: [put('7', 'a'), put('8', 'b')] },
      context(60_000),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '7' }] });
  });

  it('counts every record of a batch from a KEYS_ONLY stream as failed', async () => {
    const { writer } = recordingWriter();
    const records = ['31', '32', '33'].map((seq, i) =>
      streamRecord({ seq, name: 'MODIFY', keys: { pk: { S: `k${i}` } }, view: 'KEYS_ONLY' }),
    );
    const response = await handlerWith([writer])({ Records: records }, context(60_000));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '31' }] });
    expect(printed().find((l) => '_aws' in l)).toMatchObject({ FailedRecords: 3, ItemsPut: 0 });
    expect(output.join('')).toContain('NEW_AND_OLD_IMAGES');
  });

  it("puts the invocation's request id and function name on every log line", async () => {
    const { writer } = recordingWriter();
    await handlerWith([writer])(
      { Records: [put('1', 'a')] },
      {
        ...context(60_000),
        awsRequestId: 'req-1234',
        functionName: 'orders-replicator',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:orders-replicator',
        memoryLimitInMB: '256',
      },
    );
    const logs = printed().filter((l) => 'message' in l);
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(line).toMatchObject({ function_request_id: 'req-1234', function_name: 'orders-replicator' });
    }
  });

  it('publishes the replication metrics as EMF', async () => {
    const { writer } = recordingWriter(() => ({ failed: new Map(), requests: 3, retries: 2 }));
    const records = [
      streamRecord({
        seq: '10',
        keys: { pk: { S: 'a' } },
        newImage: { pk: { S: 'a' } },
        createdSeconds: (NOW - 250_000) / 1000,
      }),
      remove('11', 'b'),
      remove('12', 'c', { ttl: true }),
    ];
    const handler = createHandler({
      config: { ...config, skipTtlDeletes: true },
      writers: [writer],
      logger: createLogger(),
      metrics: createMetrics(),
      now: () => NOW,
    });
    await handler({ Records: records }, context(60_000));
    const emf = printed().find((l) => '_aws' in l);
    expect(emf, `no EMF line in ${output.join('')}`).toBeDefined();
    const names = (
      (emf?._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } | undefined)
        ?.CloudWatchMetrics[0]?.Metrics ?? []
    ).map((m) => m.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        METRIC.recordsReceived,
        METRIC.itemsPut,
        METRIC.itemsDeleted,
        METRIC.recordsSkipped,
        METRIC.writeRetries,
        METRIC.failedRecords,
        METRIC.replicationLatency,
      ]),
    );
    expect(emf).toMatchObject({
      RecordsReceived: 3,
      ItemsPut: 1,
      ItemsDeleted: 1,
      RecordsSkipped: 1,
      WriteRetries: 2,
      FailedRecords: 0,
      ReplicationLatency: 250_000, // the oldest change in the batch
    });
  });

  it('names the AWS error and its request id on the target failure line', async () => {
    const ddb = mockClient(DynamoDBClient);
    ddb.on(BatchWriteItemCommand).rejects(
      new DynamoDBServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400, requestId: 'Q1V3R2FKP0LMN8SBJ7AEMVJF66VV4KQNSO5AEMVJF66Q9ASUAAJG' },
        message: 'User is not authorized to perform: dynamodb:BatchWriteItem',
      }),
    );
    try {
      const writer = dynamoDbTargetWriter(
        { tableName: 'orders-replica', region: 'us-east-1' },
        new DynamoDBClient({ region: 'us-east-1' }),
      );
      await handlerWith([writer])({ Records: [put('30', 'a')] }, context(60_000));
    } finally {
      ddb.restore();
    }
    const line = printed().find((l) => l.message === 'target write failed');
    expect(line).toMatchObject({
      level: 'ERROR',
      target: 'orders-replica@us-east-1',
      failedItems: 1,
      cause: 'AccessDeniedException',
      causeRequestId: 'Q1V3R2FKP0LMN8SBJ7AEMVJF66VV4KQNSO5AEMVJF66Q9ASUAAJG',
    });
    expect(line?.reason).toContain('AccessDeniedException');
  });

  it('never logs item contents, even when writes fail and records are malformed', async () => {
    const SECRET = 'sk_live_4242-do-not-log';
    const ddb = mockClient(DynamoDBClient);
    ddb.on(BatchWriteItemCommand).rejects(
      new DynamoDBServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'One or more parameter values were invalid',
      }),
    );
    try {
      const writer = dynamoDbTargetWriter(
        { tableName: 'orders-replica', region: 'us-east-1' },
        new DynamoDBClient({ region: 'us-east-1' }),
      );
      const records = [
        put('20', 'a', { card: { S: SECRET }, doc: { M: { note: { S: SECRET } } } }),
        streamRecord({
          seq: '21',
          keys: { pk: { S: 'b' } },
          newImage: { pk: { S: 'b' }, blob: { B: SECRET } },
        }),
        streamRecord({
          seq: '22',
          name: 'MODIFY',
          keys: { pk: { S: 'c' } },
          oldImage: { pk: { S: 'c' }, card: { S: SECRET } },
        }),
        // Data in a nested map's key, and in the keys of a plain object where a value belongs.
        put('23', 'd', { byCard: { M: { [SECRET]: { N: 42 } } } } as never),
        put('24', 'e', { doc: { M: { x: { [SECRET]: 'v', S: 'w' } } } } as never),
      ];
      const response = await handlerWith([writer])({ Records: records }, context(60_000));
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: '20' }]);
    } finally {
      ddb.restore();
    }
    const all = output.join('');
    expect(all).toContain('ValidationException');
    // The malformed records are reported by sequence number and a path without data.
    expect(all).toContain('attribute byCard.#0: N must be a decimal string');
    expect(all).toContain('attribute doc.#0: must have exactly one type key, has S, 1 other key');
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('do-not-log');
  });
});
