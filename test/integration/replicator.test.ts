/**
 * The built bundle, run as Lambda runs it, replicating a real DynamoDB stream (moto) into
 * tables in two other accounts and regions through assumed roles. Records reach the
 * function through the event source mapping emulator, as Lambda's trigger would deliver them.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteItemCommand,
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../scripts/build-lambda.js';
import {
  type EsmSettings,
  LocalEventSourceMapping,
  type OnFailureRecord,
} from '../support/event-source-mapping.js';
import {
  ALL_BYTES,
  assumedRoleDynamoClient,
  assumedRoleSessions,
  canonicalTable,
  createTable,
  dynamoClient,
  MOTO_CREDENTIALS,
  SECRET_MARKER,
  scanAll,
  trickyItems,
} from '../support/fixtures.js';
import { type InvokeOutcome, type LocalLambda, startLocalLambda } from '../support/local-lambda.js';
import { type MotoServer, startMoto } from '../support/moto.js';

const SOURCE_REGION = 'us-east-1';
const FUNCTION_NAME = 'ddbsync-orders';
const FUNCTION_ARN = `arn:aws:lambda:${SOURCE_REGION}:123456789012:function:${FUNCTION_NAME}`;
const TARGET_EU = {
  tableName: 'orders-replica',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::111111111111:role/ddbsync-writer',
  externalId: 'ext-eu-111',
};
const TARGET_AP = {
  tableName: 'orders-replica',
  region: 'ap-southeast-2',
  roleArn: 'arn:aws:iam::222222222222:role/ddbsync-writer',
  externalId: 'ext-ap-222',
};
/** A role in an account where the target table was never created. */
const TARGET_MISSING = {
  tableName: 'no-such-table',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::333333333333:role/ddbsync-writer',
  externalId: 'ext-333',
};

let moto: MotoServer;
let zipPath: string;
let source: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let sqs: SQSClient;
const running: LocalLambda[] = [];

function esmSettings(streamArn: string, overrides: Partial<EsmSettings> = {}): EsmSettings {
  return {
    streamArn,
    functionArn: FUNCTION_ARN,
    batchSize: 10,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: 2,
    bisectBatchOnFunctionError: false,
    maximumRecordAgeInSeconds: -1,
    reportBatchItemFailures: true,
    ...overrides,
  };
}

async function startFunction(targets: object[], extraEnv: Record<string, string> = {}): Promise<LocalLambda> {
  const fn = await startLocalLambda({
    zipPath,
    functionName: FUNCTION_NAME,
    functionArn: FUNCTION_ARN,
    timeoutMs: 30_000,
    env: { ...moto.env(SOURCE_REGION), REPLICATION_TARGETS: JSON.stringify(targets), ...extraEnv },
  });
  running.push(fn);
  return fn;
}

/** Wraps invoke to keep every outcome for assertions on logs and responses. */
function recording(fn: LocalLambda): { outcomes: InvokeOutcome[]; invoke: LocalLambda['invoke'] } {
  const outcomes: InvokeOutcome[] = [];
  return {
    outcomes,
    invoke: async (event) => {
      const out = await fn.invoke(event);
      outcomes.push(out);
      return out;
    },
  };
}

beforeAll(async () => {
  moto = await startMoto();
  // Test exactly what the sources build now (make check-zip guards the committed copy),
  // unless REPLICATOR_ZIP names a package to test instead.
  if (process.env.REPLICATOR_ZIP) {
    zipPath = process.env.REPLICATOR_ZIP;
  } else {
    zipPath = join(tmpdir(), `replicator-${process.pid}-${Date.now()}.zip`);
    await writeFile(zipPath, await buildZip());
  }
  const clientConfig = { endpoint: moto.endpoint, region: SOURCE_REGION, credentials: MOTO_CREDENTIALS };
  source = dynamoClient(moto.endpoint, SOURCE_REGION);
  streams = new DynamoDBStreamsClient(clientConfig);
  sqs = new SQSClient(clientConfig);
});

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await moto?.stop();
});

