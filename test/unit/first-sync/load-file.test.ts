/**
 * The loader's core: an export file's lines into every target through the replicator's
 * batch writer, on a virtual clock (the targets' round trips and the pacing's sleeps move
 * it), so deadlines and write-capacity pacing are exact whatever the machine's load.
 */
import { describe, expect, it } from 'vitest';
import type { EventImage } from '../../../lambda/src/attribute-values.js';
import type { BatchWriteResult, WriteEntry } from '../../../lambda/src/batch-writer.js';
import {
  ExportLineError,
  ExportReadError,
  LoadStalledError,
  TargetRefusedError,
} from '../../../lambda/src/first-sync/errors.js';
import { type LoadOutcome, type LoadSettings, loadLines } from '../../../lambda/src/first-sync/load-file.js';
import { putWriteUnits } from '../../../lambda/src/first-sync/write-units.js';
import type { TargetWriter } from '../../../lambda/src/target-writer.js';
import {
  chunked,
  expectedTable,
  exportItems,
  exportLine,
  exportText,
  FakeClock,
  FakeTarget,
  keyOf,
  ServiceError,
} from './export-fixtures.js';

const FILE = 's3://exports/first-sync/AWSDynamoDB/01-ab/data/part.json.gz';
const HOUR = 3_600_000;

function settings(overrides: Partial<LoadSettings> = {}): LoadSettings {
  return {
    file: FILE,
    startLine: 0,
    keyNames: ['pk', 'sk'],
    excludeAttributes: new Set(),
    concurrency: 4,
    ...overrides,
  };
}

/** Loads `text` from startLine with `budgetMs` of virtual time before sending stops. */
function load(
  text: string,
  clock: FakeClock,
  writers: readonly TargetWriter[],
  options: { startLine?: number; budgetMs?: number; chunk?: number } & Partial<LoadSettings> = {},
): Promise<LoadOutcome> {
  const { budgetMs = HOUR, chunk = 4096, ...rest } = options;
  const stopAt = clock.now() + budgetMs;
  return loadLines(chunked(Buffer.from(text), chunk), settings(rest), writers, {
    stopAt,
    deadline: stopAt + 10_000,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
  });
}

const targetsOf = (clock: FakeClock, roundTripMs = 0) => [
  new FakeTarget('orders-replica@eu-west-1 as arn:aws:iam::111111111111:role/w', clock, { roundTripMs }),
  new FakeTarget('orders-replica@ap-southeast-2 as arn:aws:iam::222222222222:role/w', clock, { roundTripMs }),
];

/** The byte length of each line (newline included) of an export text. */
const lineBytes = (text: string) =>
  text
    .split('\n')
    .slice(0, -1)
    .map((l) => Buffer.byteLength(l) + 1);

