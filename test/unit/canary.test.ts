/**
 * The lag canary with its real Powertools logger and metrics, DynamoDB mocked per client
 * and a fake clock: what it writes, when it calls a heartbeat missing, the latency it
 * reports, the EMF lines it prints, and the settings it refuses.
 */
import {
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  type GetItemCommandOutput,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type CanaryConfig, parseCanaryConfig } from '../../lambda/src/canary/config.js';
import { createCanaryHandler } from '../../lambda/src/canary/handler.js';
import { hasArrived } from '../../lambda/src/canary/heartbeat-wait.js';
import { ConfigError } from '../../lambda/src/errors.js';
import { createLogger, createMetrics } from '../../lambda/src/observability.js';
import { captureOutput } from './output-capture.js';

const ENV = {
  AWS_REGION: 'us-east-1',
  SOURCE_TABLE: 'orders',
  HEARTBEAT_KEY: '{"pk":{"S":"__ddbsync_heartbeat__"},"sk":{"N":"0"}}',
  HEALTH_TARGETS: JSON.stringify([
    { tableName: 'orders-replica', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/h' },
    { tableName: 'orders-copy' },
  ]),
  MISS_THRESHOLD_SECONDS: '10',
  POLL_INTERVAL_MS: '500',
  HEARTBEAT_TTL_ATTRIBUTE: 'expires',
};
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:999999999999:function:orders-canary';
const EU = '111111111111/eu-west-1/orders-replica';
const US = '999999999999/us-east-1/orders-copy';
const START = 1_700_000_000_000;

const { printed } = captureOutput();
const emf = () => printed().filter((l) => '_aws' in l);

/** A clock that moves only when the canary sleeps or a mocked read takes time. */
function fakeClock() {
  const clock = {
    t: START,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.t += ms;
    },
  };
  return clock;
}

type Reply = (call: number) => GetItemCommandOutput['Item'] | Error;

/** A canary with one mocked client per table; `replies[i]` answers target i's n-th read. */
function canary(replies: Reply[], options: { env?: Record<string, string>; readMs?: number } = {}) {
  const config: CanaryConfig = parseCanaryConfig({ ...ENV, ...options.env });
  const clock = fakeClock();
  const source = new DynamoDBClient({ region: 'us-east-1' });
  const sourceMock = mockClient(source);
  sourceMock.on(PutItemCommand).resolves({});
  const targets = config.targets.map((t) => new DynamoDBClient({ region: t.region }));
  const targetMocks = targets.map((client, i) => {
    const mock = mockClient(client);
    let calls = 0;
    mock.on(GetItemCommand).callsFake(async () => {
      clock.t += options.readMs ?? 10;
      const reply = (replies[i] as Reply)(calls++);
      if (reply instanceof Error) throw reply;
      return { Item: reply };
    });
    return mock;
  });
  const handler = createCanaryHandler({
    config,
    source,
    targets,
    logger: createLogger(),
    metrics: createMetrics(),
    now: clock.now,
    sleep: clock.sleep,
    newId: () => 'hb-1',
  });
  const context = { getRemainingTimeInMillis: () => 60_000, invokedFunctionArn: FUNCTION_ARN };
  return { handler, context, clock, sourceMock, targetMocks };
}

/** The heartbeat as a target holds it once replicated. */
const ours = () => ({ ddbsync_heartbeat_id: { S: 'hb-1' }, ddbsync_heartbeat_at: { N: String(START) } });
const absent = () => undefined;

