/**
 * The lag canary from the built bundle (handler canary.handler), run as Lambda runs it,
 * against a real DynamoDB (moto): a source table with a stream, one target in another
 * account (through an assumed health role) and one in the source account. The replicator
 * from the same bundle (index.handler) delivers the stream through the event source
 * mapping emulator, so the heartbeat travels the path it travels in AWS.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryResult } from '../../lambda/src/canary/handler.js';
import { buildZip } from '../../scripts/build-lambda.js';
import type { LocalEventSourceMapping } from '../support/event-source-mapping.js';
import { assumedRoleDynamoClient, createTable, dynamoClient } from '../support/fixtures.js';
import { type InvokeOutcome, type LocalLambda, startLocalLambda } from '../support/local-lambda.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import { replicatorMapping } from '../support/replicator-mapping.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const NAME = 'orders-sync';
const HEARTBEAT_KEY = { pk: { S: '__ddbsync_heartbeat__' }, sk: { N: '0' } };
const EU = {
  tableName: 'orders-replica',
  region: 'eu-west-1',
  writer: 'arn:aws:iam::111111111111:role/orders-sync-writer',
  health: 'arn:aws:iam::111111111111:role/orders-sync-health',
  externalId: 'ext-111',
};
const COPY = { tableName: 'orders-copy', region: 'us-west-2' };
const EU_LABEL = '111111111111/eu-west-1/orders-replica';
const COPY_LABEL = `${ACCOUNT}/us-west-2/orders-copy`;

let moto: MotoServer;
let zipPath: string;
/** The replicator's own package (dist/replicator.zip's sources), for the stream it keeps applying. */
let replicatorZipPath: string;
let source: DynamoDBClient;
let targets: { label: string; client: DynamoDBClient; table: string }[];
let esm: LocalEventSourceMapping;
const running: LocalLambda[] = [];

