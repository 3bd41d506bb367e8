/**
 * The built bundle's first-sync verifier (handler "verifier.handler"), run as Lambda runs
 * it, over a real DynamoDB export on the local AWS (moto): a source table with
 * point-in-time recovery, ExportTableToPointInTime into S3, a target in another account
 * and region reached through an assumed role, and the verifier invoked in its three modes
 * as the state machine's loops invoke it. The target has one item that differs, one
 * missing and one only in it; one item changed in the source after the export (and
 * replicated) must not count. The report lists exactly those keys; a repair run then
 * leaves a third verify with nothing to report.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3ReportStore } from '../../lambda/src/first-sync/verify-report.js';
import { buildZip } from '../../scripts/build-lambda.js';
import {
  assumedRoleDynamoClient,
  canonicalTable,
  createTable,
  dynamoClient,
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
const FUNCTION_NAME = 'ddbsync-orders-verifier';
const PLAIN_ITEMS = 400;
const SEGMENTS = 3;
const TARGET = {
  tableName: 'orders-replica',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::222222222222:role/ddbsync-first-sync',
  externalId: 'ext-222222222222',
};
const LABEL = '222222222222/eu-west-1/orders-replica';

let moto: MotoServer;
let source: DynamoDBClient;
let target: DynamoDBClient;
let s3: S3Client;
let fn: LocalLambda;
let dataFiles: string[];
const outcomes: InvokeOutcome[] = [];

const plainItem = (i: number, n = `${i}.5`): SdkItem => ({
  pk: { S: `plain-${i % 40}` },
  sk: { N: String(i) },
  n: { N: n },
  tag: { S: `#${i} ${SECRET_MARKER}` },
  bin: { B: Uint8Array.of(i % 256, 0, 255) },
});
const keyOf = (i: number) => ({ pk: { S: `plain-${i % 40}` }, sk: { N: String(i) } });

async function invoke(event: object): Promise<Record<string, unknown>> {
  const out = await fn.invoke(event);
  outcomes.push(out);
  expect(out.error, JSON.stringify(out.error)).toBeUndefined();
  return out.result as Record<string, unknown>;
}

/**
 * One verify as the state machine runs it: every file to its end, every segment to its end,
 * then the summary. With `retried`, every invocation is made twice, as when the state
 * machine retries one whose answer it did not get.
 */
