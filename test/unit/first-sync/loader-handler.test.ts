/**
 * The loader's handler as Lambda calls it: the export file comes from S3 GetObject (the
 * SDK's client, answered by aws-sdk-client-mock with a gzip body made here), the items go
 * to fake targets through the replicator's batch writer, and the real Powertools logger
 * and metrics print what CloudWatch would receive.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lambda/src/errors.js';
import {
  ExportLineError,
  ExportReadError,
  LoaderEventError,
  StreamBudgetExceededError,
  TargetRefusedError,
} from '../../../lambda/src/first-sync/errors.js';
import { parseLoaderConfig } from '../../../lambda/src/first-sync/loader-config.js';
import type { LoaderResult } from '../../../lambda/src/first-sync/loader-event.js';
import {
  createLoaderHandler,
  LOADER_METRIC,
  loaderTimeBudget,
} from '../../../lambda/src/first-sync/loader-handler.js';
import { createLogger, createMetrics } from '../../../lambda/src/observability.js';
import { SECRET_MARKER } from '../../support/fixtures.js';
import { captureOutput } from '../output-capture.js';
import {
  expectedTable,
  exportItems,
  exportText,
  FakeClock,
  FakeTarget,
  gzipExport,
  ServiceError,
} from './export-fixtures.js';

const BUCKET = 'ddbsync-exports-111111111111';
const KEY = 'first-sync/run-1/AWSDynamoDB/01700000000000-abcdefgh/data/xk3a.json.gz';
const FILE = `s3://${BUCKET}/${KEY}`;
const config = parseLoaderConfig({
  AWS_REGION: 'us-east-1',
  REPLICATION_TARGETS: JSON.stringify([
    { tableName: 'orders-replica', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/w' },
    { tableName: 'orders-replica', region: 'ap-southeast-2', roleArn: 'arn:aws:iam::222222222222:role/w' },
  ]),
});

const { output, printed } = captureOutput();
const s3 = mockClient(S3Client);
beforeEach(() => {
  s3.reset();
});

/** GetObject answers with `body` as a fresh stream each call, as S3 would. */
function serve(body: Buffer): void {
  s3.on(GetObjectCommand, { Bucket: BUCKET, Key: KEY }).callsFake(() => ({
    Body: sdkStreamMixin(Readable.from([body.subarray(0, 1000), body.subarray(1000)])),
    ContentLength: body.length,
  }));
}

function setup(roundTripMs = 0, refuse?: () => Error) {
  const clock = new FakeClock();
  const targets = config.targets.map(
    (t, i) =>
      new FakeTarget(`${t.tableName}@${t.region} as ${t.roleArn}`, clock, {
        roundTripMs,
        ...(refuse && i === 1 ? { refuse } : {}),
      }),
  );
  const handler = createLoaderHandler({
    config,
    writers: targets.map((t) => t.writer()),
    s3: new S3Client({ region: 'us-east-1' }),
    keyNames: async () => ['pk', 'sk'],
    logger: createLogger(),
    metrics: createMetrics(),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  });
  /** A context whose remaining time counts down on the virtual clock. */
  const context = (remainingMs: number) => {
    const end = clock.now() + remainingMs;
    return { getRemainingTimeInMillis: () => end - clock.now(), awsRequestId: 'req-1' };
  };
  return { clock, targets, handler, context };
}

