/**
 * ddbsync status against moto: a replicator function with its stream mapping, dead-letter
 * queue and CloudWatch data as Terraform deploys them (moto's mapping is left without
 * writes to its table: moto would invoke the function through Docker and empty the stream).
 */
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicatorStatus } from '../../cli/src/status.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import { cli, createTable, TARGET_ACCOUNT, TARGET_ROLE, useMoto } from './helpers.js';
import { createPlaceholderFunction } from './placeholder-function.js';

const REGION = 'us-east-1';

interface Account {
  id: string;
  credentials?: AwsCredentialIdentity;
}

/** A function, its role, a table with a stream, a DLQ and the mapping between them. */
async function deployReplicator(account: Account, name: string, dlqMessages: number): Promise<string> {
  const config = { region: REGION, ...(account.credentials ? { credentials: account.credentials } : {}) };
  const lambda = new LambdaClient(config);
  const sqs = new SQSClient(config);
  const dynamo = new DynamoDBClient(config);
  await createPlaceholderFunction(config, name, {
    REPLICATION_TARGETS: JSON.stringify([
      { tableName: `${name}-copy`, region: 'eu-west-1', roleArn: TARGET_ROLE },
      { tableName: `${name}-copy`, region: 'us-west-2' },
    ]),
    POWERTOOLS_METRICS_NAMESPACE: 'orders-sync',
    POWERTOOLS_SERVICE_NAME: name,
  });
  await createTable(dynamo, `${name}-table`, { stream: true });
  const streamArn = (await dynamo.send(new DescribeTableCommand({ TableName: `${name}-table` }))).Table
    ?.LatestStreamArn as string;
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl as string;
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn as string;
  for (let i = 0; i < dlqMessages; i++) {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ version: '1.0', n: i }) }),
    );
  }
  await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: name,
      EventSourceArn: streamArn,
      StartingPosition: 'LATEST',
      BatchSize: 250,
      MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: queueArn } },
    }),
  );
  return queueArn;
}