async function verify(reportPrefix: string, repair: boolean, retried = false) {
  let compared = 0;
  for (const key of dataFiles) {
    let startLine = 0;
    for (let i = 0; ; i++) {
      expect(i).toBeLessThan(50);
      const event = { mode: 'file', bucket: BUCKET, key, startLine, reportPrefix, repair };
      const r = await invoke(event);
      if (retried) expect(await invoke(event)).toEqual(r);
      compared += r.compared as number;
      if (r.done) break;
      startLine = r.nextLine as number;
    }
  }
  for (let segment = 0; segment < SEGMENTS; segment++) {
    let targetIndex = 0;
    let lastEvaluatedKey: unknown = null;
    for (let i = 0; ; i++) {
      expect(i).toBeLessThan(50);
      const event = {
        mode: 'segment',
        bucket: BUCKET,
        segment,
        totalSegments: SEGMENTS,
        reportPrefix,
        repair,
        targetIndex,
        lastEvaluatedKey,
      };
      const r = await invoke(event);
      if (retried) expect(await invoke(event)).toEqual(r);
      if (r.done) break;
      targetIndex = r.targetIndex as number;
      lastEvaluatedKey = r.lastEvaluatedKey;
    }
  }
  const summary = await invoke({ mode: 'summarize', bucket: BUCKET, reportPrefix });
  const report = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${reportPrefix}/report.json` }));
  const text = (await report.Body?.transformToString()) ?? '';
  return { compared, summary, text, report: JSON.parse(text) as { targets: Record<string, unknown>[] } };
}

beforeAll(async () => {
  moto = await startMoto();
  const zipPath = join(tmpdir(), `first-sync-verifier-${process.pid}-${Date.now()}.zip`);
  await writeFile(zipPath, await buildZip('first-sync'));
  source = dynamoClient(moto.endpoint, REGION);
  s3 = s3Client(moto.endpoint, REGION);
  await createTable(source, 'orders');
  await enablePointInTimeRecovery(source, 'orders');
  target = await assumedRoleDynamoClient(moto.endpoint, TARGET.region, TARGET.roleArn, {
    externalId: TARGET.externalId,
  });
  await createTable(target, TARGET.tableName);
  // Source and target start equal: every type in its awkward forms, and plain items.
  const items: SdkItem[] = [...trickyItems('tricky')];
  for (let i = 0; i < PLAIN_ITEMS; i++) items.push(plainItem(i));
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await source.send(new BatchWriteItemCommand({ RequestItems: { orders: batch } }));
    await target.send(new BatchWriteItemCommand({ RequestItems: { [TARGET.tableName]: batch } }));
  }

  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  ({ dataFiles } = await exportTable({
    client: source,
    s3,
    tableArn: `arn:aws:dynamodb:${REGION}:123456789012:table/orders`,
    bucket: BUCKET,
    prefix: 'first-sync/verify-1',
  }));
  expect(dataFiles.length).toBeGreaterThan(0);

  // After the export: the target drifts, and the source changes (replicated to the target).
  await target.send(new PutItemCommand({ TableName: TARGET.tableName, Item: plainItem(10, '-1') }));
  await target.send(new DeleteItemCommand({ TableName: TARGET.tableName, Key: keyOf(11) }));
  await target.send(
    new PutItemCommand({
      TableName: TARGET.tableName,
      Item: { pk: { S: 'only-in-target' }, sk: { N: '1' } },
    }),
  );
  for (const client of [source, target]) {
    const table = client === source ? 'orders' : TARGET.tableName;
    await client.send(new PutItemCommand({ TableName: table, Item: plainItem(12, '1200') }));
    await client.send(new DeleteItemCommand({ TableName: table, Key: keyOf(13) }));
  }

  fn = await startLocalLambda({
    zipPath,
    handler: 'verifier.handler',
    functionName: FUNCTION_NAME,
    timeoutMs: 60_000,
    env: {
      ...moto.env(REGION),
      REPLICATION_TARGETS: JSON.stringify([TARGET]),
      SOURCE_TABLE_NAME: 'orders',
      // Nothing is being replicated here: no need to wait before re-reading.
      RECHECK_DELAY_MS: '0',
      // Paced from the units moto reports (ReturnConsumedCapacity), high enough not to slow the test.
      READ_CAPACITY: '100000',
    },
  });
}, 120_000);

afterAll(async () => {
  await fn?.stop();
  s3?.destroy();
  await moto?.stop();
});

describe('first-sync verifier on a real export, target in another account', () => {
  it('writes a report object only once: S3 refuses a second conditional write (If-None-Match: *)', async () => {
    const store = s3ReportStore(s3, BUCKET);
    const key = 'first-sync-verify/conditional/parts/p.json';
    expect(await store.create(key, '{"first":true}')).toBe(true);
    expect(await store.create(key, '{"first":false}')).toBe(false);
    expect(await store.find(key)).toBe('{"first":true}');
    expect(await store.find('first-sync-verify/conditional/parts/absent.json')).toBeUndefined();
  });

  it('reports exactly the differing, missing and only-in-target keys, not the change made after the export; repair leaves nothing to report', async () => {
    const sourceItems = (await scanAll(source, 'orders')).length;
    const first = await verify('first-sync-verify/run-1', false);
    expect(first.summary).toEqual({
      targets: [
        {
          target: LABEL,
          compared: sourceItems + 1,
          differing: 1,
          missingInTarget: 1,
          onlyInTarget: 1,
          repaired: 0,
        },
      ],
      differences: 3,
      report: `s3://${BUCKET}/first-sync-verify/run-1/report.json`,
    });
    // The export has the deleted item 13 too: every export line was compared.
    expect(first.compared).toBe(sourceItems + 1);
    const t = first.report.targets[0] as Record<string, unknown>;
    expect(t.differingKeys).toEqual([{ pk: { S: 'plain-10' }, sk: { N: '10' } }]);
    expect(t.missingKeys).toEqual([{ pk: { S: 'plain-11' }, sk: { N: '11' } }]);
    expect(t.onlyInTargetKeys).toEqual([{ pk: { S: 'only-in-target' }, sk: { N: '1' } }]);
    expect(first.text).not.toContain(SECRET_MARKER);
    const logs = outcomes.flatMap((o) => o.logs).join('\n');
    expect(logs).toContain('"FirstSyncVerifyDifferences":3');
    expect(logs).toContain(`"Target":"${LABEL}"`);
    for (const forbidden of [SECRET_MARKER, 'héllo', '日本語']) expect(logs).not.toContain(forbidden);
    // The reads were paced from what DynamoDB said each took (moto: a unit per key asked): each
    // export key once, and the four that differed at first read (10, 11, 12, 13) again on the re-check.
    const fileLogs = logs
      .split('\n')
      .filter((l) => l.includes('"export file verified"'))
      .map((l) => JSON.parse(l) as { readUnits: { source: number; targets: number[] } });
    expect(fileLogs.length).toBe(dataFiles.length);
    expect(fileLogs.reduce((n, l) => n + (l.readUnits.targets[0] ?? 0), 0)).toBe(sourceItems + 1 + 4);

    // Every repairing invocation retried after it recorded its range: the repairs still count.
    const repair = await verify('first-sync-verify/run-2', true, true);
    expect(repair.summary).toMatchObject({
      differences: 3,
      targets: [{ differing: 1, missingInTarget: 1, onlyInTarget: 1, repaired: 3 }],
    });
    expect(canonicalTable(await scanAll(target, TARGET.tableName))).toEqual(
      canonicalTable(await scanAll(source, 'orders')),
    );

    const after = await verify('first-sync-verify/run-3', false);
    expect(after.summary).toMatchObject({
      differences: 0,
      targets: [{ target: LABEL, differing: 0, missingInTarget: 0, onlyInTarget: 0 }],
    });
  });
});
