/**
 * The drift function's handler with its real Powertools logger and metrics, the source and
 * two targets as in-memory tables behind mocked clients, and a fake clock whose sleeps are
 * where the tests change tables "during the re-check delay".
 */
import { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { type DriftConfig, parseDriftConfig } from '../../lambda/src/drift/config.js';
import { createDriftHandler } from '../../lambda/src/drift/handler.js';
import { randomOrder } from '../../lambda/src/drift/sample.js';
import { ConfigError, DriftCheckError } from '../../lambda/src/errors.js';
import { createLogger, createMetrics } from '../../lambda/src/observability.js';
import { item, MemoryTable } from './drift-table.js';
import { seededRandom as seeded } from './fake-table.js';
import { captureOutput } from './output-capture.js';

const SECRET = 'do-not-log-7f3a9c';
const DELAY = 7_777;
const ENV = {
  AWS_REGION: 'us-east-1',
  SOURCE_TABLE: 'orders',
  HEALTH_TARGETS: JSON.stringify([
    { tableName: 'orders-replica', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/h' },
    { tableName: 'orders-copy' },
  ]),
  SAMPLE_TOTAL_SEGMENTS: '8',
  RECHECK_DELAY_MS: String(DELAY),
  READ_CAPACITY: '1000',
};
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:999999999999:function:orders-drift';
const EU = '111111111111/eu-west-1/orders-replica';
const US = '999999999999/us-east-1/orders-copy';

const { output, printed } = captureOutput();
const emf = (target: string) => printed().find((l) => '_aws' in l && l.Target === target);
const driftedLogs = () => printed().filter((l) => l.message === 'drifted item');

/** 40 items, each with a secret; the same in the source and both targets. */
function seed(...tables: MemoryTable[]): void {
  for (let i = 0; i < 40; i++) {
    const it = item(`order-${i}`, i, {
      total: { N: '12345678901234567890123456789012345678' },
      note: { S: `${SECRET} ${i}` },
      tags: { SS: ['a', 'b', 'c'] },
    });
    for (const t of tables) t.put(it);
  }
}

function setup(env: Record<string, string> = {}) {
  const config: DriftConfig = parseDriftConfig({ ...ENV, ...env });
  const source = new MemoryTable('orders');
  const eu = new MemoryTable('orders-replica');
  const us = new MemoryTable('orders-copy');
  seed(source, eu, us);
  const clients = [new DynamoDBClient({ region: 'us-east-1' }), new DynamoDBClient({ region: 'eu-west-1' })];
  const sourceClient = new DynamoDBClient({ region: 'us-east-1' });
  const mocks = [
    source.attach(sourceClient),
    eu.attach(clients[0] as DynamoDBClient),
    us.attach(clients[1] as DynamoDBClient),
  ];
  const clock = { t: 1_700_000_000_000, slept: 0, duringDelay: [] as (() => void)[] };
  const reports: { bucket: string; key: string; body: string }[] = [];
  const handler = createDriftHandler({
    config,
    source: sourceClient,
    targets: clients,
    logger: createLogger(),
    metrics: createMetrics(),
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
      clock.slept += ms;
      if (ms === DELAY) for (const change of clock.duringDelay.splice(0)) change();
    },
    random: seeded(7),
    putReport: async (bucket, key, body) => {
      reports.push({ bucket, key, body });
    },
  });
  const context = {
    getRemainingTimeInMillis: () => 300_000,
    invokedFunctionArn: FUNCTION_ARN,
    awsRequestId: 'req-1',
  };
  const run = () => handler({}, context);
  return { run, source, eu, us, clock, reports, mocks, handler, context };
}

/** Plants the four kinds of drift the issue names in a table. */
function plantDrift(t: MemoryTable): void {
  const changed = t.get(item('order-1', 1)) as ReturnType<MemoryTable['get']> & object;
  t.put({ ...changed, note: { S: 'edited in the target' } });
  t.put(item('only-in-target', 99, { note: { S: SECRET } }));
  t.delete(item('order-2', 2));
  const digits = t.get(item('order-3', 3)) as ReturnType<MemoryTable['get']> & object;
  t.put({ ...digits, total: { N: '12345678901234567890123456789012345679' } });
}

const keyOf = (pk: string, sk: number) => ({ pk: { S: pk }, sk: { N: String(sk) } });

describe('drift settings', () => {
  it.each([
    [{ SOURCE_TABLE: undefined }, 'SOURCE_TABLE'],
    [{ HEALTH_TARGETS: '[]' }, 'HEALTH_TARGETS'],
    [{ SAMPLE_ITEMS: '0' }, 'SAMPLE_ITEMS'],
    [{ SAMPLE_TOTAL_SEGMENTS: '1000001' }, 'SAMPLE_TOTAL_SEGMENTS'],
    [{ READ_CAPACITY: 'lots' }, 'READ_CAPACITY'],
    [{ RECHECK_DELAY_MS: '-1' }, 'RECHECK_DELAY_MS'],
    [{ REPAIR: 'yes' }, 'REPAIR'],
    [{ SKIP_TTL_DELETES: '1' }, 'SKIP_TTL_DELETES'],
    [{ REPORT_BUCKET: 'Not_A_Bucket' }, 'REPORT_BUCKET'],
    [{ EXCLUDE_ATTRIBUTES: 'a,,b' }, 'EXCLUDE_ATTRIBUTES'],
  ])('refuses %j, naming %s', (change, setting) => {
    let error: unknown;
    try {
      parseDriftConfig({ ...ENV, ...change });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe(setting);
  });

  it('applies the defaults', () => {
    const config = parseDriftConfig({
      AWS_REGION: 'us-east-1',
      SOURCE_TABLE: 'orders',
      HEALTH_TARGETS: '[{"tableName":"copy"}]',
    });
    expect(config).toMatchObject({
      sampleItems: 1000,
      sampleTotalSegments: 1000,
      readCapacity: 100,
      recheckDelayMs: 5000,
      repair: false,
      skipTtlDeletes: false,
    });
    expect(config.reportBucket).toBeUndefined();
  });
});

describe('drift run', () => {
  it('finds a changed attribute, an extra item, a missing item and a 38th-digit change, by key', async () => {
    const s = setup();
    plantDrift(s.eu);
    const summary = await s.run();
    expect(summary.targets).toEqual([
      expect.objectContaining({ target: EU, drifted: 4, sampledKeys: 41, settledOnRecheck: 0 }),
      expect.objectContaining({ target: US, drifted: 0, sampledKeys: 40 }),
    ]);
    expect(summary.wholeTable).toBe(true);
    expect(emf(EU)).toMatchObject({ DriftedItems: 4, DriftSampledItems: 41, service: 'ddbsync' });
    expect(emf(US)).toMatchObject({ DriftedItems: 0, DriftSampledItems: 40 });
    expect(emf(EU)).not.toHaveProperty('DriftRepairedItems');
    const logged = driftedLogs().map((l) => [l.kind, l.key, l.attributes]);
    expect(logged).toEqual(
      expect.arrayContaining([
        ['different', keyOf('order-1', 1), ['note']],
        ['extra', keyOf('only-in-target', 99), undefined],
        ['missing', keyOf('order-2', 2), undefined],
        ['different', keyOf('order-3', 3), ['total']],
      ]),
    );
    expect(logged).toHaveLength(4);
    // The targets are read consistently, for the first comparison and the re-check.
    const gets = s.mocks[1]?.commandCalls(BatchGetItemCommand) ?? [];
    expect(gets.length).toBeGreaterThanOrEqual(2);
    for (const call of gets) {
      expect(call.args[0].input.RequestItems?.['orders-replica']?.ConsistentRead).toBe(true);
    }
  });

  it('does not report a change that lands during the re-check delay, and reports one that does not', async () => {
    const s = setup();
    // Written to the source, not yet replicated when the drift run reads the targets:
    const landing = item('order-5', 5, { note: { S: 'new value, in flight' } });
    const stuck = item('order-6', 6, { note: { S: 'new value, never replicated' } });
    s.source.put({ ...s.source.get(landing), ...landing });
    s.source.put({ ...s.source.get(stuck), ...stuck });
    // ...and the replicator applies one of them during the delay.
    s.clock.duringDelay.push(() => {
      for (const t of [s.eu, s.us])
        t.put(s.source.get(landing) as NonNullable<ReturnType<MemoryTable['get']>>);
    });
    const summary = await s.run();
    for (const t of summary.targets) {
      expect(t).toMatchObject({ drifted: 1, settledOnRecheck: 1 });
    }
    expect(driftedLogs().map((l) => l.key)).toEqual([keyOf('order-6', 6), keyOf('order-6', 6)]);
    expect(s.clock.slept).toBeGreaterThanOrEqual(DELAY);
  });

  it('does not report an item whose source changed between the reads (still being written)', async () => {
    const s = setup();
    s.us.put(item('order-7', 7, { note: { S: 'old' } }));
    s.clock.duringDelay.push(() => s.source.put(item('order-7', 7, { note: { S: 'newer still' } })));
    const summary = await s.run();
    expect(summary.targets[1]).toMatchObject({ target: US, drifted: 0, changingOnRecheck: 1 });
    expect(emf(US)).toMatchObject({ DriftedItems: 0 });
  });

  it('does not wait when the first reads found nothing', async () => {
    const s = setup();
    await s.run();
    expect(s.clock.slept).toBeLessThan(DELAY);
  });

  it('logs and reports keys and attribute names, never item contents', async () => {
    const s = setup({ REPORT_BUCKET: 'drift-reports' });
    plantDrift(s.eu);
    const summary = await s.run();
    expect(summary.report).toBe('s3://drift-reports/drift/2023-11-14T22:13:20.000Z-req-1.json');
    expect(s.reports).toHaveLength(1);
    const report = JSON.parse(s.reports[0]?.body as string);
    expect(s.reports[0]?.key).toBe('drift/2023-11-14T22:13:20.000Z-req-1.json');
    const eu = report.targets.find((t: { target: string }) => t.target === EU);
    expect(eu.drifted).toBe(4);
    expect(eu.differences).toEqual(
      expect.arrayContaining([
        { kind: 'different', key: keyOf('order-1', 1), attributes: ['note'] },
        { kind: 'extra', key: keyOf('only-in-target', 99) },
        { kind: 'missing', key: keyOf('order-2', 2) },
        { kind: 'different', key: keyOf('order-3', 3), attributes: ['total'] },
      ]),
    );
    const all = output.join('') + s.reports[0]?.body;
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain('edited in the target');
    expect(all).not.toContain('12345678901234567890123456789012345679');
  });

  it('repairs confirmed drift through the writer: puts the source item, deletes the extra one', async () => {
    const s = setup({ REPAIR: 'true', EXCLUDE_ATTRIBUTES: 'tags' });
    plantDrift(s.eu);
    // Excluded attributes are neither compared nor written.
    for (const t of [s.eu, s.us]) {
      for (const stored of t.items.values()) delete stored.tags;
    }
    const summary = await s.run();
    expect(summary.targets[0]).toMatchObject({ target: EU, drifted: 4, repaired: 4 });
    expect(summary.targets[1]).toMatchObject({ target: US, drifted: 0, repaired: 0 });
    expect(emf(EU)).toMatchObject({ DriftedItems: 4, DriftRepairedItems: 4 });
    expect(s.eu.items.has(MemoryTable.id(item('only-in-target', 99)))).toBe(false);
    expect(s.eu.get(item('order-2', 2))).toEqual({ ...s.source.get(item('order-2', 2)), tags: undefined });
    expect(s.eu.get(item('order-2', 2))).not.toHaveProperty('tags');
    expect(s.eu.get(item('order-3', 3))?.total).toEqual({ N: '12345678901234567890123456789012345678' });
    expect(driftedLogs().every((l) => l.repaired === true)).toBe(true);
    // A second run finds the targets equal.
    output.length = 0;
    const again = await s.run();
    expect(again.targets.map((t) => t.drifted)).toEqual([0, 0]);
  });

  it('leaves canary heartbeats out of the sample and never reports them', async () => {
    const s = setup();
    s.source.put({ pk: { S: '__ddbsync_heartbeat__' }, sk: { N: '0' }, ddbsync_heartbeat_at: { N: '2' } });
    s.eu.put({ pk: { S: '__ddbsync_heartbeat__' }, sk: { N: '0' }, ddbsync_heartbeat_at: { N: '1' } });
    const summary = await s.run();
    expect(summary.targets.map((t) => t.drifted)).toEqual([0, 0]);
    expect(printed().find((l) => l.message === 'drift run sampled the source')).toMatchObject({
      heartbeatsSkipped: 1,
    });
  });

  it('with SKIP_TTL_DELETES, does not count items found only in a target', async () => {
    const s = setup({ SKIP_TTL_DELETES: 'true' });
    s.eu.put(item('expired-in-source', 50));
    const summary = await s.run();
    expect(summary.targets[0]).toMatchObject({ drifted: 0 });
    expect(printed().find((l) => l.target === EU && l.message === 'no drift found')).toMatchObject({
      onlyInTargetExpected: 1,
    });
  });

  it('retries unprocessed keys of BatchGetItem until every key is read', async () => {
    const s = setup();
    plantDrift(s.eu);
    s.eu.unprocessedPerRequest = 7;
    s.source.unprocessedPerRequest = 3;
    const summary = await s.run();
    expect(summary.targets[0]).toMatchObject({ drifted: 4, sampledKeys: 41 });
    expect(s.eu.calls.BatchGetItem).toBeGreaterThan(3);
  });

  it('keeps its reads under READ_CAPACITY per table', async () => {
    const s = setup({ READ_CAPACITY: '1', SAMPLE_TOTAL_SEGMENTS: '4' });
    await s.run();
    // Each table: 4 Scan pages (at least half a unit each) and 40 consistent reads of one
    // unit: over 40 units at 1 unit/s, so at least 40 s of waiting, per table, in parallel.
    expect(s.clock.slept).toBeGreaterThanOrEqual(40_000);
  });

  it('samples SAMPLE_ITEMS items per side from random segments', async () => {
    const s = setup({ SAMPLE_ITEMS: '10' });
    const summary = await s.run();
    expect(summary.sourceSampled).toBe(10);
    expect(summary.wholeTable).toBe(false);
    for (const t of summary.targets) expect(t.sampledKeys).toBeGreaterThanOrEqual(10);
    for (const t of summary.targets) expect(t.sampledKeys).toBeLessThanOrEqual(20);
    const order = [...randomOrder(1000, seeded(3))];
    expect(new Set(order).size).toBe(1000);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('publishes the targets it could check and fails the invocation naming the one it could not', async () => {
    const s = setup();
    s.eu.failWith = Object.assign(new Error('not authorized to perform dynamodb:BatchGetItem'), {
      name: 'AccessDeniedException',
    });
    const error = await s.run().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DriftCheckError);
    expect((error as Error).message).toContain(EU);
    expect(emf(EU)).toBeUndefined();
    expect(emf(US)).toMatchObject({ DriftedItems: 0 });
  });

  it('refuses to run when the re-check does not fit in the invocation, naming RECHECK_DELAY_MS', async () => {
    const s = setup();
    const short = { ...s.context, getRemainingTimeInMillis: () => 20_000 };
    await expect(s.handler({}, short)).rejects.toMatchObject({ setting: 'RECHECK_DELAY_MS' });
  });
});