async function startCanary(thresholdSeconds: number): Promise<LocalLambda> {
  const fn = await startLocalLambda({
    zipPath,
    handler: 'canary.handler',
    functionName: `${NAME}-canary`,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAME}-canary`,
    timeoutMs: (thresholdSeconds + 15) * 1000,
    env: {
      ...moto.env(REGION),
      POWERTOOLS_SERVICE_NAME: NAME,
      SOURCE_TABLE: 'orders',
      HEARTBEAT_KEY: JSON.stringify(HEARTBEAT_KEY),
      HEARTBEAT_TTL_ATTRIBUTE: 'expires_at',
      HEALTH_TARGETS: JSON.stringify([
        { tableName: EU.tableName, region: EU.region, roleArn: EU.health, externalId: EU.externalId },
        COPY,
      ]),
      MISS_THRESHOLD_SECONDS: String(thresholdSeconds),
      POLL_INTERVAL_MS: '100',
    },
  });
  running.push(fn);
  return fn;
}

/** The EMF datapoints of an invocation, by Target. */
function metricsByTarget(outcome: InvokeOutcome): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const line of outcome.logs) {
    if (!line.includes('"CloudWatchMetrics"')) continue;
    const emf = JSON.parse(line) as Record<string, unknown>;
    out.set(emf.Target as string, emf);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  moto = await startMoto();
  zipPath = join(tmpdir(), `canary-${process.pid}-${Date.now()}.zip`);
  await writeFile(zipPath, await buildZip('health'));
  replicatorZipPath = join(tmpdir(), `canary-replicator-${process.pid}-${Date.now()}.zip`);
  await writeFile(replicatorZipPath, await buildZip('replicator'));
  source = dynamoClient(moto.endpoint, REGION);
  const streamArn = (await createTable(source, 'orders', { stream: true })) as string;
  const eu = await assumedRoleDynamoClient(moto.endpoint, EU.region, EU.writer, {
    externalId: EU.externalId,
  });
  await createTable(eu, EU.tableName);
  const copy = dynamoClient(moto.endpoint, COPY.region);
  await createTable(copy, COPY.tableName);
  targets = [
    { label: EU_LABEL, client: eu, table: EU.tableName },
    { label: COPY_LABEL, client: copy, table: COPY.tableName },
  ];

  const replicator = await startLocalLambda({
    zipPath: replicatorZipPath,
    functionName: NAME,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAME}`,
    timeoutMs: 30_000,
    env: {
      ...moto.env(REGION),
      REPLICATION_TARGETS: JSON.stringify([
        { tableName: EU.tableName, region: EU.region, roleArn: EU.writer, externalId: EU.externalId },
        COPY,
      ]),
    },
  });
  running.push(replicator);
  esm = replicatorMapping({
    moto,
    region: REGION,
    streamArn,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAME}`,
    invoke: (event) => replicator.invoke(event),
  });
  await esm.start();
});

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await moto?.stop();
});

/** The heartbeat in the source, once the canary has written one after `since`. */
async function heartbeatWrittenAfter(since: number, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await source.send(
      new GetItemCommand({ TableName: 'orders', Key: HEARTBEAT_KEY, ConsistentRead: true }),
    );
    const at = Number(out.Item?.ddbsync_heartbeat_at?.N ?? 0);
    if (at >= since) return at;
    if (Date.now() > deadline) throw new Error('the canary wrote no heartbeat');
    await sleep(50);
  }
}

describe('lag canary (canary.handler from the bundle)', () => {
  it('reports the end-to-end latency per target and no miss while the replicator applies the stream', async () => {
    const canary = await startCanary(30);
    const invokedAt = Date.now();
    const run = canary.invoke({});
    // Hold replication back for a second after the heartbeat is written, then let it flow.
    const at = await heartbeatWrittenAfter(invokedAt);
    await sleep(1_000);
    const replicatedFrom = Date.now();
    let outcome: InvokeOutcome | undefined;
    void run.then((o) => {
      outcome = o;
    });
    while (!outcome) {
      await esm.drain();
      await sleep(100);
    }
    const returnedAt = Date.now();
    expect(outcome.error).toBeUndefined();
    const result = outcome.result as CanaryResult;
    expect(result.targets.map((t) => t.target)).toEqual([EU_LABEL, COPY_LABEL]);
    for (const t of result.targets) {
      expect(t.arrived).toBe(true);
      // Seen no earlier than replication began and no later than the canary returned.
      expect(at + (t.latencyMs as number)).toBeGreaterThanOrEqual(replicatedFrom);
      expect(at + (t.latencyMs as number)).toBeLessThanOrEqual(returnedAt);
    }
    const metrics = metricsByTarget(outcome);
    for (const t of result.targets) {
      expect(metrics.get(t.target)).toMatchObject({
        service: NAME,
        Target: t.target,
        EndToEndLatency: t.latencyMs,
        HeartbeatMissing: 0,
      });
    }
    // The heartbeat reached each target whole: key, id, write time, expiry.
    const written = await source.send(
      new GetItemCommand({ TableName: 'orders', Key: HEARTBEAT_KEY, ConsistentRead: true }),
    );
    expect(Number(written.Item?.expires_at?.N)).toBe(Math.floor(at / 1000) + 3600);
    for (const t of targets) {
      const copy = await t.client.send(
        new GetItemCommand({ TableName: t.table, Key: HEARTBEAT_KEY, ConsistentRead: true }),
      );
      expect(copy.Item).toEqual(written.Item);
    }
  });

  it('reports the heartbeat missing in every target when nothing replicates, within the threshold', async () => {
    const canary = await startCanary(2);
    const started = Date.now();
    const outcome = await canary.invoke({});
    const took = Date.now() - started;
    expect(outcome.error).toBeUndefined();
    const result = outcome.result as CanaryResult;
    for (const t of result.targets) {
      expect(t).toMatchObject({ arrived: false });
      expect(t.latencyMs).toBeUndefined();
    }
    expect(took).toBeGreaterThanOrEqual(2_000);
    const metrics = metricsByTarget(outcome);
    for (const label of [EU_LABEL, COPY_LABEL]) {
      expect(metrics.get(label)).toMatchObject({ HeartbeatMissing: 1 });
      expect(metrics.get(label)).not.toHaveProperty('EndToEndLatency');
    }
    expect(outcome.logs.some((l) => l.includes('heartbeat missing'))).toBe(true);

    // Once replication resumes, the next run sees its heartbeat arrive again.
    await esm.drain();
    const next = canary.invoke({});
    let done: InvokeOutcome | undefined;
    void next.then((o) => {
      done = o;
    });
    while (!done) {
      await esm.drain();
      await sleep(100);
    }
    expect((done.result as CanaryResult).targets.every((t) => t.arrived)).toBe(true);
    expect(metricsByTarget(done).get(EU_LABEL)).toMatchObject({ HeartbeatMissing: 0 });
  });
});
