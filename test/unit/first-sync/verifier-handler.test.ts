/**
 * The verifier's handler as Lambda calls it, in its three modes: the export file comes
 * from S3 GetObject (aws-sdk-client-mock, a gzip body made here), the source and the
 * targets are in-memory tables behind the SDK's BatchGetItem and Scan (verify-fakes.ts),
 * the report parts go to an in-memory store, and the real Powertools logger and metrics
 * print what CloudWatch would receive.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type EventImage, toSdkItem } from '../../../lambda/src/attribute-values.js';
import { VerifyEventError, VerifyReadError } from '../../../lambda/src/first-sync/errors.js';
import { compareExportBatch } from '../../../lambda/src/first-sync/verify-compare.js';
import { parseVerifierConfig } from '../../../lambda/src/first-sync/verify-config.js';
import type {
  VerifyFileResult,
  VerifySegmentResult,
  VerifySummary,
} from '../../../lambda/src/first-sync/verify-event.js';
import { createVerifierHandler, VERIFY_METRIC } from '../../../lambda/src/first-sync/verify-handler.js';
import { type ReportPart, s3ReportStore } from '../../../lambda/src/first-sync/verify-report.js';
import { withoutAttributes } from '../../../lambda/src/item-equality.js';
import { keyString, pickKey } from '../../../lambda/src/item-keys.js';
import { createLogger, createMetrics } from '../../../lambda/src/observability.js';
import { TableReader } from '../../../lambda/src/table-reader.js';
import { SECRET_MARKER } from '../../support/fixtures.js';
import { captureOutput } from '../output-capture.js';
import { exportItems, FakeClock, gzipExport } from './export-fixtures.js';
import { KEY_NAMES, MemoryStore, MemoryTable } from './verify-fakes.js';

const BUCKET = 'ddbsync-exports-111111111111';
const KEY = 'first-sync/run-1/AWSDynamoDB/01700000000000-abcdefgh/data/xk3a.json.gz';
const PREFIX = 'first-sync-verify/run-1';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:999999999999:function:ddbsync-orders-verifier';
const ENV = {
  AWS_REGION: 'us-east-1',
  SOURCE_TABLE_NAME: 'orders',
  RECHECK_DELAY_MS: '1000',
  REPLICATION_TARGETS: JSON.stringify([
    { tableName: 'orders-replica', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/fs' },
    { tableName: 'orders-replica', region: 'ap-southeast-2', roleArn: 'arn:aws:iam::222222222222:role/fs' },
  ]),
};
const config = parseVerifierConfig(ENV);
const LABELS = ['111111111111/eu-west-1/orders-replica', '222222222222/ap-southeast-2/orders-replica'];

const { output, printed } = captureOutput();
const s3 = mockClient(S3Client);
beforeEach(() => {
  s3.reset();
});

function serve(body: Buffer): void {
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).callsFake(() => ({
    Body: sdkStreamMixin(Readable.from([body.subarray(0, 777), body.subarray(777)])),
    ContentLength: body.length,
  }));
}

const keyOf = (item: EventImage) => ({ pk: item.pk, sk: item.sk }) as EventImage;
const changed = (item: EventImage, n: string): EventImage => ({ ...item, n: { N: n } });

/**
 * The world after an export of `items`: the source and both targets hold them; then
 * `plain[k]` is the k-th plain item, for the cases below to change.
 */
