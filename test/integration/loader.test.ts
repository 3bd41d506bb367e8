/**
 * The built bundle's first-sync loader (handler "loader.handler"), run as Lambda runs it,
 * over a real DynamoDB export on the local AWS (moto): a source table with point-in-time
 * recovery, ExportTableToPointInTime into S3, then the loader on each data file into
 * tables in two other accounts and regions through assumed roles, compared byte for byte.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildZip } from '../../scripts/build-lambda.js';
import {
  assumedRoleDynamoClient,
  assumedRoleSessions,
  canonicalTable,
  createTable,
  dynamoClient,
  largeAttributes,
  type SdkItem,
  SECRET_MARKER,
  s3Client,
  scanAll,
  trickyItems,
} from '../support/fixtures.js';
import { type InvokeOutcome, type LocalLambda, startLocalLambda } from '../support/local-lambda.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import { enablePointInTimeRecovery, exportTable } from '../support/table-export.js';

const REGION = 'us-east-1';
const BUCKET = 'ddbsync-exports';
const FUNCTION_NAME = 'ddbsync-orders-loader';
const PLAIN_ITEMS = 1_500;
const target = (account: string, region: string, tableName: string) => ({
  tableName,
  region,
  roleArn: `arn:aws:iam::${account}:role/ddbsync-writer`,
  externalId: `ext-${account}`,
});

let moto: MotoServer;
let zipPath: string;
let source: DynamoDBClient;
let s3: S3Client;
let dataFiles: string[];
const running: LocalLambda[] = [];

interface LoaderResult {
  key: string;
  done: boolean;
  nextLine: number;
  items: number;
  bytes: number;
}

async function startLoader(targets: object[], extraEnv: Record<string, string>, timeoutMs: number) {
  const fn = await startLocalLambda({
    zipPath,
    handler: 'loader.handler',
    functionName: FUNCTION_NAME,
    timeoutMs,
    env: { ...moto.env(REGION), REPLICATION_TARGETS: JSON.stringify(targets), ...extraEnv },
  });
  running.push(fn);
  return fn;
}

/** Invokes the loader on one file as the state machine's loop does, until it is done. */
async function loadFile(fn: LocalLambda, key: string, outcomes: InvokeOutcome[]): Promise<LoaderResult[]> {
  const results: LoaderResult[] = [];
  let startLine = 0;
  for (let i = 0; i < 100; i++) {
    const out = await fn.invoke({ bucket: BUCKET, key, startLine });
    outcomes.push(out);
    expect(out.error, JSON.stringify(out.error)).toBeUndefined();
    const result = out.result as LoaderResult;
    results.push(result);
    if (result.done) return results;
    startLine = result.nextLine;
  }
  throw new Error(`${key} was not done after 100 invocations`);
}

async function targetTables(targets: ReturnType<typeof target>[]): Promise<DynamoDBClient[]> {
  const clients: DynamoDBClient[] = [];
  for (const t of targets) {
    const client = await assumedRoleDynamoClient(moto.endpoint, t.region, t.roleArn, {
      externalId: t.externalId,
    });
    await createTable(client, t.tableName);
    clients.push(client);
  }
  return clients;
}

beforeAll(async () => {
  moto = await startMoto();
  if (process.env.REPLICATOR_ZIP) {
    zipPath = process.env.REPLICATOR_ZIP;
  } else {
    zipPath = join(tmpdir(), `replicator-loader-${process.pid}-${Date.now()}.zip`);
    await writeFile(zipPath, await buildZip('first-sync'));
  }
  source = dynamoClient(moto.endpoint, REGION);
  s3 = s3Client(moto.endpoint, REGION);

  // The source: every attribute type in its awkward forms, a 350 KB item, and plain items.
  const created = await createTable(source, 'orders');
  expect(created).toBeUndefined();
  await enablePointInTimeRecovery(source, 'orders');
  const items: SdkItem[] = [
    ...trickyItems('tricky'),
    { pk: { S: 'large' }, sk: { N: '350' }, ...largeAttributes(350_000) },
  ];
  for (const item of items) await source.send(new PutItemCommand({ TableName: 'orders', Item: item }));
  for (let i = 0; i < PLAIN_ITEMS; i += 25) {
    const batch = Array.from({ length: Math.min(25, PLAIN_ITEMS - i) }, (_, j) => ({
      PutRequest: {
        Item: {
          pk: { S: `plain-${(i + j) % 50}` },
          sk: { N: String(i + j) },
          n: { N: `${i + j}.5` },
          tag: { S: `#${i + j} ${SECRET_MARKER}` },
          empty: { S: '' },
        },
      },
    }));
    await source.send(new BatchWriteItemCommand({ RequestItems: { orders: batch } }));
  }

  // The export, as the state machine starts it, into a bucket the loader reads.
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  ({ dataFiles } = await exportTable({
    client: source,
    s3,
    tableArn: `arn:aws:dynamodb:${REGION}:123456789012:table/orders`,
    bucket: BUCKET,
    prefix: 'first-sync/run-1',
  }));
  expect(dataFiles.length).toBeGreaterThan(0);
});

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  s3?.destroy();
  await moto?.stop();
});

