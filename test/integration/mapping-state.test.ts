/**
 * The replicator's event source mapping on the local AWS as the first sync drives it: a
 * workflow pauses and enables it with UpdateEventSourceMapping, and the tests' emulator
 * (test/support/mapping-follower.ts) delivers the stream only while it is Enabled, from its
 * checkpoint. Two launcher patches make this possible (test/support/moto_server.py, 1 and 4);
 * stock moto_server fails both tests that need them (LOCAL_AWS_SERVER=moto_server shows it):
 * it hands every write to an enabled mapping itself (through Docker) and then empties the
 * stream shard, and it reports Disabled while the emulator may still be invoking the function.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamRecord } from '#core';
import { LocalEventSourceMapping, settingsFromMapping } from '../support/event-source-mapping.js';
import { createTable, dynamoClient, MOTO_CREDENTIALS, type SdkItem } from '../support/fixtures.js';
import { type LocalAwsWithLambda, startLocalAws } from '../support/local-aws.js';
import { MappingFollower } from '../support/mapping-follower.js';
import { bundleHandler, deployFunction, type TestFunction } from '../support/test-functions.js';

const REGION = 'us-east-1';
const config = { region: REGION, credentials: MOTO_CREDENTIALS };

let aws: LocalAwsWithLambda;
let lambda: LambdaClient;
let streams: DynamoDBStreamsClient;
let fn: TestFunction;

beforeAll(async () => {
  aws = await startLocalAws({ localLambda: true });
  lambda = new LambdaClient({ ...config, endpoint: aws.endpoint });
  streams = new DynamoDBStreamsClient({ ...config, endpoint: aws.endpoint });
  fn = await deployFunction({
    endpoint: aws.endpoint,
    region: REGION,
    credentials: MOTO_CREDENTIALS,
    name: 'stream-sink',
    zip: await bundleHandler('export const handler = async () => ({ batchItemFailures: [] });'),
  });
});

afterAll(async () => {
  lambda?.destroy();
  streams?.destroy();
  await aws?.stop();
});

/** A table with a stream, a mapping from it to the function, and a writer of numbered items. */
async function pipeline(name: string, enabled: boolean) {
  const dynamo = dynamoClient(aws.endpoint, REGION);
  const streamArn = (await createTable(dynamo, name, { stream: true })) as string;
  const created = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: fn.functionArn,
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      Enabled: enabled,
      BatchSize: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    }),
  );
  const uuid = created.UUID as string;
  const put = async (...ns: number[]) => {
    for (const n of ns) {
      await dynamo.send(
        new PutItemCommand({ TableName: name, Item: { pk: { S: 'k' }, sk: { N: String(n) } } }),
      );
    }
  };
  return { dynamo, streamArn, uuid, put };
}

async function state(uuid: string): Promise<string | undefined> {
  return (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State;
}

async function setEnabled(uuid: string, enabled: boolean): Promise<string | undefined> {
  return (await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }))).State;
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`not ${what} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the replicator mapping on the local AWS', () => {
  it('an enabled mapping leaves the stream in place for the emulator, every record with its own sequence number', async () => {
    const { streamArn, put, dynamo } = await pipeline('enabled-mapping', true);
    await put(1, 2, 3, 4, 5);
    const shardId = 'shardId-00000001541626099285-f35f62ef'; // moto's single shard
    const it0 = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const got = await streams.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }));
    const records = got.Records ?? [];
    expect(records.map((r) => r.dynamodb?.Keys?.sk?.N)).toEqual(['1', '2', '3', '4', '5']);
    expect(new Set(records.map((r) => r.dynamodb?.SequenceNumber)).size).toBe(5);
    // moto did not run the function for those writes (nor did anyone else).
    expect(aws.lambda.invocations).toHaveLength(0);
    dynamo.destroy();
  });

  it('without a poller the state changes at once, as moto does', async () => {
    const { uuid, dynamo } = await pipeline('unpolled', true);
    expect(await setEnabled(uuid, false)).toBe('Disabled');
    expect(await state(uuid)).toBe('Disabled');
    dynamo.destroy();
  });

  it('stays Disabling until the poller stops, delivers only while Enabled, and resumes from its checkpoint', async () => {
    const { uuid, put, dynamo } = await pipeline('paused', false);
    const delivered: string[] = [];
    let inFlight = false;
    let deliveredWhileDisabled = 0;
    const esm = new LocalEventSourceMapping({
      settings: settingsFromMapping(await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))),
      streams,
      invoke: async (event: { Records: StreamRecord[] }) => {
        inFlight = true;
        if ((await state(uuid)) === 'Disabled') deliveredWhileDisabled++;
        await new Promise((r) => setTimeout(r, 30)); // a batch takes a while
        for (const r of event.Records)
          delivered.push(String((r.dynamodb?.Keys as SdkItem | undefined)?.sk?.N));
        inFlight = false;
        return { result: { batchItemFailures: [] } };
      },
    });
    const follower = new MappingFollower({ esm, lambda, uuid, endpoint: aws.endpoint, pollMs: 20 });
    try {
      // Created disabled at TRIM_HORIZON: nothing is delivered until it is enabled.
      await put(1, 2, 3);
      await follower.start();
      await new Promise((r) => setTimeout(r, 300));
      expect(delivered).toEqual([]);

      expect(await setEnabled(uuid, true)).toBe('Enabling');
      await follower.settle(20_000);
      expect(await state(uuid)).toBe('Enabled');
      expect(delivered).toEqual(['1', '2', '3']);

      // Paused while records keep coming: Disabled is reported only once no batch is in flight.
      await put(4, 5, 6, 7, 8, 9);
      const pausing = follower.settle(20_000);
      expect(await setEnabled(uuid, false)).toBe('Disabling');
      await until('Disabled', async () => (await state(uuid)) === 'Disabled');
      expect(inFlight).toBe(false);
      const atPause = delivered.length;
      await put(10, 11);
      await new Promise((r) => setTimeout(r, 300));
      expect(delivered).toHaveLength(atPause);

      // Enabled again: from the checkpoint, every record once, in order.
      expect(await setEnabled(uuid, true)).toBe('Enabling');
      await pausing;
      await follower.settle(20_000);
      expect(delivered).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
      expect(deliveredWhileDisabled).toBe(0);
      expect(follower.stateLog).toEqual(
        expect.arrayContaining(['Disabled', 'Enabling', 'Enabled', 'Disabling']),
      );
    } finally {
      await follower.stop();
      dynamo.destroy();
    }
  });
});