function setup(
  items: EventImage[],
  opts: { maxPartKeys?: number; maxReportKeys?: number; env?: Record<string, string> } = {},
) {
  const { maxPartKeys, maxReportKeys } = opts;
  const settings = opts.env ? parseVerifierConfig({ ...ENV, ...opts.env }) : config;
  const clock = new FakeClock();
  const source = new MemoryTable('orders', items);
  const targets = [new MemoryTable('orders-replica', items), new MemoryTable('orders-replica', items)];
  const store = new MemoryStore();
  let onSleep: (() => void) | undefined;
  const sleeps: number[] = [];
  const handler = createVerifierHandler({
    config: settings,
    source: source.client(),
    targets: settings.targets.map((t, i) => ({
      config: t,
      client: (targets[i] as MemoryTable).client(),
      writer: (targets[i] as MemoryTable).writer(LABELS[i] as string),
    })),
    s3: new S3Client({ region: 'us-east-1' }),
    reports: (bucket) => {
      expect(bucket).toBe(BUCKET);
      return store;
    },
    keyNames: async () => ['pk', 'sk'],
    logger: createLogger(),
    metrics: createMetrics(),
    now: clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.ms += ms;
      onSleep?.();
    },
    random: () => 0.5,
    ...(maxPartKeys === undefined ? {} : { maxPartKeys }),
    ...(maxReportKeys === undefined ? {} : { maxReportKeys }),
  });
  const context = (remainingMs = 900_000) => {
    const end = clock.now() + remainingMs;
    return {
      getRemainingTimeInMillis: () => end - clock.now(),
      awsRequestId: 'req-1',
      invokedFunctionArn: FUNCTION_ARN,
    };
  };
  return {
    clock,
    source,
    targets: targets as [MemoryTable, MemoryTable],
    store,
    handler,
    context,
    sleeps,
    setOnSleep: (f: () => void) => {
      onSleep = f;
    },
  };
}

const fileEvent = (repair = false, startLine = 0) => ({
  mode: 'file',
  bucket: BUCKET,
  key: KEY,
  startLine,
  reportPrefix: PREFIX,
  repair,
});
const parts = (store: MemoryStore) =>
  [...store.objects.entries()]
    .filter(([k]) => k.startsWith(`${PREFIX}/parts/`))
    .map(([, v]) => JSON.parse(v) as ReportPart);

/**
 * Target 1 (ap-southeast-2) has: one plain item changed, the item holding SECRET_MARKER
 * changed, one item missing. Changes made in the source after the export: one item updated
 * and already replicated to both targets; one updated, replicated to target 1, and still
 * on its way to target 0 (it arrives during the re-check delay); one deleted everywhere;
 * one deleted in the source whose delete has not reached target 1 (only in the target).
 */
function driftedWorld() {
  const items = exportItems(250);
  const plain = items.filter((i) => JSON.stringify(i.pk).startsWith('{"S":"plain-'));
  const secret = items.find((i) => JSON.stringify(i).includes(SECRET_MARKER)) as EventImage;
  const w = setup(items);
  const [t0, t1] = w.targets;
  const differ = plain[20] as EventImage;
  const missing = plain[21] as EventImage;
  const replicated = plain[22] as EventImage;
  const inFlight = plain[23] as EventImage;
  const deleted = plain[24] as EventImage;
  const deletedNotYet = plain[25] as EventImage;
  t1.put(changed(differ, '-1'));
  t1.put({ ...secret, secret: { S: `${SECRET_MARKER} changed` } });
  t1.delete(missing);
  for (const t of [w.source, t0, t1]) t.put(changed(replicated, '42'));
  w.source.put(changed(inFlight, '43'));
  t1.put(changed(inFlight, '43'));
  w.setOnSleep(() => t0.put(changed(inFlight, '43')));
  for (const t of [w.source, t0, t1]) t.delete(deleted);
  w.source.delete(deletedNotYet);
  t0.delete(deletedNotYet);
  serve(gzipExport(items));
  return { ...w, items, differ, missing, secret, deletedNotYet };
}

