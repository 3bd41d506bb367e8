/**
 * The filter criteria of the mapping as created in Lambda reach delivery: a mapping created
 * (disabled, as the e2e tests deploy it) with FilterCriteria that drop REMOVE events is read
 * back with GetEventSourceMapping and run by the emulator in front of the replicator; the
 * deleted item stays in the copy, and without the filter it is deleted. On AWS, a record that
 * matches no filter is never delivered and counts as processed.
 */

import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTargetWriters, replicateBatch } from '#core';
import { LocalEventSourceMapping, settingsFromMapping } from '../support/event-source-mapping.js';
import { canonicalTable, createTable, dynamoClient, MOTO_CREDENTIALS, scanAll } from '../support/fixtures.js';
import { startLocalAws } from '../support/local-aws.js';
import type { MotoServer } from '../support/moto.js';

const REGION = 'us-east-1';
let moto: MotoServer;
let roleArn: string;

beforeAll(async () => {
  moto = await startLocalAws();
  Object.assign(process.env, moto.env(REGION)); // the replicator's writers use the standard environment
  const iam = new IAMClient({ endpoint: moto.endpoint, region: REGION, credentials: MOTO_CREDENTIALS });
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: 'filter-test-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  roleArn = role.Role?.Arn as string;
  iam.destroy();
});

afterAll(async () => {
  await moto?.stop();
});

/** Replicates `name` into `name-copy` through a mapping created in Lambda with these filter patterns. */
async function replicateThrough(
  name: string,
  patterns: string[],
): Promise<{ copy: unknown[]; source: unknown[] }> {
  const config = { endpoint: moto.endpoint, region: REGION, credentials: MOTO_CREDENTIALS };
  const dynamo = dynamoClient(moto.endpoint, REGION);
  const lambda = new LambdaClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const streamArn = (await createTable(dynamo, name, { stream: true })) as string;
  await createTable(dynamo, `${name}-copy`);
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: roleArn,
      Code: {
        ZipFile: zipSync({
          'index.mjs': new TextEncoder().encode('export const handler = async () => ({});'),
        }),
      },
    }),
  );
  const created = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: name,
      EventSourceArn: streamArn,
      Enabled: false,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ...(patterns.length > 0
        ? { FilterCriteria: { Filters: patterns.map((Pattern) => ({ Pattern })) } }
        : {}),
    }),
  );
  const settings = settingsFromMapping(
    await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })),
  );
  const writers = createTargetWriters([{ tableName: `${name}-copy`, region: REGION }], {
    sessionName: 'filter-test',
    stsRegion: REGION,
  });
  const replicator = { excludeAttributes: new Set<string>(), skipTtlDeletes: false, maxConcurrency: 4 };
  const esm = new LocalEventSourceMapping({
    settings,
    streams,
    invoke: async (event) => ({
      result: (await replicateBatch(event.Records, replicator, writers, { deadline: Date.now() + 10_000 }))
        .response,
    }),
  });
  const key = (sk: number) => ({ pk: { S: 'order' }, sk: { N: String(sk) } });
  for (const sk of [1, 2, 3]) {
    await dynamo.send(new PutItemCommand({ TableName: name, Item: { ...key(sk), status: { S: 'open' } } }));
  }
  await dynamo.send(new DeleteItemCommand({ TableName: name, Key: key(2) }));
  await dynamo.send(new PutItemCommand({ TableName: name, Item: { ...key(3), status: { S: 'shipped' } } }));
  const stats = await esm.drain();
  expect(stats).toMatchObject({ records: 5, sentToDlq: 0 });
  const out = {
    copy: canonicalTable(await scanAll(dynamo, `${name}-copy`)),
    source: canonicalTable(await scanAll(dynamo, name)),
  };
  for (const c of [dynamo, lambda, streams]) c.destroy();
  return out;
}

describe('FilterCriteria of the mapping Lambda has', () => {
  it('keeps deleted items in the copy when the filter drops REMOVE events', async () => {
    const { copy, source } = await replicateThrough('filtered', ['{"eventName":["INSERT","MODIFY"]}']);
    expect(source).toHaveLength(2);
    expect(copy).toHaveLength(3);
    expect(copy).toEqual(expect.arrayContaining(source));
    expect(copy).toContainEqual(expect.objectContaining({ sk: { N: '2' }, status: { S: 'open' } }));
  });

  it('deletes them without a filter', async () => {
    const { copy, source } = await replicateThrough('unfiltered', []);
    expect(copy).toEqual(source);
    expect(copy).toHaveLength(2);
  });
});
