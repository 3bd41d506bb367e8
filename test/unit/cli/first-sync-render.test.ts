/** What the first-sync commands print: the progress line, the final summary, the verify tables. */
import { describe, expect, it } from 'vitest';
import type { ProgressView } from '../../../cli/src/first-sync/model.js';
import {
  duration,
  finalText,
  parseVerifyResult,
  progressLine,
  summaryJson,
  unrepaired,
  verifyText,
} from '../../../cli/src/first-sync/render.js';
import { progressWriter } from '../../../cli/src/first-sync/watch.js';

const ARN = 'arn:aws:states:us-east-1:111111111111:execution:orders-first-sync:run-1';
const T0 = new Date('2026-12-01T10:00:00Z');

const running: ProgressView = {
  outcome: 'running',
  verify: false,
  laterRuns: [],
  phase: 'loading',
  executionStatus: 'RUNNING',
  exportState: 'COMPLETED',
  files: { done: 3, total: 12, failed: 1 },
  itemsWritten: 60_000,
  itemsPartial: false,
  itemsTotal: 240_000,
  itemsPerSecond: 100.4,
  etaSeconds: 1800,
  budget: {
    t0: T0,
    deadline: new Date('2026-12-02T10:00:00Z'),
    hoursLeft: 23.666,
    etaPastDeadline: false,
  },
  failedFiles: [
    { key: 's3://exports/o/data/a.json.gz', reason: 'TargetRefusedError: target t refused' },
    { key: 's3://exports/o/data/b.json.gz', reason: 'States.Timeout' },
  ],
  imports: [],
  problems: [],
  elapsedSeconds: 1320,
};

describe('progressLine', () => {
  it('shows every figure on one line', () => {
    expect(progressLine(running)).toBe(
      'loading | export COMPLETED | files 3/12 done, 1 failed | 60,000/240,000 items | 100 items/s | ' +
        'ETA 30m 00s | stream: 23.7 h of 24 h left | ' +
        'failed: s3://exports/o/data/a.json.gz: TargetRefusedError: target t refused (+1 more)',
    );
  });

  it('says when items are a lower bound, the ETA is unknown or past the stream deadline, and shows imports', () => {
    const v: ProgressView = {
      ...running,
      itemsPartial: true,
      failedFiles: [],
      files: { done: 0, total: 12, failed: 0 },
      etaSeconds: undefined,
      budget: { ...(running.budget as NonNullable<ProgressView['budget']>), etaPastDeadline: true },
      imports: [{ table: 'orders', status: 'IN_PROGRESS', items: 1234 }],
    };
    expect(progressLine(v)).toBe(
      'loading | export COMPLETED | files 0/12 done | 60,000+/240,000 items | 100 items/s | ETA ? | ' +
        'import orders IN_PROGRESS (1,234 items) | stream: 23.7 h of 24 h left (ETA past it!)',
    );
  });

  it("a verify's later Map Runs by name", () => {
    const v: ProgressView = {
      ...running,
      verify: true,
      phase: 'verifying',
      failedFiles: [],
      budget: undefined,
      etaSeconds: undefined,
      laterRuns: [{ name: 'VerifySegments', done: 3, total: 4, failed: 1 }],
    };
    expect(progressLine(v)).toBe(
      'verifying | export COMPLETED | files 3/12 done, 1 failed | VerifySegments 3/4 done, 1 failed | ' +
        '60,000/240,000 items compared | 100 items/s | ETA ?',
    );
  });

  it('while exporting: the export state only', () => {
    const v: ProgressView = {
      outcome: 'running',
      verify: false,
      laterRuns: [],
      phase: 'exporting',
      executionStatus: 'RUNNING',
      exportState: 'IN_PROGRESS',
      itemsPartial: false,
      failedFiles: [],
      imports: [],
      problems: [],
      elapsedSeconds: 40,
    };
    expect(progressLine(v)).toBe('exporting | export IN_PROGRESS');
  });
});