describe('verifier, file mode', () => {
  it('counts per target what still differs from the source after the re-check, and reports keys only', async () => {
    const w = driftedWorld();
    const result = (await w.handler(fileEvent(), w.context())) as VerifyFileResult;

    expect(result).toEqual({
      key: KEY,
      done: true,
      nextLine: w.items.length,
      compared: w.items.length,
      differences: 3,
    });
    const [part] = parts(w.store);
    expect(part?.kind).toBe('file');
    const [p0, p1] = part?.targets ?? [];
    expect(p0).toMatchObject({ target: LABELS[0], compared: w.items.length, differing: [], missing: [] });
    // The change still on its way to target 0 settled on the re-check; nothing else differed there.
    expect(p0?.settledOnRecheck).toBeGreaterThanOrEqual(1);
    expect(p1?.target).toBe(LABELS[1]);
    expect(new Set(p1?.differing.map((k) => JSON.stringify(k)))).toEqual(
      new Set([JSON.stringify(keyOf(w.differ)), JSON.stringify(keyOf(w.secret))]),
    );
    expect(p1?.missing).toEqual([keyOf(w.missing)]);
    // An item deleted in the source but not yet in the target is the segment scan's to count.
    expect(p1?.onlyInTarget).toEqual([]);
    // Keys only: no value of any item in the report or in the logs.
    expect([...w.store.objects.values()].join('')).not.toContain(SECRET_MARKER);
    expect([...w.store.objects.values()].join('')).not.toContain('"n"');
    expect(output.join('')).not.toContain(SECRET_MARKER);
    expect(printed().find((l) => l.message === 'export file verified')).toMatchObject({
      done: true,
      nextLine: w.items.length,
    });
  });

  it('with repair writes the source item to the target; a second verify then finds nothing', async () => {
    const w = driftedWorld();
    const first = (await w.handler(fileEvent(true), w.context())) as VerifyFileResult;
    expect(first.differences).toBe(3);
    expect(parts(w.store)[0]?.targets[1]?.repaired).toBe(3);
    // Target 1 now holds the source's current item for each of them.
    // All but the item deleted in the source, which is the segment scan's to repair.
    expect(w.targets[1].items.size).toBe(w.source.items.size + 1);
    for (const [id, item] of w.source.items) expect(w.targets[1].items.get(id)).toEqual(item);
    w.store.objects.clear();
    const second = (await w.handler(fileEvent(), w.context())) as VerifyFileResult;
    expect(second.differences).toBe(0);
    expect(w.targets[0].writes).toBe(0);
  });

  it('checks a target that lacks everything without waiting for replication: nothing changed since the export', async () => {
    const items = exportItems(250);
    const w = setup(items);
    serve(gzipExport(items));
    w.targets[0].items.clear();
    const result = (await w.handler(fileEvent(), w.context())) as VerifyFileResult;
    expect(result.differences).toBe(items.length);
    expect(parts(w.store)[0]?.targets[0]?.missing).toHaveLength(items.length);
    expect(w.sleeps.filter((ms) => ms === config.recheckDelayMs)).toEqual([]);
  });

  it('checks a target lacking everything at full speed also when EXCLUDE_ATTRIBUTES is set', async () => {
    const exclude = new Set(['bin']);
    const items = exportItems(50).filter((i) => 'bin' in i);
    const source = new MemoryTable('orders', items);
    const target = new MemoryTable('orders-replica');
    const reader = (t: MemoryTable) => new TableReader(t.client(), t.name, KEY_NAMES);
    // The export's items as the verifier reads them: the excluded attribute left out.
    const expected = items.map((image) => {
      const item = toSdkItem(image);
      const key = pickKey(item, KEY_NAMES);
      return { id: keyString(key, [...KEY_NAMES]), key, item: withoutAttributes(item, exclude) };
    });
    const sleeps: number[] = [];
    const [tally] = await compareExportBatch(expected, {
      source: { label: 'source orders', reader: reader(source) },
      targets: [{ label: LABELS[0] as string, reader: reader(target) }],
      exclude,
      recheckDelayMs: 1_000,
      repair: false,
      deadline: Number.MAX_SAFE_INTEGER,
      now: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(tally?.missing).toHaveLength(items.length);
    expect(sleeps).toEqual([]);
  });

  it('retries the keys BatchGetItem leaves unprocessed', async () => {
    const items = exportItems(250);
    const w = setup(items);
    serve(gzipExport(items));
    w.targets[0].unprocessed = [40, 10, 100];
    const result = (await w.handler(fileEvent(), w.context())) as VerifyFileResult;
    expect(result.differences).toBe(0);
    expect(result.compared).toBe(items.length);
    // Three batches of 100 or fewer, plus one request per round of leftovers.
    expect(w.targets[0].batchGets).toBe(w.targets[1].batchGets + 3);
  });

  it('stops before its deadline and, continued from nextLine, compares every line exactly once', async () => {
    const items = exportItems(2_000);
    const w = setup(items);
    serve(gzipExport(items));
    // Every BatchGetItem takes 200 virtual ms.
    for (const t of [w.source, ...w.targets]) {
      t.beforeGet = () => {
        w.clock.ms += 200;
      };
    }
    let startLine = 0;
    let compared = 0;
    const results: VerifyFileResult[] = [];
    while (results.length < 100) {
      const r = (await w.handler(fileEvent(false, startLine), w.context(3_000))) as VerifyFileResult;
      results.push(r);
      compared += r.compared;
      if (r.done) break;
      startLine = r.nextLine;
    }
    expect(results.length).toBeGreaterThan(1);
    expect(results.at(-1)?.done).toBe(true);
    expect(compared).toBe(items.length);
    // One part per invocation, each named after its first line: a retried invocation rewrites its own.
    expect(parts(w.store)).toHaveLength(results.length);
  });

  it('bounds the keys one invocation holds: against a target lacking everything it stops, is continued, and every key is reported once', async () => {
    const items = exportItems(2_000);
    const w = setup(items, { maxPartKeys: 300 });
    serve(gzipExport(items));
    w.targets[0].items.clear();
    let startLine = 0;
    const results: VerifyFileResult[] = [];
    while (results.length < 100) {
      const r = (await w.handler(fileEvent(false, startLine), w.context())) as VerifyFileResult;
      results.push(r);
      if (r.done) break;
      startLine = r.nextLine;
    }
    expect(results.length).toBeGreaterThan(1);
    expect(results.at(-1)?.done).toBe(true);
    const missing = parts(w.store).map((p) => p.targets[0]?.missing.length ?? 0);
    // At most the bound plus the batches in flight when it was reached.
    for (const n of missing) expect(n).toBeLessThanOrEqual(300 + config.concurrency * 100);
    expect(missing.reduce((a, b) => a + b, 0)).toBe(items.length);
    expect(results.reduce((n, r) => n + r.differences, 0)).toBe(items.length);
  });

  it('fails with VerifyReadError naming the target when a target cannot be read', async () => {
    const items = exportItems(10);
    const w = setup(items);
    serve(gzipExport(items));
    w.targets[1].beforeGet = () => {
      throw Object.assign(new Error('User is not authorized to perform dynamodb:BatchGetItem'), {
        name: 'AccessDeniedException',
      });
    };
    const failure = await w.handler(fileEvent(), w.context()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VerifyReadError);
    expect((failure as Error).message).toContain(LABELS[1]);
    expect((failure as Error).message).toContain('AccessDeniedException');
  });

  it('refuses an event that is not one of its modes, naming the field', async () => {
    const w = setup([]);
    await expect(
      w.handler({ mode: 'all', bucket: BUCKET, reportPrefix: PREFIX }, w.context()),
    ).rejects.toThrow(VerifyEventError);
    await expect(w.handler({ ...fileEvent(), reportPrefix: '/x/' }, w.context())).rejects.toThrow(
      'event.reportPrefix',
    );
    await expect(
      w.handler(
        { mode: 'segment', bucket: BUCKET, reportPrefix: PREFIX, segment: 4, totalSegments: 4 },
        w.context(),
      ),
    ).rejects.toThrow('event.segment');
  });
});

describe('verifier settings', () => {
  it("needs SOURCE_TABLE_NAME and takes the replicator's targets", () => {
    const env = { AWS_REGION: 'us-east-1', REPLICATION_TARGETS: '[{"tableName":"orders-replica"}]' };
    expect(() => parseVerifierConfig(env)).toThrow(
      /^SOURCE_TABLE_NAME: must be the source table's name or ARN/,
    );
    const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';
    expect(parseVerifierConfig({ ...env, SOURCE_TABLE_NAME: arn })).toMatchObject({
      sourceTable: arn,
      recheckDelayMs: 2_000,
      concurrency: 8,
      targets: [{ tableName: 'orders-replica', region: 'us-east-1' }],
    });
    expect(() =>
      parseVerifierConfig({ ...env, SOURCE_TABLE_NAME: 'orders', RECHECK_DELAY_MS: '-1' }),
    ).toThrow(/^RECHECK_DELAY_MS/);
  });
});

describe('verifier, segment and summarize modes', () => {
  it('finds items only in a target over all segments, not one whose delete arrives during the re-check, and sums everything into report.json with a metric per target', async () => {
    const w = driftedWorld();
    const extra: EventImage = { pk: { S: 'extra' }, sk: { N: '7' }, note: { S: SECRET_MARKER } };
    const leaving: EventImage = { pk: { S: 'leaving' }, sk: { N: '8' } };
    w.targets[1].put(extra);
    await w.handler(fileEvent(), w.context());
    // Deleted in the source; the delete reaches the target during the re-check delay.
    w.targets[1].put(leaving);
    w.setOnSleep(() => w.targets[1].delete(leaving));

    const segments: VerifySegmentResult[] = [];
    for (let segment = 0; segment < 3; segment++) {
      segments.push(
        (await w.handler(
          { mode: 'segment', bucket: BUCKET, segment, totalSegments: 3, reportPrefix: PREFIX, repair: false },
          w.context(),
        )) as VerifySegmentResult,
      );
    }
    expect(segments.every((s) => s.done)).toBe(true);
    expect(segments.reduce((n, s) => n + s.onlyInTarget, 0)).toBe(2);
    // The scan did see the item whose delete was on its way, and the re-check let it go.
    const settled = parts(w.store)
      .filter((p) => p.kind === 'segment')
      .flatMap((p) => p.targets)
      .reduce((n, t) => n + t.settledOnRecheck, 0);
    expect(settled).toBe(1);
    // Keys only, read consistently.
    for (const scan of w.targets[1].scans) {
      expect(scan).toMatchObject({ ConsistentRead: true, ProjectionExpression: '#k0, #k1' });
    }

    const summary = (await w.handler(
      { mode: 'summarize', bucket: BUCKET, reportPrefix: PREFIX },
      w.context(),
    )) as VerifySummary;
    expect(summary).toEqual({
      targets: [
        {
          target: LABELS[0],
          compared: w.items.length,
          differing: 0,
          missingInTarget: 0,
          onlyInTarget: 0,
          repaired: 0,
        },
        {
          target: LABELS[1],
          compared: w.items.length,
          differing: 2,
          missingInTarget: 1,
          onlyInTarget: 2,
          repaired: 0,
        },
      ],
      differences: 5,
      report: `s3://${BUCKET}/${PREFIX}/report.json`,
    });
    const report = JSON.parse(w.store.objects.get(`${PREFIX}/report.json`) as string) as {
      targets: {
        target: string;
        onlyInTargetKeys: EventImage[];
        missingKeys: EventImage[];
        differingKeys: EventImage[];
      }[];
    };
    expect(new Set(report.targets[1]?.onlyInTargetKeys.map((k) => JSON.stringify(k)))).toEqual(
      new Set([JSON.stringify(keyOf(extra)), JSON.stringify(keyOf(w.deletedNotYet))]),
    );
    expect(report.targets[1]?.missingKeys).toEqual([keyOf(w.missing)]);
    expect(report.targets[1]?.differingKeys).toHaveLength(2);
    expect(w.store.objects.get(`${PREFIX}/report.json`)).not.toContain(SECRET_MARKER);

    const metrics = printed().filter((l) => VERIFY_METRIC.differences in l);
    expect(metrics.map((m) => [m.Target, m[VERIFY_METRIC.differences]])).toEqual([
      [LABELS[0], 0],
      [LABELS[1], 5],
    ]);
  });

  it('with repair deletes an item only in a target; a second scan finds none', async () => {
    const items = exportItems(30);
    const w = setup(items);
    const extra: EventImage = { pk: { S: 'extra' }, sk: { N: '7' } };
    w.targets[0].put(extra);
    const event = { mode: 'segment', bucket: BUCKET, segment: 0, totalSegments: 1, reportPrefix: PREFIX };
    const first = (await w.handler({ ...event, repair: true }, w.context())) as VerifySegmentResult;
    expect(first).toMatchObject({ done: true, onlyInTarget: 1 });
    expect(w.targets[0].items.size).toBe(items.length);
    // A new run: a new report (the same prefix would give back the first run's record).
    w.store.objects.clear();
    const second = (await w.handler({ ...event, repair: false }, w.context())) as VerifySegmentResult;
    expect(second).toMatchObject({ done: true, onlyInTarget: 0, scanned: 2 * items.length });
  });

  it('bounds the keys one segment invocation holds: a target full of items the source lacks is scanned in parts, each key counted once', async () => {
    const w = setup([], { maxPartKeys: 1_500 });
    // Binary sort keys: the scan's last key goes through the state machine as base64 and back.
    for (let i = 0; i < 5_000; i++) {
      const sk = Buffer.from([i >> 8, i & 255, 0, 255]).toString('base64');
      w.targets[0].put({ pk: { S: `stray-${i % 7}` }, sk: { B: sk } });
    }
    const event = { mode: 'segment', bucket: BUCKET, segment: 0, totalSegments: 1, reportPrefix: PREFIX };
    const results: VerifySegmentResult[] = [];
    let next: Pick<VerifySegmentResult, 'targetIndex' | 'lastEvaluatedKey'> = {
      targetIndex: 0,
      lastEvaluatedKey: null,
    };
    while (results.length < 100) {
      const r = (await w.handler({ ...event, repair: false, ...next }, w.context())) as VerifySegmentResult;
      results.push(r);
      if (r.done) break;
      next = { targetIndex: r.targetIndex, lastEvaluatedKey: r.lastEvaluatedKey };
    }
    expect(results.length).toBeGreaterThan(1);
    const held = parts(w.store).map((p) => p.targets[0]?.onlyInTarget.length ?? 0);
    // At most the bound plus one Scan page.
    for (const n of held) expect(n).toBeLessThanOrEqual(1_500 + 1_000);
    expect(held.reduce((a, b) => a + b, 0)).toBe(5_000);
    const reported = parts(w.store).flatMap((p) => p.targets[0]?.onlyInTarget ?? []);
    expect(new Set(reported.map((k) => JSON.stringify(k))).size).toBe(5_000);
  });

  it('lists every report part in S3 over ListObjectsV2 pages (1,000 keys each), so summarize adds them all up', async () => {
    const total = 2_500;
    s3.on(ListObjectsV2Command).callsFake((input: { ContinuationToken?: string; Prefix?: string }) => {
      const from = Number(input.ContinuationToken ?? '0');
      const to = Math.min(total, from + 1000);
      return {
        Contents: Array.from({ length: to - from }, (_, i) => ({
          Key: `${input.Prefix}part-${from + i}.json`,
        })),
        IsTruncated: to < total,
        ...(to < total ? { NextContinuationToken: String(to) } : {}),
      };
    });
    const keys = await s3ReportStore(new S3Client({ region: 'us-east-1' }), BUCKET).list(`${PREFIX}/parts/`);
    expect(new Set(keys).size).toBe(total);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(3);
  });

  it('summarizes a run with nothing to compare as zeros for every target', async () => {
    const w = setup([]);
    const summary = (await w.handler(
      { mode: 'summarize', bucket: BUCKET, reportPrefix: PREFIX },
      w.context(),
    )) as VerifySummary;
    expect(summary.differences).toBe(0);
    expect(summary.targets.map((t) => t.target)).toEqual(LABELS);
  });
});

const throttle = (name: string) =>
  Object.assign(new Error('The level of configured provisioned throughput for the table was exceeded'), {
    name,
  });

describe('verifier under a read-capacity cap and throttling', () => {
  it('refuses a READ_CAPACITY that is not a whole number of units from 100, naming it; unset means no cap', () => {
    expect(config.readCapacity).toBeUndefined();
    expect(parseVerifierConfig({ ...ENV, READ_CAPACITY: ' 500 ' }).readCapacity).toBe(500);
    for (const bad of ['0', '99', '1.5', 'lots', '-100', '10000001']) {
      expect(() => parseVerifierConfig({ ...ENV, READ_CAPACITY: bad })).toThrow(/^READ_CAPACITY: must be/);
    }
  });

  it('paces file mode to READ_CAPACITY per table from the units DynamoDB reports', async () => {
    const items = exportItems(2_000);
    const w = setup(items, { env: { READ_CAPACITY: '100' } });
    serve(gzipExport(items));
    const began = w.clock.ms;
    const result = (await w.handler(fileEvent(), w.context())) as VerifyFileResult;
    expect(result).toMatchObject({ done: true, compared: items.length, differences: 0 });
    const elapsed = w.clock.ms - began;
    for (const t of w.targets) {
      // Each target was read in full, and at no more than 100 units a second (the bucket starts empty).
      expect(t.unitsReported).toBeGreaterThan(items.length);
      expect(elapsed).toBeGreaterThanOrEqual((t.unitsReported / 100) * 1000 - 1_000);
    }
    // The two targets' buckets run side by side: the run takes one target's time, not both.
    expect(elapsed).toBeLessThan((w.targets[0].unitsReported / 100) * 1000 * 1.5);
    const log = printed().find((l) => l.message === 'export file verified') as { readUnits: unknown };
    expect(log.readUnits).toEqual({
      source: 0,
      targets: [w.targets[0].unitsReported, w.targets[1].unitsReported],
    });
  });

  it('paces segment mode: the Scan and the source lookups of its keys', async () => {
    const items = exportItems(1_000);
    const w = setup(items, { env: { READ_CAPACITY: '100' } });
    const began = w.clock.ms;
    const event = { mode: 'segment', bucket: BUCKET, segment: 0, totalSegments: 1, reportPrefix: PREFIX };
    const r = (await w.handler({ ...event, repair: false }, w.context())) as VerifySegmentResult;
    expect(r).toMatchObject({ done: true, scanned: 2 * items.length, onlyInTarget: 0 });
    // The source is looked up for both targets' keys: twice its units at 100 a second.
    expect(w.source.unitsReported).toBeGreaterThan(2 * items.length);
    expect(w.clock.ms - began).toBeGreaterThanOrEqual((w.source.unitsReported / 100) * 1000 - 1_000);
    for (const scan of w.targets[0].scans) {
      expect(scan).toMatchObject({ ReturnConsumedCapacity: 'TOTAL', Limit: 100 });
    }
  });

  it('backs off and retries throttled reads (exceptions and UnprocessedKeys) instead of failing the run', async () => {
    const items = exportItems(300);
    const w = setup(items);
    serve(gzipExport(items));
    w.targets[1].beforeGet = (call) => {
      if (call <= 6) throw throttle('ProvisionedThroughputExceededException');
    };
    // More rounds of unprocessed keys than TableReader takes before it gives up.
    w.targets[0].unprocessed = Array.from({ length: 40 }, () => 100);
    const result = (await w.handler(fileEvent(), w.context())) as VerifyFileResult;
    expect(result).toMatchObject({ done: true, compared: items.length, differences: 0 });

    w.targets[0].put({ pk: { S: 'extra' }, sk: { N: '1' } });
    w.targets[0].beforeScan = (call) => {
      if (call <= 3) throw throttle('ThrottlingException');
    };
    const event = { mode: 'segment', bucket: BUCKET, segment: 0, totalSegments: 1, reportPrefix: PREFIX };
    const r = (await w.handler({ ...event, repair: false }, w.context())) as VerifySegmentResult;
    expect(r).toMatchObject({ done: true, onlyInTarget: 1, scanned: 2 * items.length + 1 });
  });

  it('fails with VerifyReadError saying what to do when a table stays throttled up to the deadline', async () => {
    const items = exportItems(10);
    const w = setup(items);
    serve(gzipExport(items));
    w.targets[0].beforeGet = () => {
      throw throttle('ProvisionedThroughputExceededException');
    };
    const began = w.clock.ms;
    const failure = await w.handler(fileEvent(), w.context(900_000)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VerifyReadError);
    expect((failure as Error).message).toMatch(/throttled until the invocation's deadline.*READ_CAPACITY/);
    expect((failure as Error).message).toContain(LABELS[0]);
    // It kept trying for most of the invocation, and stopped before its end.
    expect(w.clock.ms - began).toBeGreaterThan(800_000);
    expect(w.clock.ms - began).toBeLessThan(900_000);
  });
});

describe('verifier report: counts apart from keys, the first record of a range wins', () => {
  it('summarize adds up counts objects and reads key parts only until the lists are full', async () => {
    const items = exportItems(2_000);
    const w = setup(items, { maxPartKeys: 300, maxReportKeys: 500 });
    serve(gzipExport(items));
    w.targets[0].items.clear();
    let startLine = 0;
    for (let i = 0; i < 100; i++) {
      const r = (await w.handler(fileEvent(false, startLine), w.context())) as VerifyFileResult;
      if (r.done) break;
      startLine = r.nextLine;
    }
    const partKeys = [...w.store.objects.keys()].filter((k) => k.startsWith(`${PREFIX}/parts/`)).sort();
    expect(partKeys.length).toBeGreaterThan(4);
    const partBytes = partKeys.reduce((n, k) => n + Buffer.byteLength(w.store.objects.get(k) ?? ''), 0);
    w.store.reads = [];
    w.store.bytesRead = 0;
    const summary = (await w.handler(
      { mode: 'summarize', bucket: BUCKET, reportPrefix: PREFIX },
      w.context(),
    )) as VerifySummary;
    expect(summary.targets[0]).toMatchObject({ compared: items.length, missingInTarget: items.length });
    expect(summary.differences).toBe(items.length);
    const report = JSON.parse(w.store.objects.get(`${PREFIX}/report.json`) as string) as {
      targets: { missingKeys: EventImage[]; keysTruncated?: boolean }[];
    };
    expect(report.targets[0]?.missingKeys).toHaveLength(500);
    expect(new Set(report.targets[0]?.missingKeys.map((k) => JSON.stringify(k))).size).toBe(500);
    expect(report.targets[0]?.keysTruncated).toBe(true);
    expect(report.targets[1]?.keysTruncated).toBeUndefined();
    // Every part's counts object, and only the parts the 500 keys came from (at least 300 each).
    const keyReads = w.store.reads.filter((k) => k.includes('/parts/'));
    expect(keyReads).toEqual(partKeys.slice(0, 2));
    expect(w.store.reads.filter((k) => k.includes('/counts/'))).toHaveLength(partKeys.length);
    expect(w.store.bytesRead).toBeLessThan(partBytes / 2);
  });

  it('a file invocation with repair retried after it recorded its range returns, and keeps, its first counts', async () => {
    const w = driftedWorld();
    const first = (await w.handler(fileEvent(true), w.context())) as VerifyFileResult;
    expect(first.differences).toBe(3);
    const recorded = new Map(w.store.objects);
    // Retried (the state machine did not get the answer): the three keys are repaired by now.
    const again = (await w.handler(fileEvent(true), w.context())) as VerifyFileResult;
    expect(again).toEqual(first);
    expect(w.store.objects).toEqual(recorded);
    const summary = (await w.handler(
      { mode: 'summarize', bucket: BUCKET, reportPrefix: PREFIX },
      w.context(),
    )) as VerifySummary;
    expect(summary.targets[1]).toMatchObject({ differing: 2, missingInTarget: 1, repaired: 3 });
    expect(summary.differences).toBe(3);
  });

  it('a segment invocation with repair retried returns its first counts; so does a retry cut between its two writes', async () => {
    const items = exportItems(30);
    const w = setup(items);
    w.targets[0].put({ pk: { S: 'extra' }, sk: { N: '7' } });
    const event = { mode: 'segment', bucket: BUCKET, segment: 0, totalSegments: 1, reportPrefix: PREFIX };
    const first = (await w.handler({ ...event, repair: true }, w.context())) as VerifySegmentResult;
    expect(first).toMatchObject({ done: true, onlyInTarget: 1 });
    expect(await w.handler({ ...event, repair: true }, w.context())).toEqual(first);
    // The counts object lost (the first invocation ended between its writes): made again from the part.
    const counts = [...w.store.objects.keys()].filter((k) => k.includes('/counts/segment-0-of-1-target-0'));
    expect(counts).toHaveLength(1);
    w.store.objects.delete(counts[0] as string);
    expect(await w.handler({ ...event, repair: true }, w.context())).toEqual(first);
    expect(w.store.objects.has(counts[0] as string)).toBe(true);
    const summary = (await w.handler(
      { mode: 'summarize', bucket: BUCKET, reportPrefix: PREFIX },
      w.context(),
    )) as VerifySummary;
    expect(summary.targets[0]).toMatchObject({ onlyInTarget: 1, repaired: 1 });
  });

  it('a retry racing the first invocation loses at the write: the first record stands and is returned', async () => {
    const w = driftedWorld();
    const first = (await w.handler(fileEvent(true), w.context())) as VerifyFileResult;
    const partName = [...w.store.objects.keys()].find((k) => k.includes('/parts/')) as string;
    const countsName = partName.replace('/parts/', '/counts/');
    const part = w.store.objects.get(partName);
    w.store.objects.delete(countsName);
    // The retry looks before the first has written anything, and writes after it did.
    const find = w.store.find;
    let hidden = true;
    w.store.find = async (key) => {
      if (key === partName && hidden) {
        hidden = false;
        return undefined;
      }
      return find(key);
    };
    const again = (await w.handler(fileEvent(true), w.context())) as VerifyFileResult;
    expect(again).toEqual(first);
    expect(w.store.objects.get(partName)).toBe(part);
    expect(JSON.parse(w.store.objects.get(countsName) as string)).toMatchObject({
      targets: [{ differing: 0 }, { differing: 2, missing: 1, repaired: 3 }],
    });
  });
});
