/**
 * The drift check from the built bundle (handler drift.handler), run as Lambda runs it,
 * against a real DynamoDB and S3 (moto): a source table, one target in another account
 * (through an assumed health role) and one in the source account, holding items of every
 * attribute type in its awkward forms (binaries, sets, 38-digit numbers).
 *
 * For the change in flight, the function's requests pass through a forwarding proxy in
 * this process: it changes nothing, and tells the test when the function has read the
 * targets the first time, so the replicator (index.handler from the same bundle, fed by
 * the event source mapping emulator) applies the change during the re-check delay, not
 * before the first read and not after the re-check.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftSummary } from '../../lambda/src/drift/handler.js';
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
import { replicatorMapping } from '../support/replicator-mapping.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const NAME = 'orders-sync';
const BUCKET = 'orders-sync-drift';
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
const BIG = '12345678901234567890123456789012345678';

let moto: MotoServer;
let zipPath: string;
/** The replicator's own package (dist/replicator.zip's sources), for the stream it keeps applying. */
let replicatorZipPath: string;
let source: DynamoDBClient;
let eu: DynamoDBClient;
let copy: DynamoDBClient;
let s3: S3Client;
let streamArn: string;
const running: LocalLambda[] = [];

async function startDrift(env: Record<string, string> = {}, endpoint = moto.endpoint): Promise<LocalLambda> {
  const fn = await startLocalLambda({
    zipPath,
    handler: 'drift.handler',
    functionName: `${NAME}-drift`,
    functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAME}-drift`,
    timeoutMs: 120_000,
    env: {
      ...moto.env(REGION),
      AWS_ENDPOINT_URL: endpoint,
      POWERTOOLS_SERVICE_NAME: NAME,
      SOURCE_TABLE: 'orders',
      HEALTH_TARGETS: JSON.stringify([
        { tableName: EU.tableName, region: EU.region, roleArn: EU.health, externalId: EU.externalId },
        COPY,
      ]),
      SAMPLE_TOTAL_SEGMENTS: '4',
      RECHECK_DELAY_MS: '1000',
      READ_CAPACITY: '10000',
      ...env,
    },
  });
  running.push(fn);
  return fn;
}

/** Lines of the invocation's JSON logs. */
function jsonLogs(outcome: InvokeOutcome): Record<string, unknown>[] {
  return outcome.logs.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function metricsOf(outcome: InvokeOutcome, target: string): Record<string, unknown> | undefined {
  return jsonLogs(outcome).find((l) => '_aws' in l && l.Target === target);
}

const key = (pk: string, sk: number) => ({ pk: { S: pk }, sk: { N: String(sk) } });

/** The same items in the source and both targets: tricky types and plain ones with secrets. */
async function seed(): Promise<SdkItem[]> {
  const items: SdkItem[] = [...trickyItems('tricky').slice(0, 5)];
  for (let i = 0; i < 30; i++) {
    items.push({
      pk: { S: 'plain' },
      sk: { N: String(i) },
      total: { N: BIG },
      note: { S: `${SECRET_MARKER} ${i}` },
      tags: { SS: ['x', 'y', `z${i}`] },
    });
  }
  for (const item of items) {
    await source.send(new PutItemCommand({ TableName: 'orders', Item: item }));
    await eu.send(new PutItemCommand({ TableName: EU.tableName, Item: item }));
    await copy.send(new PutItemCommand({ TableName: COPY.tableName, Item: item }));
  }
  return items;
}

beforeAll(async () => {
  moto = await startMoto();
  zipPath = join(tmpdir(), `drift-${process.pid}-${Date.now()}.zip`);
  await writeFile(zipPath, await buildZip('health'));
  replicatorZipPath = join(tmpdir(), `drift-replicator-${process.pid}-${Date.now()}.zip`);
  await writeFile(replicatorZipPath, await buildZip('replicator'));
  source = dynamoClient(moto.endpoint, REGION);
  streamArn = (await createTable(source, 'orders', { stream: true })) as string;
  eu = await assumedRoleDynamoClient(moto.endpoint, EU.region, EU.writer, { externalId: EU.externalId });
  await createTable(eu, EU.tableName);
  copy = dynamoClient(moto.endpoint, COPY.region);
  await createTable(copy, COPY.tableName);
  s3 = s3Client(moto.endpoint, REGION);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await seed();
});

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await moto?.stop();
});

describe('drift check (drift.handler from the bundle)', () => {
  it('finds planted drift by key, reports keys only, and repairs it when repair is on', async () => {
    // A changed attribute, an extra item, a missing item, and a number changed in its 38th digit.
    await eu.send(
      new UpdateItemCommand({
        TableName: EU.tableName,
        Key: key('plain', 1),
        UpdateExpression: 'SET note = :n',
        ExpressionAttributeValues: { ':n': { S: 'edited in the target' } },
      }),
    );
    await eu.send(
      new PutItemCommand({
        TableName: EU.tableName,
        Item: { ...key('deleted-in-source', 7), note: { S: SECRET_MARKER } },
      }),
    );
    await eu.send(new DeleteItemCommand({ TableName: EU.tableName, Key: key('plain', 2) }));
    await eu.send(
      new UpdateItemCommand({
        TableName: EU.tableName,
        Key: key('plain', 3),
        UpdateExpression: 'SET #t = :t',
        ExpressionAttributeNames: { '#t': 'total' },
        ExpressionAttributeValues: { ':t': { N: '12345678901234567890123456789012345679' } },
      }),
    );

    const check = await startDrift({ REPORT_BUCKET: BUCKET });
    const outcome = await check.invoke({});
    expect(outcome.error).toBeUndefined();
    const summary = outcome.result as DriftSummary;
    expect(summary.wholeTable).toBe(true);
    expect(summary.targets).toEqual([
      expect.objectContaining({ target: EU_LABEL, drifted: 4, sampledKeys: 36 }),
      expect.objectContaining({ target: COPY_LABEL, drifted: 0, sampledKeys: 35 }),
    ]);
    expect(metricsOf(outcome, EU_LABEL)).toMatchObject({
      service: NAME,
      DriftedItems: 4,
      DriftSampledItems: 36,
    });
    expect(metricsOf(outcome, COPY_LABEL)).toMatchObject({ DriftedItems: 0, DriftSampledItems: 35 });

    const expected = [
      { kind: 'different', key: key('plain', 1), attributes: ['note'] },
      { kind: 'extra', key: key('deleted-in-source', 7) },
      { kind: 'missing', key: key('plain', 2) },
      { kind: 'different', key: key('plain', 3), attributes: ['total'] },
    ];
    const logged = jsonLogs(outcome)
      .filter((l) => l.message === 'drifted item')
      .map((l) => ({ kind: l.kind, key: l.key, ...(l.attributes ? { attributes: l.attributes } : {}) }));
    expect(logged).toHaveLength(4);
    expect(logged).toEqual(expect.arrayContaining(expected));

    // The report object: the same keys, and the counts.
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'drift/' }));
    expect(objects.Contents).toHaveLength(1);
    const reportKey = objects.Contents?.[0]?.Key as string;
    expect(summary.report).toBe(`s3://${BUCKET}/${reportKey}`);
    expect(reportKey).toMatch(
      new RegExp(`^drift/\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z-${outcome.requestId}\\.json$`),
    );
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: reportKey }))
    ).Body?.transformToString();
    const report = JSON.parse(body as string);
    expect(report).toMatchObject({ sourceTable: 'orders', repair: false, requestId: outcome.requestId });
    const euReport = report.targets.find((t: { target: string }) => t.target === EU_LABEL);
    expect(euReport.drifted).toBe(4);
    expect(euReport.differences).toHaveLength(4);
    expect(euReport.differences).toEqual(expect.arrayContaining(expected));

    // Keys only: no item contents in the logs or the report.
    const text = `${outcome.logs.join('\n')}\n${body}`;
    for (const forbidden of [
      SECRET_MARKER,
      'edited in the target',
      '12345678901234567890123456789012345679',
      'héllo',
    ]) {
      expect(text).not.toContain(forbidden);
    }

    // Repair: the target becomes equal to the source, and the next run finds nothing.
    const repair = await startDrift({ REPAIR: 'true' });
    const repaired = await repair.invoke({});
    expect(repaired.error).toBeUndefined();
    expect((repaired.result as DriftSummary).targets[0]).toMatchObject({ drifted: 4, repaired: 4 });
    expect(metricsOf(repaired, EU_LABEL)).toMatchObject({ DriftedItems: 4, DriftRepairedItems: 4 });
    const wanted = canonicalTable(await scanAll(source, 'orders'));
    expect(canonicalTable(await scanAll(eu, EU.tableName))).toEqual(wanted);
    expect(canonicalTable(await scanAll(copy, COPY.tableName))).toEqual(wanted);
    const after = await repair.invoke({});
    expect((after.result as DriftSummary).targets.map((t) => t.drifted)).toEqual([0, 0]);
  });

  it('does not report a change in flight that the replicator applies during the re-check delay', async () => {
    const replicator = await startLocalLambda({
      zipPath: replicatorZipPath,
      functionName: NAME,
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
    // Warm: its cold start must not eat into the re-check delay.
    expect((await replicator.invoke({ Records: [] })).result).toEqual({ batchItemFailures: [] });
    const esm = replicatorMapping({
      moto,
      region: REGION,
      streamArn,
      functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${NAME}`,
      invoke: (event) => replicator.invoke(event),
    });
    await esm.start();
    // Both targets are equal to the source now; then a change is written and not yet replicated.
    const inFlight = `in flight ${randomUUID()}`;
    await source.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: key('plain', 21),
        UpdateExpression: 'SET note = :n',
        ExpressionAttributeValues: { ':n': { S: inFlight } },
      }),
    );

    const proxy = await forwardingProxy(moto.endpoint);
    try {
      // The delay is 8x what the replication below took on this machine under load (1.0 s).
      const check = await startDrift({ RECHECK_DELAY_MS: '8000' }, proxy.endpoint);
      const outcome = check.invoke({});
      // Once the function has read both targets for the source's sample, replicate.
      await proxy.firstBatchGetOf([EU.tableName, COPY.tableName]);
      const delivered = await esm.drain();
      expect(delivered.records).toBeGreaterThanOrEqual(1);
      const result = await outcome;
      expect(result.error).toBeUndefined();
      const summary = result.result as DriftSummary;
      for (const t of summary.targets) {
        // Found by the first reads, equal on the re-check: not drift.
        expect(t).toMatchObject({ drifted: 0, settledOnRecheck: 1 });
      }
      expect(metricsOf(result, EU_LABEL)).toMatchObject({ DriftedItems: 0 });
      expect(metricsOf(result, COPY_LABEL)).toMatchObject({ DriftedItems: 0 });
      expect(result.logs.some((l) => l.includes('drifted item'))).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});

/**
 * An HTTP proxy to moto that forwards every request unchanged and resolves
 * firstBatchGetOf(tables) once a BatchGetItem naming each table has been answered.
 */
async function forwardingProxy(target: string) {
  const seen = new Set<string>();
  const waiters: { tables: string[]; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.tables.every((t) => seen.has(t))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
      ) as Record<string, string>;
      try {
        const answer = await fetch(`${target}${req.url}`, {
          method: req.method ?? 'GET',
          headers,
          ...(body.length > 0 ? { body } : {}),
        });
        const data = Buffer.from(await answer.arrayBuffer());
        const out: Record<string, string> = {};
        answer.headers.forEach((v, k) => {
          if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(k))
            out[k] = v;
        });
        res.writeHead(answer.status, { ...out, 'content-length': String(data.length) });
        res.end(data);
        if (String(req.headers['x-amz-target']).endsWith('.BatchGetItem')) {
          const request = JSON.parse(body.toString('utf8')) as { RequestItems: Record<string, unknown> };
          for (const table of Object.keys(request.RequestItems)) seen.add(table);
          check();
        }
      } catch (err) {
        res.writeHead(502);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    firstBatchGetOf: (tables: string[]) =>
      new Promise<void>((resolve) => {
        waiters.push({ tables, resolve });
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