describe('first-sync loader on a real export', () => {
  it('loads every data file into targets in two accounts, byte-equal to the source, logging no item contents', async () => {
    const targets = [
      target('111111111111', 'eu-west-1', 'orders-replica'),
      target('222222222222', 'ap-southeast-2', 'orders-replica'),
    ];
    const clients = await targetTables(targets);
    const fn = await startLoader(targets, {}, 60_000);

    const outcomes: InvokeOutcome[] = [];
    let items = 0;
    for (const key of dataFiles) {
      const results = await loadFile(fn, key, outcomes);
      expect(results.at(-1)?.key).toBe(key);
      items += results.reduce((n, r) => n + r.items, 0);
    }

    const expected = canonicalTable(await scanAll(source, 'orders'));
    expect(items).toBe(expected.length);
    for (const client of clients)
      expect(canonicalTable(await scanAll(client, 'orders-replica'))).toEqual(expected);

    // Each role assumed once, by the function's session; no item contents in any log line.
    const sessions = (await assumedRoleSessions(moto.endpoint)).filter(
      (s) => s.sessionName === `ddbsync-${FUNCTION_NAME}`,
    );
    expect(sessions.map((s) => s.accountId).sort()).toEqual(['111111111111', '222222222222']);
    const logs = outcomes.flatMap((o) => o.logs).join('\n');
    expect(logs).toContain('"FirstSyncItemsWritten"');
    expect(logs).toContain('"message":"export file loaded"');
    for (const forbidden of [SECRET_MARKER, 'héllo', '日本語', 'ÿÿÿÿ']) expect(logs).not.toContain(forbidden);
  });

  it('capped by WRITE_CAPACITY, stops before its timeout and is continued from nextLine until the file is done', async () => {
    const targets = [
      target('111111111111', 'eu-west-1', 'orders-paced'),
      target('222222222222', 'ap-southeast-2', 'orders-paced'),
    ];
    const clients = await targetTables(targets);
    // About 2,200 write units at 250 a second (9 s) cannot fit in one 6-second invocation.
    const fn = await startLoader(targets, { WRITE_CAPACITY: '250', KEY_ATTRIBUTES: 'pk,sk' }, 6_000);

    const outcomes: InvokeOutcome[] = [];
    const all: LoaderResult[] = [];
    for (const key of dataFiles) {
      const results = await loadFile(fn, key, outcomes);
      // Each invocation starts where the one before it said to.
      results.slice(1).forEach((r, i) => {
        expect(r.nextLine).toBeGreaterThan((results[i] as LoaderResult).nextLine);
      });
      all.push(...results);
    }
    expect(all.length).toBeGreaterThan(dataFiles.length);
    expect(all.filter((r) => !r.done).every((r) => r.nextLine > 0)).toBe(true);

    const expected = canonicalTable(await scanAll(source, 'orders'));
    expect(all.reduce((n, r) => n + r.items, 0)).toBe(expected.length);
    for (const client of clients)
      expect(canonicalTable(await scanAll(client, 'orders-paced'))).toEqual(expected);
    const logs = outcomes.flatMap((o) => o.logs).join('\n');
    expect(logs).toContain('export file partly loaded; the state machine continues it from nextLine');
  });

  it('fails, naming the target and the line, when a target table does not exist', async () => {
    const good = target('111111111111', 'eu-west-1', 'orders-refused-ok');
    await targetTables([good]);
    const missing = target('333333333333', 'eu-west-1', 'no-such-table');
    const fn = await startLoader([good, missing], {}, 60_000);
    const out = await fn.invoke({ bucket: BUCKET, key: dataFiles[0], startLine: 0 });
    expect(out.error?.name).toBe('TargetRefusedError');
    expect(out.error?.message).toMatch(
      /^target no-such-table@eu-west-1 as arn:aws:iam::333333333333:role\/ddbsync-writer refused the item of s3:\/\/ddbsync-exports\/\S+ line 1: no-such-table: ResourceNotFoundException/,
    );
  });
});
