/** What `ddbsync verify` prints and writes to --report about the differences it found. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Difference, TargetReport } from '../../../cli/src/verify.js';
import { reportJson, summaryLines, writeReport } from '../../../cli/src/verify-report.js';

const key = (n: number) => ({ pk: { S: `order#${n}` }, sk: { B: Uint8Array.from([n, 255]) } });

function targetReport(overrides: Partial<TargetReport> = {}): TargetReport {
  return {
    target: 'orders-copy@eu-west-1',
    sourceItemsChecked: 1000,
    targetItemsChecked: 998,
    heartbeatItems: 0,
    settledOnRecheck: 0,
    found: { missing: 0, extra: 0, different: 0 },
    repaired: 0,
    remaining: [],
    writeErrors: [],
    ...overrides,
  };
}

const differences: Difference[] = [
  { kind: 'missing', key: key(1) },
  { kind: 'different', key: key(2), attributes: ['price', 'status'] },
  { kind: 'extra', key: key(3) },
];

describe('reportJson', () => {
  it('is equal when no target has a difference left, with the sample defaulting to the whole table', () => {
    const report = reportJson('orders', undefined, false, [targetReport(), targetReport({ target: 'b' })]);
    expect(report).toMatchObject({ sourceTable: 'orders', sample: 1, repair: false, equal: true });
    expect(Number.isNaN(Date.parse(report.checkedAt))).toBe(false);
  });

  it('is not equal when any target has a difference left, even if another has none', () => {
    const report = reportJson('orders', 0.1, false, [
      targetReport(),
      targetReport({
        found: { missing: 1, extra: 0, different: 0 },
        remaining: [differences[0] as Difference],
      }),
    ]);
    expect(report.equal).toBe(false);
    expect(report.sample).toBe(0.1);
  });

  it('lists each difference by its key in DynamoDB JSON (binaries in base64), with the attributes that differ', () => {
    const report = reportJson('orders', undefined, true, [
      targetReport({
        found: { missing: 1, extra: 1, different: 1 },
        remaining: differences,
        writeErrors: ['boom'],
      }),
    ]);
    expect(report.targets[0]).toMatchObject({
      found: { missing: 1, extra: 1, different: 1 },
      writeErrors: ['boom'],
    });
    expect(report.targets[0]?.differences).toEqual([
      { kind: 'missing', key: { pk: { S: 'order#1' }, sk: { B: 'Af8=' } } },
      {
        kind: 'different',
        key: { pk: { S: 'order#2' }, sk: { B: 'Av8=' } },
        attributes: ['price', 'status'],
      },
      { kind: 'extra', key: { pk: { S: 'order#3' }, sk: { B: 'A/8=' } } },
    ]);
  });

  it('is written as JSON that reads back the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddbsync-report-'));
    try {
      const report = reportJson('orders', undefined, false, [targetReport({ remaining: differences })]);
      writeReport(join(dir, 'report.json'), report);
      const text = readFileSync(join(dir, 'report.json'), 'utf8');
      expect(text.endsWith('}\n')).toBe(true);
      expect(JSON.parse(text)).toEqual(report);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('summaryLines', () => {
  it('says per target what was found and how much was checked', () => {
    expect(summaryLines([targetReport()], false, 20)).toEqual([
      'orders-copy@eu-west-1: 0 missing, 0 extra, 0 different (checked 1000 source and 998 target items)',
    ]);
  });

  it('mentions changes in flight that settled on the re-check only when there were some', () => {
    const [line] = summaryLines([targetReport({ settledOnRecheck: 4 })], false, 20);
    expect(line).toContain('; 4 in-flight changes settled on re-check)');
  });

  it('lists the remaining differences, kind and key, with the differing attributes', () => {
    const lines = summaryLines(
      [targetReport({ found: { missing: 1, extra: 1, different: 1 }, remaining: differences })],
      false,
      20,
    );
    expect(lines.slice(1)).toEqual([
      '  missing   {"pk":{"S":"order#1"},"sk":{"B":"Af8="}}',
      '  different {"pk":{"S":"order#2"},"sk":{"B":"Av8="}} attributes: price, status',
      '  extra     {"pk":{"S":"order#3"},"sk":{"B":"A/8="}}',
    ]);
  });

  it('with --repair, says how many were repaired and remain, and the write errors', () => {
    const lines = summaryLines(
      [
        targetReport({
          found: { missing: 2, extra: 0, different: 1 },
          repaired: 2,
          remaining: [differences[1] as Difference],
          writeErrors: ['order#2: ConditionalCheckFailedException'],
        }),
      ],
      true,
      20,
    );
    expect(lines[1]).toBe('  repaired 2, 1 remain');
    expect(lines[2]).toBe('  write error: order#2: ConditionalCheckFailedException');
    expect(lines).toHaveLength(4);
  });

  it('says nothing of repairs when there was nothing to repair', () => {
    expect(summaryLines([targetReport()], true, 20)).toHaveLength(1);
  });

  it('lists at most --max-listed differences and points to --report for the rest', () => {
    const many = Array.from({ length: 7 }, (_, i): Difference => ({ kind: 'missing', key: key(i) }));
    const report = targetReport({ found: { missing: 7, extra: 0, different: 0 }, remaining: many });
    const lines = summaryLines([report], false, 5);
    expect(lines).toHaveLength(1 + 5 + 1);
    expect(lines.at(-1)).toBe('  ... and 2 more (see --report)');
    expect(summaryLines([report], false, 0).slice(1)).toEqual(['  ... and 7 more (see --report)']);
    expect(summaryLines([report], false, 6).at(-1)).toBe('  ... and 1 more (see --report)');
    expect(summaryLines([report], false, 7).at(-1)).toMatch(/^ {2}missing/);
  });
});
