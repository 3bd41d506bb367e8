/**
 * ddbsync redrive when the mapping has filter criteria: the reported range (and the later
 * changes) can hold records the mapping filtered out and never delivered; redrive must not
 * apply them, or it does what the replicator never would (here: delete an item the filter
 * keeps). The filter is the module's filter_patterns, passed as --filter-patterns.
 */
import {
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { replicateBatch } from '#core';
import { LocalEventSourceMapping } from '../support/event-source-mapping.js';
import { startLocalAws } from '../support/local-aws.js';
import { cli, createTable, inProcessReplicator, scanAll, TARGET_ROLE, useCliAccounts } from './helpers.js';

const KEEP_DELETED = '{"eventName":["INSERT","MODIFY"]}';

describe('ddbsync redrive with the mapping filter criteria', () => {
  let source: DynamoDBClient;
  let target: DynamoDBClient;
  let sqs: SQSClient;

  useCliAccounts(
    'eu-west-1',
    (a) => {
      ({ source, target } = a);
    },
    startLocalAws,
  );
  beforeAll(async () => {
    sqs = new SQSClient({ region: 'us-east-1' });
  });

  /** A failed batch of x, y, z whose range holds the REMOVE of x that the filter dropped. */
  async function failedBatch(name: string) {
    await createTable(source, name, { stream: true });
    const streamArn = (await source.send(new DescribeTableCommand({ TableName: name }))).Table
      ?.LatestStreamArn as string;
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` })))
      .QueueUrl as string;
    const targetsJson = JSON.stringify([
      { tableName: `${name}-copy`, region: 'eu-west-1', roleArn: TARGET_ROLE },
    ]);
    const { writers, config } = inProcessReplicator(targetsJson);
    const esm = new LocalEventSourceMapping({
      settings: {
        streamArn,
        functionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
        batchSize: 10,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 0,
        bisectBatchOnFunctionError: false,
        maximumRecordAgeInSeconds: -1,
        reportBatchItemFailures: true,
        onFailureDestination: queueUrl,
        filterPatterns: [KEEP_DELETED],
      },
      streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
      sqs,
      invoke: async (event) => ({
        result: (await replicateBatch(event.Records, config, writers, { deadline: Date.now() + 3000 }))
          .response,
      }),
    });
    for (const pk of ['x', 'y'])
      await source.send(new PutItemCommand({ TableName: name, Item: { pk: { S: pk } } }));
    await source.send(new DeleteItemCommand({ TableName: name, Key: { pk: { S: 'x' } } }));
    await source.send(new PutItemCommand({ TableName: name, Item: { pk: { S: 'z' } } }));
    // The copy does not exist yet: the delivered x, y, z fail and go to the queue as one range.
    expect(await esm.drain()).toMatchObject({ records: 4, filtered: 1, sentToDlq: 3, failureRecords: 1 });
    await createTable(target, `${name}-copy`);
    return { queueUrl, targetsJson };
  }

  it('applies only the records the filter lets through', async () => {
    const { queueUrl, targetsJson } = await failedBatch('rf');
    const r = await cli([
      'redrive',
      '--queue-url',
      queueUrl,
      '--targets',
      targetsJson,
      '--filter-patterns',
      JSON.stringify([KEEP_DELETED]),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /redriven: 3 records \(1 filtered out by --filter-patterns\), 3 puts, 0 deletes/,
    );
    // x stays, as the replicator behind this filter would have left it.
    expect([...(await scanAll(target, 'rf-copy')).keys()].sort()).toEqual(['x|', 'y|', 'z|']);
  });

  it('refuses filter patterns it cannot read, doing nothing', async () => {
    const { queueUrl, targetsJson } = await failedBatch('rfbad');
    for (const bad of [
      '{"eventName":["INSERT"]}',
      '["not json"]',
      '["{\\"eventName\\":[{\\"wildcard\\":\\"*\\"}]}"]',
    ]) {
      const r = await cli([
        'redrive',
        '--queue-url',
        queueUrl,
        '--targets',
        targetsJson,
        '--filter-patterns',
        bad,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--filter-patterns/);
    }
    expect((await scanAll(target, 'rfbad-copy')).size).toBe(0);
  });
});