describe('replication across accounts and regions', () => {
  it('makes every target byte-equal to the source, assuming each role once per container, logging no item contents', async () => {
    const streamArn = (await createTable(source, 'orders', { stream: true })) as string;
    const targetClients: DynamoDBClient[] = [];
    for (const t of [TARGET_EU, TARGET_AP]) {
      const client = await assumedRoleDynamoClient(moto.endpoint, t.region, t.roleArn, {
        externalId: t.externalId,
      });
      await createTable(client, t.tableName);
      targetClients.push(client);
    }

    // Inserts: every tricky type, then plain items so that there are several batches.
    const items = [...trickyItems('tricky'), ...trickyItems('tricky-2')];
    for (let i = 0; i < 30; i++) {
      items.push({
        pk: { S: 'plain' },
        sk: { N: String(i) },
        n: { N: String(i * 1.5) },
        tag: { S: `#${i}` },
      });
    }
    for (const item of items) await source.send(new PutItemCommand({ TableName: 'orders', Item: item }));
    // Updates: change and remove attributes, grow a set, overwrite the large item.
    await source.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { pk: { S: 'tricky' }, sk: { N: '1' } },
        UpdateExpression: 'SET s0 = :v, added = :b REMOVE s1',
        ExpressionAttributeValues: { ':v': { S: 'now set' }, ':b': { B: ALL_BYTES.slice(100) } },
      }),
    );
    await source.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { pk: { S: 'tricky' }, sk: { N: '4' } },
        UpdateExpression: 'ADD stringSet :s SET nothing = :n',
        ExpressionAttributeValues: { ':s': { SS: ['added'] }, ':n': { N: '-1E-130' } },
      }),
    );
    const large = trickyItems('tricky-2')[5] as (typeof items)[number];
    await source.send(
      new PutItemCommand({
        TableName: 'orders',
        Item: { ...large, bigText: { S: 'Ω'.repeat(120_000) } },
      }),
    );
    // Deletes, including one key deleted and written again.
    for (const key of [
      { pk: { S: 'tricky-2' }, sk: { N: '3' } },
      { pk: { S: 'plain' }, sk: { N: '7' } },
      { pk: { S: 'plain' }, sk: { N: '8' } },
      { pk: { S: 'plain' }, sk: { N: '9' } },
    ]) {
      await source.send(new DeleteItemCommand({ TableName: 'orders', Key: key }));
    }
    await source.send(
      new PutItemCommand({
        TableName: 'orders',
        Item: { pk: { S: 'plain' }, sk: { N: '9' }, reborn: { BOOL: true } },
      }),
    );
    const writes = items.length + 3 + 4 + 1;

    const fn = await startFunction([TARGET_EU, TARGET_AP]);
    const rec = recording(fn);
    const esm = new LocalEventSourceMapping({
      settings: esmSettings(streamArn),
      streams,
      invoke: rec.invoke,
    });
    const stats = await esm.drain();

    expect(stats).toMatchObject({ records: writes, retries: 0, sentToDlq: 0 });
    expect(stats.invocations).toBeGreaterThanOrEqual(Math.ceil(writes / 10));
    for (const out of rec.outcomes) {
      expect(out.error).toBeUndefined();
      expect(out.result).toEqual({ batchItemFailures: [] });
    }

    const expected = canonicalTable(await scanAll(source, 'orders'));
    expect(expected.length).toBe(items.length - 4 + 1);
    for (const client of targetClients) {
      expect(canonicalTable(await scanAll(client, 'orders-replica'))).toEqual(expected);
    }

    // One environment served every batch and assumed each role exactly once, with its external id.
    expect(fn.environmentsStarted).toBe(1);
    const sessions = (await assumedRoleSessions(moto.endpoint)).filter((s) => s.sessionName !== 'test-setup');
    expect(sessions.map((s) => [s.roleArn, s.externalId, s.accountId]).sort()).toEqual(
      [
        [TARGET_EU.roleArn, TARGET_EU.externalId, '111111111111'],
        [TARGET_AP.roleArn, TARGET_AP.externalId, '222222222222'],
      ].sort(),
    );
    expect(sessions.every((s) => s.sessionName === `ddbsync-${FUNCTION_NAME}`)).toBe(true);

    // Logs: a JSON summary per batch, counts adding up, and no item contents anywhere.
    const logs = rec.outcomes.flatMap((o) => o.logs);
    const summaries = logs
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.message === 'batch applied');
    expect(summaries).toHaveLength(rec.outcomes.length);
    expect(summaries.reduce((n, s) => n + (s.received as number), 0)).toBe(writes);
    for (const s of summaries)
      expect(s).toMatchObject({ level: 'INFO', service: 'ddbsync', failedRecords: 0 });
    const metrics = logs.filter((l) => l.includes('"CloudWatchMetrics"'));
    expect(metrics.length).toBeGreaterThanOrEqual(rec.outcomes.length);
    const text = logs.join('\n');
    for (const forbidden of [SECRET_MARKER, 'héllo', '日本語', 'ÿÿÿÿ', 'ΩΩΩΩ', '#17']) {
      expect(text).not.toContain(forbidden);
    }

    // Writes after the first drain are delivered by the next one, from the checkpoint.
    await source.send(
      new PutItemCommand({ TableName: 'orders', Item: { pk: { S: 'late' }, sk: { N: '1' } } }),
    );
    expect(await esm.drain()).toMatchObject({ records: 1, invocations: 1 });
    for (const client of targetClients) {
      const scanned = await scanAll(client, 'orders-replica');
      expect(scanned.some((i) => i.pk?.S === 'late')).toBe(true);
    }
  });

  it('keeps feeding the good target while a failing one sends the batch to the on-failure queue', async () => {
    const streamArn = (await createTable(source, 'payments', { stream: true })) as string;
    const good = { ...TARGET_EU, tableName: 'payments-replica' };
    const goodClient = await assumedRoleDynamoClient(moto.endpoint, good.region, good.roleArn, {
      externalId: good.externalId,
    });
    await createTable(goodClient, good.tableName);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ddbsync-orders-failures' })))
      .QueueUrl;
    const queueArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn as string;

    for (let i = 0; i < 3; i++) {
      await source.send(
        new PutItemCommand({
          TableName: 'payments',
          Item: { pk: { S: 'pay' }, sk: { N: String(i) }, b: { B: ALL_BYTES } },
        }),
      );
    }

    const fn = await startFunction([good, TARGET_MISSING]);
    const rec = recording(fn);
    const esm = new LocalEventSourceMapping({
      settings: esmSettings(streamArn, { maximumRetryAttempts: 2, onFailureDestination: queueArn }),
      streams,
      sqs,
      invoke: rec.invoke,
    });
    const stats = await esm.drain();

    // First attempt and two retries, each reporting the first record as the one to retry from.
    expect(stats).toEqual({ invocations: 3, records: 3, retries: 2, sentToDlq: 3, failureRecords: 1 });
    const sequenceNumbers = rec.outcomes.map(
      (o) =>
        (o.result as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures[0]
          ?.itemIdentifier,
    );
    expect(new Set(sequenceNumbers).size).toBe(1);
    const warnings = rec.outcomes.flatMap((o) => o.logs).filter((l) => l.includes('target write failed'));
    expect(warnings.length).toBe(3);
    expect(warnings[0]).toContain('no-such-table');

    const messages = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(messages.Messages).toHaveLength(1);
    const record = JSON.parse(messages.Messages?.[0]?.Body as string) as OnFailureRecord;
    const last = rec.outcomes[2] as InvokeOutcome;
    expect(record).toEqual({
      requestContext: {
        requestId: last.requestId,
        functionArn: FUNCTION_ARN,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      DDBStreamBatchInfo: {
        shardId: expect.stringMatching(/^shardId-/),
        startSequenceNumber: sequenceNumbers[0],
        endSequenceNumber: (BigInt(sequenceNumbers[0] as string) + 2n).toString(),
        approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        batchSize: 3,
        streamArn,
      },
    });

    expect(canonicalTable(await scanAll(goodClient, good.tableName))).toEqual(
      canonicalTable(await scanAll(source, 'payments')),
    );
  });

  it('fails the init with an error naming the bad setting, on every invocation', async () => {
    const fn = await startFunction([TARGET_EU], { MAX_CONCURRENCY: 'lots' });
    const first = await fn.invoke({ Records: [] });
    expect(first.error).toMatchObject({ name: 'ConfigError', phase: 'init' });
    expect(first.error?.message).toContain('MAX_CONCURRENCY');
    expect(first.logs.join('\n')).toContain('invalid configuration');
    const second = await fn.invoke({ Records: [] });
    expect(second.error?.message).toContain('MAX_CONCURRENCY');
    expect(fn.environmentsStarted).toBe(2);
  });

  it('skips TTL deletes when SKIP_TTL_DELETES=true and applies user deletes', async () => {
    // moto has no TTL process, so its stream never holds a TTL delete. The REMOVE records
    // here are real stream records; one is given the userIdentity DynamoDB puts on TTL deletes.
    const streamArn = (await createTable(source, 'sessions', { stream: true })) as string;
    const target = { ...TARGET_AP, tableName: 'sessions-replica' };
    const targetClient = await assumedRoleDynamoClient(moto.endpoint, target.region, target.roleArn, {
      externalId: target.externalId,
    });
    await createTable(targetClient, target.tableName);
    for (const sk of ['1', '2']) {
      await source.send(
        new PutItemCommand({ TableName: 'sessions', Item: { pk: { S: 'sess' }, sk: { N: sk } } }),
      );
    }
    const fn = await startFunction([target], { SKIP_TTL_DELETES: 'true' });
    const esm = new LocalEventSourceMapping({
      settings: esmSettings(streamArn),
      streams,
      invoke: (event) => fn.invoke(event),
    });
    await esm.drain();
    expect(await scanAll(targetClient, target.tableName)).toHaveLength(2);

    for (const sk of ['1', '2']) {
      await source.send(
        new DeleteItemCommand({ TableName: 'sessions', Key: { pk: { S: 'sess' }, sk: { N: sk } } }),
      );
    }
    const outcomes: InvokeOutcome[] = [];
    const ttlEsm = new LocalEventSourceMapping({
      settings: esmSettings(streamArn, { startingPosition: 'TRIM_HORIZON' }),
      streams,
      invoke: async (event) => {
        const records = event.Records.filter((r) => r.eventName === 'REMOVE');
        const first = records[0] as (typeof records)[number];
        first.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
        const out = await fn.invoke({ Records: records });
        outcomes.push(out);
        return out;
      },
    });
    await ttlEsm.drain();
    const summary = outcomes
      .flatMap((o) => o.logs)
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'batch applied');
    expect(summary).toMatchObject({ received: 2, skipped: 1, itemsDeleted: 1 });
    const left = await scanAll(targetClient, target.tableName);
    expect(left.map((i) => i.sk?.N)).toEqual(['1']);
  });
});