describe('finalText', () => {
  it('a done run: files, items, time, rate and the stream time left', () => {
    const done: ProgressView = {
      ...running,
      outcome: 'succeeded',
      phase: 'done',
      executionStatus: 'SUCCEEDED',
      files: { done: 12, total: 12, failed: 0 },
      itemsWritten: 240_000,
      failedFiles: [],
      elapsedSeconds: 3 * 3600 + 125,
    };
    expect(finalText(done, ARN)).toBe(
      'first sync done: 12/12 files, 240,000 items written, in 3h 02m (100 items/s while loading); ' +
        "23.7 h of the stream's 24 h were left\n" +
        `execution: ${ARN}\n`,
    );
  });

  it('a SUCCEEDED execution with failed files: why it is not done, and each file with its reason', () => {
    const v: ProgressView = {
      ...running,
      outcome: 'failed',
      phase: 'failed',
      executionStatus: 'SUCCEEDED',
      problems: ['2 files failed'],
      files: { done: 10, total: 12, failed: 2 },
    };
    expect(finalText(v, ARN)).toBe(
      'first sync FAILED after 22m 00s: the execution SUCCEEDED but 2 files failed\n' +
        'files: 10/12 done, 2 failed\n' +
        'failed 2 files:\n' +
        '  s3://exports/o/data/a.json.gz: TargetRefusedError: target t refused\n' +
        '  s3://exports/o/data/b.json.gz: States.Timeout\n' +
        `execution: ${ARN}\n`,
    );
  });

  it('a FAILED execution: its error and cause on one line', () => {
    const v: ProgressView = {
      outcome: 'failed',
      verify: false,
      laterRuns: [],
      phase: 'failed',
      executionStatus: 'FAILED',
      error: 'PointInTimeRecoveryOff',
      cause: 'Point-in-time recovery is off.\nTurn it on.',
      itemsPartial: false,
      failedFiles: [],
      imports: [{ table: 'orders', status: 'FAILED', failure: 'bucket not readable' }],
      problems: [],
      elapsedSeconds: 4,
    };
    expect(finalText(v, ARN)).toBe(
      'first sync FAILED after 4s: the execution FAILED: PointInTimeRecoveryOff: Point-in-time recovery is off. Turn it on.\n' +
        'import into orders: FAILED: bucket not readable\n' +
        `execution: ${ARN}\n`,
    );
  });

  it("a cause holding a function's error as JSON: its message, not the JSON and its stack", () => {
    const lambdaError = JSON.stringify({
      errorType: 'TargetTableExistsError',
      errorMessage: 'ImportTable creates a new table; t exists; delete it, or use --load map',
      trace: ['TargetTableExistsError: ImportTable creates ...', '    at start (/var/task/importer.mjs:1:2)'],
    });
    const v: ProgressView = {
      outcome: 'failed',
      verify: false,
      laterRuns: [],
      phase: 'failed',
      executionStatus: 'FAILED',
      error: 'ImportFailed',
      cause: `Importing the export failed (TargetTableExistsError: ${lambdaError}). Fix the cause and start again. {not json}`,
      itemsPartial: false,
      failedFiles: [],
      imports: [],
      problems: [],
      elapsedSeconds: 3,
    };
    expect(finalText(v, ARN)).toBe(
      'first sync FAILED after 3s: the execution FAILED: ImportFailed: Importing the export failed ' +
        '(TargetTableExistsError: ImportTable creates a new table; t exists; delete it, or use --load map). ' +
        'Fix the cause and start again. {not json}\n' +
        `execution: ${ARN}\n`,
    );
    // A cause with braces but no function error is shown as it is.
    expect(finalText({ ...v, cause: 'odd {"errorType": 1, "x": {}} text' }, ARN)).toContain(
      ': ImportFailed: odd {"errorType": 1, "x": {}} text\n',
    );
  });

  it('--json: the same facts, dates as ISO text', () => {
    const json = summaryJson(running, ARN) as Record<string, unknown>;
    expect(json).toMatchObject({
      executionArn: ARN,
      outcome: 'running',
      files: { done: 3, total: 12, failed: 1 },
      itemsWritten: 60_000,
      itemsExported: 240_000,
      itemsPerSecond: 100,
      stream: {
        exportTime: '2026-12-01T10:00:00.000Z',
        deadline: '2026-12-02T10:00:00.000Z',
        hoursLeft: 23.7,
      },
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('verify result', () => {
  const output = JSON.stringify({
    targets: [
      {
        target: 'orders@eu-west-1',
        compared: 20_000,
        differing: 2,
        missingInTarget: 1,
        onlyInTarget: 0,
        repaired: 3,
      },
      {
        target: { tableName: 'orders', region: 'ap-southeast-2' },
        compared: 20_000,
        differing: 1,
        missingInTarget: 0,
        onlyInTarget: 4,
        repaired: 0,
      },
    ],
    differences: 8,
    report: 's3://exports/verify/run-1/report.json',
  });

  it('a table per target, what is left unrepaired, and the report', () => {
    const r = parseVerifyResult(output);
    expect(r && unrepaired(r)).toBe(5);
    expect(verifyText(r as NonNullable<typeof r>)).toBe(
      [
        'target                 compared  differing  missing in target  only in target  repaired',
        'orders@eu-west-1         20,000          2                  1               0         3',
        'orders@ap-southeast-2    20,000          1                  0               4         0',
        '5 differences not repaired (run again with --repair to repair them)',
        'report (differing keys): s3://exports/verify/run-1/report.json',
        '',
      ].join('\n'),
    );
  });

  it('zero differences: every target equals the source', () => {
    const r = parseVerifyResult(JSON.stringify({ targets: [{ target: 't', compared: 5 }], differences: 0 }));
    expect(r && unrepaired(r)).toBe(0);
    expect(verifyText(r as NonNullable<typeof r>)).toContain('every target equals the source\n');
    expect(parseVerifyResult('{"counts":1}')).toBeUndefined();
  });
});

describe('duration and the terminal line', () => {
  it('durations', () => {
    expect([0, 59.6, 61, 3599, 3600 * 5 + 60 * 7, 86_400 * 2 + 3600 * 3].map(duration)).toEqual([
      '0s',
      '1m 00s',
      '1m 01s',
      '59m 59s',
      '5h 07m',
      '2d 3h',
    ]);
  });

  it('on a terminal the line is redrawn in place and cut to the width; elsewhere one line each', () => {
    let tty = '';
    const onTty = progressWriter({ write: (s: string) => (tty += s), isTTY: true, columns: 20 });
    onTty.draw('short');
    onTty.draw('a line longer than twenty columns');
    onTty.end();
    expect(tty).toBe('\r\x1b[Kshort\r\x1b[Ka line longer than…\n');
    let log = '';
    const inLog = progressWriter({ write: (s: string) => (log += s) });
    inLog.draw('one');
    inLog.draw('two');
    inLog.end();
    expect(log).toBe('one\ntwo\n');
  });
});