describe('loader handler', () => {
  it('loads a gzip export file from S3 into every target and says it is done', async () => {
    const items = exportItems(300);
    serve(gzipExport(items, { spaced: true }));
    const { targets, handler, context } = setup(20);

    const result = await handler({ bucket: BUCKET, key: KEY, startLine: 0 }, context(900_000));

    expect(result).toEqual({
      key: KEY,
      done: true,
      nextLine: items.length,
      items: items.length,
      bytes: Buffer.byteLength(exportText(items, { spaced: true })),
    });
    for (const t of targets) expect(t.items).toEqual(expectedTable(items));
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);

    const lines = printed();
    const metric = lines.find((l) => '_aws' in l);
    expect(metric?.[LOADER_METRIC.itemsWritten]).toBe(items.length);
    expect(metric?.service).toBe('ddbsync');
    expect(lines.find((l) => l.message === 'export file loaded')).toMatchObject({
      level: 'INFO',
      file: FILE,
      startLine: 0,
      nextLine: items.length,
      done: true,
      items: items.length,
    });
    expect(output.join('')).not.toContain(SECRET_MARKER);
  });

  it('under a short deadline returns done=false and nextLine; invoked again from there it finishes, losing no line', async () => {
    const items = exportItems(2_000).slice(8);
    serve(gzipExport(items));
    const { targets, handler, context } = setup(60);

    const results: LoaderResult[] = [];
    let startLine = 0;
    while (results.length < 50) {
      const result = await handler({ bucket: BUCKET, key: KEY, startLine }, context(5_000));
      results.push(result);
      if (result.done) break;
      startLine = result.nextLine;
    }
    expect(results.length).toBeGreaterThan(1);
    expect(results.slice(0, -1).every((r) => !r.done)).toBe(true);
    expect(results.at(-1)).toMatchObject({ done: true, nextLine: items.length });
    // Each part starts where the last one ended; together they are the file, once.
    expect(results.reduce((n, r) => n + r.items, 0)).toBe(items.length);
    expect(results.reduce((n, r) => n + r.bytes, 0)).toBe(Buffer.byteLength(exportText(items)));
    for (const t of targets) expect(t.items).toEqual(expectedTable(items));
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(results.length);
    expect(
      printed().filter((l) => l.message?.toString().startsWith('export file partly loaded')),
    ).toHaveLength(results.length - 1);
  });

  it('budgets the deadline like the replicator and stops sending a tenth earlier (1-30 s)', () => {
    expect(loaderTimeBudget(0, 900_000)).toEqual({ deadline: 895_000, stopAt: 865_000 });
    expect(loaderTimeBudget(0, 60_000)).toEqual({ deadline: 55_000, stopAt: 49_000 });
    expect(loaderTimeBudget(0, 5_000)).toEqual({ deadline: 4_500, stopAt: 3_500 });
  });

  it('fails on a malformed line naming the S3 file and the line, logging no contents', async () => {
    const items = exportItems(40).slice(8);
    const text = exportText(items).split('\n');
    text[17] = `{"Item":{"pk":{"S":"${SECRET_MARKER}"},"sk":{"N":"1"},"b":{"B":"${SECRET_MARKER}"}}}`;
    serve(gzipSync(Buffer.from(text.join('\n'))));
    const { handler, context } = setup();

    const err = await handler({ bucket: BUCKET, key: KEY }, context(60_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportLineError);
    expect((err as Error).message).toBe(
      `${FILE} line 18: attribute Item.b: binary value is not a base64 string`,
    );
    const logged = printed().find((l) => l.level === 'ERROR');
    expect(logged?.error).toMatchObject({ name: 'ExportLineError' });
    expect(output.join('')).not.toContain(SECRET_MARKER);
  });

  it('fails naming the target that refuses writes', async () => {
    serve(gzipExport(exportItems(50)));
    const { handler, context } = setup(
      0,
      () => new ServiceError('AccessDeniedException', { httpStatusCode: 400 }),
    );
    const err = await handler({ bucket: BUCKET, key: KEY }, context(60_000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetRefusedError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^target orders-replica@ap-southeast-2 as arn:aws:iam::222222222222:role/w refused the item of ${literal(FILE)} line 1: .*AccessDeniedException`,
      ),
    );
  });

  it('fails with the file named when S3 cannot give it, or it is not gzip', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    const { handler, context } = setup();
    const missing = await handler({ bucket: BUCKET, key: KEY }, context(60_000)).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ExportReadError);
    expect((missing as Error).message).toBe(
      `${FILE}: GetObject failed: NoSuchKey: The specified key does not exist.`,
    );

    s3.reset();
    serve(Buffer.from(exportText(exportItems(3)))); // not compressed
    const plain = await handler({ bucket: BUCKET, key: KEY }, context(60_000)).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(ExportReadError);
    expect((plain as Error).message).toMatch(/^s3:\/\/\S+: Error Z_DATA_ERROR: incorrect header check$/);
  });

  it('treats a zero-byte object (an empty partition) as a file with no lines', async () => {
    serve(Buffer.alloc(0));
    const { handler, context } = setup();
    await expect(handler({ bucket: BUCKET, key: KEY }, context(60_000))).resolves.toEqual({
      key: KEY,
      done: true,
      nextLine: 0,
      items: 0,
      bytes: 0,
    });
  });

  it('loads until T0 + 24 h - STREAM_RESERVE_SECONDS, and after it fails before writing, naming T0, the deadline and what to do', async () => {
    const items = exportItems(30);
    serve(gzipExport(items));
    const T0 = '2026-12-01T10:00:00.000Z';
    const deadline = Date.parse('2026-12-02T09:00:00.000Z'); // default reserve: one hour
    const { clock, targets, handler, context } = setup();

    clock.ms = deadline;
    const inTime = await handler({ bucket: BUCKET, key: KEY, startLine: 0, exportTime: T0 }, context(60_000));
    expect(inTime.done).toBe(true);
    const written = targets[0]?.requests ?? 0;

    clock.ms = deadline + 1;
    // ExportTime as epoch seconds or ms, or with microseconds and an offset (moto's Step
    // Functions writes Python's isoformat), is the same T0.
    for (const exportTime of [
      T0,
      Date.parse(T0) / 1000,
      Date.parse(T0),
      '2026-12-01T10:00:00.000000+00:00',
    ]) {
      const err = await handler(
        { bucket: BUCKET, key: KEY, startLine: 0, exportTime },
        context(60_000),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamBudgetExceededError);
      const message = (err as Error).message;
      expect(message).toContain(`T0 is ${T0}`);
      expect(message).toContain('had to be done by 2026-12-02T09:00:00.000Z');
      expect(message).toContain('Raise target_write_capacity or max_concurrency');
      expect(message).toContain('start the first sync again');
    }
    expect(targets[0]?.requests).toBe(written);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);

    // An event without exportTime (an older state machine) is not checked.
    await expect(handler({ bucket: BUCKET, key: KEY, startLine: 0 }, context(60_000))).resolves.toMatchObject(
      {
        done: true,
      },
    );
  });

  it('stops sending at the stream budget even when the invocation started before it: the next invocation fails', async () => {
    const items = exportItems(2_000).slice(8);
    serve(gzipExport(items));
    const T0 = '2026-12-01T10:00:00.000Z';
    const deadline = Date.parse('2026-12-02T09:00:00.000Z'); // default reserve: one hour
    const { clock, targets, handler, context } = setup(60);

    clock.ms = deadline - 2_000;
    const first = await handler({ bucket: BUCKET, key: KEY, startLine: 0, exportTime: T0 }, context(900_000));
    expect(first.done).toBe(false);
    expect(first.items).toBeGreaterThan(0);
    // What was sent before the budget's deadline had settled soon after it.
    expect(clock.now()).toBeLessThan(deadline + 30_000);
    expect(targets[0]?.items.size).toBeLessThan(items.length);
    await expect(
      handler({ bucket: BUCKET, key: KEY, startLine: first.nextLine, exportTime: T0 }, context(900_000)),
    ).rejects.toThrow(StreamBudgetExceededError);
  });

  it('keeps STREAM_RESERVE_SECONDS for the catch-up: a larger reserve moves the deadline earlier', async () => {
    serve(gzipExport(exportItems(3)));
    const { clock, context } = setup();
    const handler = createLoaderHandler({
      config: parseLoaderConfig({
        AWS_REGION: 'us-east-1',
        REPLICATION_TARGETS: '[{"tableName":"orders-replica"}]',
        STREAM_RESERVE_SECONDS: '7200',
      }),
      writers: [new FakeTarget('t', clock).writer()],
      s3: new S3Client({ region: 'us-east-1' }),
      keyNames: async () => ['pk', 'sk'],
      logger: createLogger(),
      metrics: createMetrics(),
      now: clock.now,
      sleep: clock.sleep,
    });
    clock.ms = Date.parse('2026-12-02T08:00:00.001Z');
    await expect(
      handler({ bucket: BUCKET, key: KEY, exportTime: '2026-12-01T10:00:00Z' }, context(60_000)),
    ).rejects.toThrow(/7200 s kept for the catch-up .* had to be done by 2026-12-02T08:00:00.000Z/);
  });

  it('refuses an event that is not { bucket, key, startLine }', async () => {
    const { handler, context } = setup();
    for (const [event, field] of [
      [{ key: KEY }, 'event.bucket'],
      [{ bucket: 'Not_A_Bucket', key: KEY }, 'event.bucket'],
      [{ bucket: BUCKET, key: '' }, 'event.key'],
      [{ bucket: BUCKET, key: KEY, startLine: -1 }, 'event.startLine'],
      [{ bucket: BUCKET, key: KEY, startLine: '3' }, 'event.startLine'],
      [{ bucket: BUCKET, key: KEY, exportTime: 'yesterday' }, 'event.exportTime'],
      [{ bucket: BUCKET, key: KEY, exportTime: -5 }, 'event.exportTime'],
      [null, 'event.(event)'],
    ] as const) {
      const err = await handler(event, context(60_000)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LoaderEventError);
      expect((err as Error).message.startsWith(`${field}:`)).toBe(true);
    }
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });
});

describe('loader configuration', () => {
  const env = { AWS_REGION: 'us-east-1', REPLICATION_TARGETS: '[{"tableName":"orders-replica"}]' };

  it('reads the replicator settings it shares, and its own', () => {
    expect(parseLoaderConfig(env)).toEqual({
      targets: [{ tableName: 'orders-replica', region: 'us-east-1' }],
      excludeAttributes: new Set(),
      maxConcurrency: 64,
      streamReserveSeconds: 3600,
    });
    expect(
      parseLoaderConfig({
        ...env,
        MAX_CONCURRENCY: '40',
        WRITE_CAPACITY: '5000',
        KEY_ATTRIBUTES: ' pk , sk ',
        EXCLUDE_ATTRIBUTES: 'ssn',
        STREAM_RESERVE_SECONDS: '7200',
      }),
    ).toEqual({
      targets: [{ tableName: 'orders-replica', region: 'us-east-1' }],
      excludeAttributes: new Set(['ssn']),
      maxConcurrency: 40,
      writeCapacity: 5000,
      keyAttributes: ['pk', 'sk'],
      streamReserveSeconds: 7200,
    });
  });

  it.each([
    [{ WRITE_CAPACITY: '0' }, 'WRITE_CAPACITY'],
    [{ WRITE_CAPACITY: '1.5' }, 'WRITE_CAPACITY'],
    [{ WRITE_CAPACITY: 'lots' }, 'WRITE_CAPACITY'],
    [{ KEY_ATTRIBUTES: 'pk,sk,x' }, 'KEY_ATTRIBUTES'],
    [{ KEY_ATTRIBUTES: 'pk,pk' }, 'KEY_ATTRIBUTES'],
    [{ KEY_ATTRIBUTES: 'pk,' }, 'KEY_ATTRIBUTES'],
    [{ KEY_ATTRIBUTES: 'pk', EXCLUDE_ATTRIBUTES: 'pk' }, 'EXCLUDE_ATTRIBUTES'],
    [{ MAX_CONCURRENCY: '0' }, 'MAX_CONCURRENCY'],
    [{ REPLICATION_TARGETS: '' }, 'REPLICATION_TARGETS'],
    [{ STREAM_RESERVE_SECONDS: '-1' }, 'STREAM_RESERVE_SECONDS'],
    [{ STREAM_RESERVE_SECONDS: '1.5' }, 'STREAM_RESERVE_SECONDS'],
    [{ STREAM_RESERVE_SECONDS: '82801' }, 'STREAM_RESERVE_SECONDS'],
    [{ STREAM_RESERVE_SECONDS: 'an hour' }, 'STREAM_RESERVE_SECONDS'],
  ])('refuses %j, naming %s', (extra, setting) => {
    const err = (() => {
      try {
        parseLoaderConfig({ ...env, ...extra });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).setting).toBe(setting);
  });
});

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