describe('loadLines', () => {
  it('writes every line, exactly as exported, to every target once (every type, 350 KB items)', async () => {
    const items = exportItems(600);
    const text = exportText(items, { spaced: true });
    const clock = new FakeClock();
    const targets = targetsOf(clock, 20);

    const outcome = await load(
      text,
      clock,
      targets.map((t) => t.writer()),
      { chunk: 1000 },
    );

    expect(outcome).toMatchObject({ done: true, nextLine: items.length, items: items.length, retries: 0 });
    expect(outcome.bytes).toBe(Buffer.byteLength(text));
    for (const t of targets) {
      expect(t.items).toEqual(expectedTable(items));
      expect([...t.puts.values()].every((n) => n === 1)).toBe(true);
      // Batches of 25: the writer's requests, no more.
      expect(t.requests).toBe(Math.ceil(items.length / 25));
      expect(t.maxInFlight).toBeLessThanOrEqual(4);
    }
  });

  it('resumed from startLine, reaches the same end state as a single pass', async () => {
    const items = exportItems(300);
    const text = exportText(items);
    const clock = new FakeClock();
    const [whole, resumed] = targetsOf(clock) as [FakeTarget, FakeTarget];
    await load(text, clock, [whole.writer()]);

    // The second target gets lines 0-99 first, then the file from line 100 on.
    await load(exportText(items.slice(0, 100)), clock, [resumed.writer()]);
    const rest = await load(text, clock, [resumed.writer()], { startLine: 100 });

    expect(rest).toMatchObject({ done: true, nextLine: items.length, items: items.length - 100 });
    expect(rest.bytes).toBe(
      lineBytes(text)
        .slice(100)
        .reduce((a, b) => a + b, 0),
    );
    expect(resumed.items).toEqual(whole.items);
    expect(resumed.items).toEqual(expectedTable(items));
  });

  it('stops sending at its deadline, returns where every earlier line is on every target, and resumes to the end', async () => {
    const items = exportItems(1_000);
    const text = exportText(items);
    const bytesOf = lineBytes(text);
    const clock = new FakeClock();
    const targets = targetsOf(clock, 40);
    const writers = targets.map((t) => t.writer());

    const outcomes: LoadOutcome[] = [];
    let startLine = 0;
    for (let invocation = 0; invocation < 100; invocation++) {
      const startedAt = clock.now();
      const outcome = await load(text, clock, writers, { startLine, budgetMs: 700 });
      outcomes.push(outcome);
      // Nothing is in flight once it has returned, and it sent nothing after the stop time
      // (the request that crosses it started before it).
      for (const t of targets) expect(t.inFlight).toBe(0);
      expect(clock.now() - startedAt).toBeLessThan(700 + 2 * 40);
      expect(outcome.nextLine).toBeGreaterThan(startLine);
      expect(outcome.items).toBe(outcome.nextLine - startLine);
      expect(outcome.bytes).toBe(bytesOf.slice(startLine, outcome.nextLine).reduce((a, b) => a + b, 0));
      // No line before nextLine is missing or half-written on any target.
      for (const t of targets) {
        for (const item of items.slice(0, outcome.nextLine)) {
          expect(t.items.get(keyOf(item))).toBe(JSON.stringify(item));
        }
      }
      if (outcome.done) break;
      expect(outcome.stoppedBy).toBe('deadline');
      startLine = outcome.nextLine;
    }
    expect(outcomes.length).toBeGreaterThan(2);
    expect(outcomes.at(-1)).toMatchObject({ done: true, nextLine: items.length });
    for (const t of targets) expect(t.items).toEqual(expectedTable(items));
  });

  it('fails on a malformed line with the file and its line number, after the writes in flight settle', async () => {
    const items = exportItems(200);
    const lines = exportText(items).split('\n');
    lines[136] = '{"Item":{"pk":{"S":"broken"},"sk":{"N":"1"},"v":{"X":"?"}}}';
    const clock = new FakeClock();
    const targets = targetsOf(clock, 5);

    const err = await load(
      lines.join('\n'),
      clock,
      targets.map((t) => t.writer()),
    ).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ExportLineError);
    expect((err as Error).message).toBe(
      `${FILE} line 137: attribute Item.v: has no known type key (S, N, B, SS, NS, BS, M, L, NULL, BOOL)`,
    );
    for (const t of targets) expect(t.inFlight).toBe(0);
  });

  it('fails with the name of a target that refuses writes and the line refused', async () => {
    const items = exportItems(200);
    const text = exportText(items);
    const clock = new FakeClock();
    const good = new FakeTarget('orders-replica@eu-west-1', clock);
    const missing = new FakeTarget('no-such-table@eu-west-1 as arn:aws:iam::333333333333:role/w', clock, {
      refuse: () => new ServiceError('ResourceNotFoundException', { httpStatusCode: 400 }),
    });
    const err = await load(text, clock, [good.writer(), missing.writer()]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetRefusedError);
    expect(err).toMatchObject({ target: missing.id, line: 1 });
    expect((err as Error).message).toBe(
      `target ${missing.id} refused the item of ${FILE} line 1: no-such-table: ResourceNotFoundException: ResourceNotFoundException (simulated)`,
    );

    // A target that refuses one item: the line named is in the request that carried it.
    const poison = items[150] as EventImage;
    const picky = new FakeTarget('picky@eu-west-1', clock, {
      refuse: (puts) =>
        puts.some((p) => keyOf(p) === keyOf(poison))
          ? new ServiceError('ValidationException', { httpStatusCode: 400 })
          : undefined,
    });
    const err2 = (await load(text, clock, [picky.writer()]).catch((e: unknown) => e)) as TargetRefusedError;
    expect(err2).toBeInstanceOf(TargetRefusedError);
    expect(err2.target).toBe('picky@eu-west-1');
    expect(err2.line).toBeGreaterThan(151 - 25);
    expect(err2.line).toBeLessThanOrEqual(151);
    expect(err2.message).toContain('ValidationException');
  });

  it('paces batches to WRITE_CAPACITY on every target: units sent by time t never exceed the rate', async () => {
    const items = exportItems(400).slice(8); // plain items, one or two units each
    const text = exportText(items);
    const units = items.map(putWriteUnits);
    const totalUnits = units.reduce((a, b) => a + b, 0);
    const rate = 50;
    const clock = new FakeClock();
    const start = clock.now();
    const sent: { at: number; units: number }[] = [];
    const target = new FakeTarget('paced@eu-west-1', clock);
    const writer: TargetWriter = {
      id: target.id,
      write: (entries, options) => {
        sent.push({
          at: clock.now(),
          units: entries.reduce((n, e) => n + putWriteUnits(e.request.PutRequest?.Item ?? {}), 0),
        });
        return target.writer().write(entries, options);
      },
    };

    const outcome = await load(text, clock, [writer], { writeCapacity: rate });

    expect(outcome.done).toBe(true);
    expect(target.items).toEqual(expectedTable(items));
    // Each batch takes at most a second of capacity, so no wait is longer than a second.
    for (const s of sent) expect(s.units).toBeLessThanOrEqual(rate);
    // By the time a batch goes, what went before and it stay within the rate since the start.
    let cumulative = 0;
    for (const s of sent) {
      cumulative += s.units;
      expect(cumulative).toBeLessThanOrEqual((rate * (s.at - start)) / 1000 + 1e-6);
    }
    // And the pacing is no slower than the rate: the whole file took totalUnits / rate seconds.
    expect(clock.now() - start).toBeCloseTo((totalUnits / rate) * 1000, 0);
  });

  it('reads ahead of the writes by at most the batches in flight: memory stays bounded', async () => {
    const items = exportItems(1_000).slice(8);
    const lines = exportText(items).split('\n').slice(0, -1);
    let pulled = 0;
    async function* source() {
      for (const line of lines) {
        pulled++;
        yield Buffer.from(`${line}\n`);
      }
    }
    let written = 0;
    let maxAhead = 0;
    const release: (() => void)[] = [];
    const writer: TargetWriter = {
      id: 'slow@eu-west-1',
      write: async (entries: readonly WriteEntry[]): Promise<BatchWriteResult> => {
        maxAhead = Math.max(maxAhead, pulled - written);
        await new Promise<void>((resolve) => release.push(resolve));
        written += entries.length;
        return { failed: new Map(), requests: 1, retries: 0 };
      },
    };
    const clock = new FakeClock();
    const running = loadLines(source(), settings({ concurrency: 3 }), [writer], {
      stopAt: clock.now() + HOUR,
      deadline: clock.now() + HOUR,
      now: clock.now,
      sleep: clock.sleep,
    });
    // Let writes complete one at a time, the reader racing ahead as far as it can each time.
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const next = release.shift();
      if (next === undefined) break;
      next();
    }
    const outcome = await running;
    expect(outcome).toMatchObject({ done: true, items: items.length });
    // Three batches of 25 in flight, one being filled, and the line that closed it.
    expect(maxAhead).toBeLessThanOrEqual(4 * 25 + 1);
    expect(maxAhead).toBeGreaterThan(2 * 25);
  });

  it('holds large items to the in-flight byte limit, not to the batch count', async () => {
    // Four batches of about 2.5 MB of request body (100 KB per item once in base64).
    const big = Array.from({ length: 80 }, (_, i) => ({
      pk: { S: `big-${i}` },
      sk: { N: '1' },
      blob: { B: Buffer.alloc(75_000, i).toString('base64') },
    }));
    let inFlightBytes = 0;
    let maxInFlightBytes = 0;
    let maxBatchBytes = 0;
    const clock = new FakeClock();
    const writer: TargetWriter = {
      id: 'big@eu-west-1',
      write: async (entries) => {
        const bytes = entries.reduce((n, e) => n + e.bytes, 0);
        maxBatchBytes = Math.max(maxBatchBytes, bytes);
        inFlightBytes += bytes;
        maxInFlightBytes = Math.max(maxInFlightBytes, inFlightBytes);
        await new Promise((r) => setImmediate(r));
        inFlightBytes -= bytes;
        return { failed: new Map(), requests: 1, retries: 0 };
      },
    };
    const limit = 3_000_000;
    const outcome = await load(exportText(big), clock, [writer], {
      maxInFlightBytes: limit,
      concurrency: 16,
    });
    expect(outcome).toMatchObject({ done: true, items: 80 });
    expect(maxBatchBytes).toBeGreaterThan(limit / 2);
    // 16 batches may be in flight by count, but two of these are over the byte limit.
    expect(maxInFlightBytes).toBe(maxBatchBytes);
    expect(maxInFlightBytes).toBeLessThanOrEqual(limit);
  });

  it('fails as stalled when nothing could be written before the deadline, rather than loop from the same line', async () => {
    const text = exportText(exportItems(50));
    const clock = new FakeClock();
    const throttled = new FakeTarget('hot@eu-west-1', clock, {
      roundTripMs: 10,
      refuse: () => new ServiceError('ProvisionedThroughputExceededException', { httpStatusCode: 400 }),
    });
    const err = await load(text, clock, [throttled.writer()], { budgetMs: 1_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadStalledError);
    expect((err as Error).message).toContain(`${FILE}: no line from 0 on was written to every target`);
    expect((err as Error).message).toContain('ProvisionedThroughputExceededException');

    const late = await load(text, clock, [throttled.writer()], { budgetMs: -1 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(LoadStalledError);
    expect((late as Error).message).toContain('no time left to write anything from line 1 on');
  });

  it('keeps what it wrote when the file stops reading mid-way, and fails when it wrote nothing', async () => {
    const items = exportItems(100).slice(8);
    const text = Buffer.from(exportText(items));
    const clock = new FakeClock();
    const cut = (at: number) =>
      async function* () {
        yield text.subarray(0, at);
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      };
    const target = new FakeTarget('t@eu-west-1', clock);
    const opts = {
      stopAt: clock.now() + HOUR,
      deadline: clock.now() + HOUR,
      now: clock.now,
      sleep: clock.sleep,
    };
    const partial = await loadLines(cut(text.length - 10)(), settings(), [target.writer()], opts);
    expect(partial).toMatchObject({
      done: false,
      stoppedBy: 'read error',
      readError: 'Error ECONNRESET: socket hang up',
    });
    expect(partial.nextLine).toBeGreaterThan(0);
    for (const item of items.slice(0, partial.nextLine))
      expect(target.items.get(keyOf(item))).toBe(JSON.stringify(item));

    const none = await loadLines(cut(100)(), settings(), [target.writer()], opts).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ExportReadError);
    expect((none as Error).message).toBe(`${FILE}: Error ECONNRESET: socket hang up`);
  });

  it('an empty file, or one whose every line was loaded, is done at once', async () => {
    const clock = new FakeClock();
    const target = new FakeTarget('t@eu-west-1', clock);
    await expect(load('', clock, [target.writer()])).resolves.toMatchObject({
      done: true,
      nextLine: 0,
      items: 0,
    });
    const text = `${exportLine({ pk: { S: 'a' }, sk: { N: '1' } })}\n`;
    await expect(load(text, clock, [target.writer()], { startLine: 1 })).resolves.toMatchObject({
      done: true,
      nextLine: 1,
      items: 0,
      bytes: 0,
    });
    expect(target.requests).toBe(0);
  });
});