describe('canary settings', () => {
  it.each([
    [{ SOURCE_TABLE: undefined }, 'SOURCE_TABLE'],
    [{ SOURCE_TABLE: 'x' }, 'SOURCE_TABLE'],
    [{ HEARTBEAT_KEY: undefined }, 'HEARTBEAT_KEY'],
    [{ HEARTBEAT_KEY: '{"pk":' }, 'HEARTBEAT_KEY'],
    [{ HEARTBEAT_KEY: '{"pk":{"S":"canary"}}' }, 'HEARTBEAT_KEY'],
    [{ HEARTBEAT_KEY: '{"a":{"S":"__ddbsync_heartbeat__"},"b":{"N":"1"},"c":{"N":"2"}}' }, 'HEARTBEAT_KEY'],
    [{ HEARTBEAT_KEY: '{"pk":{"S":"__ddbsync_heartbeat__"},"sk":{"M":{}}}' }, 'HEARTBEAT_KEY.sk'],
    [{ HEALTH_TARGETS: undefined }, 'HEALTH_TARGETS'],
    [{ HEALTH_TARGETS: '[{"tableName":"tbl","roleArn":"nope"}]' }, 'HEALTH_TARGETS[0].roleArn'],
    [{ MISS_THRESHOLD_SECONDS: '0' }, 'MISS_THRESHOLD_SECONDS'],
    [{ MISS_THRESHOLD_SECONDS: '900' }, 'MISS_THRESHOLD_SECONDS'],
    [{ POLL_INTERVAL_MS: '10' }, 'POLL_INTERVAL_MS'],
    [{ POLL_INTERVAL_MS: '10000' }, 'POLL_INTERVAL_MS'],
    [{ HEARTBEAT_TTL_SECONDS: 'soon' }, 'HEARTBEAT_TTL_SECONDS'],
    [{ HEARTBEAT_TTL_ATTRIBUTE: 'sk' }, 'HEARTBEAT_TTL_ATTRIBUTE'],
    [{ HEARTBEAT_TTL_ATTRIBUTE: 'ddbsync_heartbeat_at' }, 'HEARTBEAT_TTL_ATTRIBUTE'],
    [{ AWS_REGION: undefined }, 'AWS_REGION'],
  ])('refuses %j, naming %s', (change, setting) => {
    const env: Record<string, string | undefined> = { ...ENV, ...change };
    let error: unknown;
    try {
      parseCanaryConfig(env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(setting);
  });

  it('applies the defaults: 60 s threshold, 200 ms polls, a 1 h TTL', () => {
    const config = parseCanaryConfig({
      AWS_REGION: 'us-east-1',
      SOURCE_TABLE: 'orders',
      HEARTBEAT_KEY: '{"id":{"S":"__ddbsync_heartbeat__canary"}}',
      HEALTH_TARGETS: '[{"tableName":"orders-replica"}]',
    });
    expect(config).toMatchObject({ missThresholdMs: 60_000, pollIntervalMs: 200, ttlSeconds: 3600 });
    expect(config.ttlAttribute).toBeUndefined();
  });
});

describe('canary run', () => {
  it('writes the heartbeat (key, id, write time, expiry) to the source table', async () => {
    const c = canary([ours, ours]);
    await c.handler({}, c.context);
    const put = c.sourceMock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(put).toEqual({
      TableName: 'orders',
      Item: {
        pk: { S: '__ddbsync_heartbeat__' },
        sk: { N: '0' },
        ddbsync_heartbeat_id: { S: 'hb-1' },
        ddbsync_heartbeat_at: { N: String(START) },
        expires: { N: String(START / 1000 + 3600) },
      },
    });
    // Targets are read consistently, only the two heartbeat attributes.
    const get = c.targetMocks[0]?.commandCalls(GetItemCommand)[0]?.args[0].input;
    expect(get).toMatchObject({
      TableName: 'orders-replica',
      Key: { pk: { S: '__ddbsync_heartbeat__' }, sk: { N: '0' } },
      ConsistentRead: true,
      ProjectionExpression: '#id, #at',
    });
  });

  it('reports the time from the write to the read that first saw it', async () => {
    // One target, seen on its 4th read; every read takes 10 ms, polls are 500 ms apart.
    const one = JSON.stringify([
      { tableName: 'orders-replica', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/h' },
    ]);
    const c = canary([(n) => (n < 3 ? undefined : ours())], { env: { HEALTH_TARGETS: one } });
    const result = await c.handler({}, c.context);
    // Reads end at +10, +520, +1030, +1540 (500 ms pause + 10 ms read each time).
    expect(result.targets).toEqual([{ target: EU, arrived: true, latencyMs: 1_540, reads: 4 }]);
    expect(emf()).toEqual([
      expect.objectContaining({ Target: EU, EndToEndLatency: 1_540, HeartbeatMissing: 0 }),
    ]);
  });

  it('publishes one EMF line per target, with the service and Target dimensions', async () => {
    const c = canary([ours, ours]);
    await c.handler({}, c.context);
    const lines = emf();
    // A role target is labelled with the role's account, one without with the function's.
    expect(lines.map((l) => l.Target)).toEqual([EU, US]);
    for (const line of lines) {
      expect(line).toMatchObject({
        service: 'ddbsync',
        HeartbeatMissing: 0,
        EndToEndLatency: expect.any(Number),
      });
      const directives = (line._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] })
        .CloudWatchMetrics;
      expect(directives).toEqual([
        expect.objectContaining({ Namespace: 'ddbsync', Dimensions: [['service', 'Target']] }),
      ]);
    }
  });

  it('reports the heartbeat missing once the threshold has passed, with no latency', async () => {
    const c = canary([absent, ours]);
    const result = await c.handler({}, c.context);
    expect(result.targets[0]).toMatchObject({ target: EU, arrived: false });
    expect(result.targets[0]?.latencyMs).toBeUndefined();
    // Polled until the threshold (10 s) and not longer: the last read starts at the threshold.
    expect(c.clock.t - START).toBeGreaterThanOrEqual(10_000);
    expect(c.clock.t - START).toBeLessThan(10_000 + 500);
    const eu = emf().find((l) => l.Target === EU);
    expect(eu).toMatchObject({ HeartbeatMissing: 1 });
    expect(eu).not.toHaveProperty('EndToEndLatency');
    expect(printed().find((l) => l.level === 'WARN')).toMatchObject({
      target: EU,
      message: expect.stringMatching(/missing/),
    });
  });

  it('calls a heartbeat first seen after the threshold missing, and still gives its latency', async () => {
    const c = canary([(n) => (n < 19 ? undefined : ours()), ours], { readMs: 30 });
    const result = await c.handler({}, c.context);
    expect(result.targets[0]?.arrived).toBe(false);
    expect(result.targets[0]?.latencyMs).toBeGreaterThan(10_000);
    expect(emf().find((l) => l.Target === EU)).toMatchObject({ HeartbeatMissing: 1 });
  });

  it('takes a later heartbeat (an overlapping run) as arrival, never an earlier one', async () => {
    const heartbeat = { id: 'hb-1', at: START };
    expect(hasArrived({ id: 'hb-2', at: START + 60_000 }, heartbeat)).toBe(true);
    expect(hasArrived({ id: 'hb-0', at: START - 60_000 }, heartbeat)).toBe(false);
    expect(hasArrived({ id: 'hb-1' }, heartbeat)).toBe(true);
    expect(hasArrived(undefined, heartbeat)).toBe(false);

    const older = {
      ddbsync_heartbeat_id: { S: 'hb-0' },
      ddbsync_heartbeat_at: { N: String(START - 60_000) },
    };
    const c = canary([() => older, ours]);
    expect((await c.handler({}, c.context)).targets[0]?.arrived).toBe(false);
  });

  it('keeps polling through throttling, and stops at once on an error no retry fixes', async () => {
    const denied = new DynamoDBServiceException({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'not authorized to perform dynamodb:GetItem',
    });
    const throttled = new DynamoDBServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'slow down',
    });
    const c = canary([() => denied, (n) => (n < 2 ? throttled : ours())]);
    const result = await c.handler({}, c.context);
    expect(result.targets[0]).toMatchObject({
      arrived: false,
      reads: 1,
      error: expect.stringMatching(/AccessDenied/),
    });
    expect(result.targets[1]).toMatchObject({ arrived: true, reads: 3 });
    expect(emf().find((l) => l.Target === EU)).toMatchObject({ HeartbeatMissing: 1 });
    expect(printed().find((l) => l.level === 'ERROR')).toMatchObject({ target: EU });
  });

  it('refuses to run when the threshold does not fit in the invocation, naming the setting', async () => {
    const c = canary([ours, ours]);
    const short = { ...c.context, getRemainingTimeInMillis: () => 12_000 };
    await expect(c.handler({}, short)).rejects.toMatchObject({ setting: 'MISS_THRESHOLD_SECONDS' });
    expect(c.sourceMock.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('fails the invocation when the heartbeat cannot be written, publishing no miss', async () => {
    const c = canary([ours, ours]);
    c.sourceMock.on(PutItemCommand).rejects(new Error('source table unavailable'));
    await expect(c.handler({}, c.context)).rejects.toThrow(/unavailable/);
    expect(emf()).toHaveLength(0);
  });
});