describe('ddbsync status', () => {
  let moto: MotoServer;
  let otherAccount: Account;

  beforeAll(async () => {
    moto = await startMoto();
    useMoto(moto);
    const sts = new STSClient({ region: REGION });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: TARGET_ROLE, RoleSessionName: 'setup' })))
      .Credentials;
    otherAccount = {
      id: TARGET_ACCOUNT,
      credentials: {
        accessKeyId: c?.AccessKeyId as string,
        secretAccessKey: c?.SecretAccessKey as string,
        sessionToken: c?.SessionToken as string,
      },
    };
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('shows the mapping, the dead-letter depth and the CloudWatch figures, and what needs attention', async () => {
    const queueArn = await deployReplicator({ id: '123456789012' }, 'orders-replicator', 2);
    const cloudwatch = new CloudWatchClient({ region: REGION });
    const at = new Date(Date.now() - 5 * 60_000);
    const lambdaDims = [{ Name: 'FunctionName', Value: 'orders-replicator' }];
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Lambda',
        MetricData: [
          {
            MetricName: 'IteratorAge',
            Dimensions: lambdaDims,
            Timestamp: at,
            Value: 1_500,
            Unit: 'Milliseconds',
          },
          {
            MetricName: 'IteratorAge',
            Dimensions: lambdaDims,
            Timestamp: at,
            Value: 95_000,
            Unit: 'Milliseconds',
          },
          { MetricName: 'Invocations', Dimensions: lambdaDims, Timestamp: at, Value: 40, Unit: 'Count' },
          { MetricName: 'Errors', Dimensions: lambdaDims, Timestamp: at, Value: 2, Unit: 'Count' },
          { MetricName: 'Errors', Dimensions: lambdaDims, Timestamp: at, Value: 1, Unit: 'Count' },
          { MetricName: 'Throttles', Dimensions: lambdaDims, Timestamp: at, Value: 0, Unit: 'Count' },
          // Another function's figures are not counted.
          {
            MetricName: 'Errors',
            Dimensions: [{ Name: 'FunctionName', Value: 'someone-else' }],
            Timestamp: at,
            Value: 50,
            Unit: 'Count',
          },
        ],
      }),
    );
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'orders-sync',
        MetricData: [
          {
            MetricName: 'FailedRecords',
            Dimensions: [{ Name: 'service', Value: 'orders-replicator' }],
            Timestamp: at,
            Value: 7,
            Unit: 'Count',
          },
        ],
      }),
    );

    const json = await cli(['status', '--function', 'orders-replicator', '--json', '--window', '30']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(1);
    const status = JSON.parse(json.stdout) as ReplicatorStatus;
    expect(status.function).toMatchObject({
      name: 'orders-replicator',
      runtime: 'nodejs22.x',
      targets: [`orders-replicator-copy@eu-west-1 as ${TARGET_ROLE}`, 'orders-replicator-copy@us-west-2'],
    });
    expect(status.function.lastModified).toEqual(expect.any(String));
    expect(status.mappings).toHaveLength(1);
    expect(status.mappings[0]).toMatchObject({
      state: 'Enabled',
      batchSize: 250,
      startingPosition: 'LATEST',
      maximumRetryAttempts: 3,
      bisectBatchOnFunctionError: true,
      reportBatchItemFailures: true,
      onFailureDestination: queueArn,
      deadLetterQueue: { messages: 2, inFlight: 0 },
    });
    expect(status.mappings[0]?.eventSourceArn).toMatch(/table\/orders-replicator-table\/stream\//);
    expect(status.metrics).toEqual({
      windowMinutes: 30,
      iteratorAgeMaxMs: 95_000,
      invocations: 40,
      errors: 3,
      throttles: 0,
      failedRecords: 7,
    });
    expect(status.attention).toEqual([
      `2 failed batches in the dead-letter queue: ddbsync redrive --queue-url ${queueArn} --targets-file <targets>`,
      'iterator age reached 95.0 s: the function is behind the stream',
      '3 function errors in the last 30 min (see the log group)',
      '7 records failed to replicate in the last 30 min',
    ]);

    // By ARN, from a shell set to another region: the ARN's region and the function's name
    // (the metrics' dimension) are used.
    const byArn = await cli([
      '--region',
      'eu-west-1',
      'status',
      '--function',
      'arn:aws:lambda:us-east-1:123456789012:function:orders-replicator',
      '--json',
      '--window',
      '30',
    ]);
    expect(byArn.stderr).toBe('');
    const viaArn = JSON.parse(byArn.stdout) as ReplicatorStatus;
    expect(viaArn.function.region).toBe('us-east-1');
    expect(viaArn.mappings).toHaveLength(1);
    expect(viaArn.metrics).toEqual(status.metrics);

    const text = await cli(['status', '--function', 'orders-replicator', '--window', '30']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^replicator orders-replicator \(us-east-1\)\n/);
    expect(text.stdout).toMatch(/ {2}function {5}nodejs22\.x.*; last modified /);
    expect(text.stdout).toMatch(/mapping {6}[0-9a-f-]+: Enabled, last result /);
    expect(text.stdout).toMatch(
      /settings {3}batch size 250, starting position LATEST, retries 3, bisect on, partial batch responses on/,
    );
    expect(text.stdout).toContain(`on failure ${queueArn}: 2 messages waiting, 0 in flight`);
    expect(text.stdout).toMatch(
      /last 30 min {2}iterator age max 95\.0 s, 40 invocations, 3 errors, 0 throttles, 7 failed records/,
    );
    expect(text.stdout).toMatch(/attention:\n {2}- 2 failed batches in the dead-letter queue/);
    expect(text.stdout.split('\n').length).toBeLessThan(25);
  });

  it('reads a replicator in another account through --role-arn; all well is exit 0', async () => {
    await deployReplicator(otherAccount, 'quiet-replicator', 0);
    const r = await cli(['status', '--function', 'quiet-replicator', '--role-arn', TARGET_ROLE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `arn:aws:sqs:${REGION}:${TARGET_ACCOUNT}:quiet-replicator-dlq: 0 messages waiting`,
    );
    expect(r.stdout).toMatch(/iterator age max no data, 0 invocations, 0 errors/);
    expect(r.stdout).toMatch(/\nstatus: OK\n$/);
    // Without the role the function is not in this account.
    const mine = await cli(['status', '--function', 'quiet-replicator']);
    expect(mine.code).toBe(2);
    expect(mine.stdout).toBe('');
    expect(mine.stderr).toBe('ddbsync: function "quiet-replicator" does not exist in us-east-1\n');
  });
});
