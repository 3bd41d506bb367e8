/**
 * The first sync's progress model on fixed API answers and a fixed clock: the rate, the ETA,
 * the hours left of the stream's 24 h, and whether a run is done (never only because the
 * execution says SUCCEEDED).
 */
import { describe, expect, it } from 'vitest';
import { historyFacts } from '../../../cli/src/first-sync/history.js';
import {
  type FileCounts,
  failureReason,
  type LoadFacts,
  progressView,
  type Snapshot,
} from '../../../cli/src/first-sync/model.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const at = (iso: string) => new Date(`2026-12-01T${iso}Z`);
const ARN = 'arn:aws:states:us-east-1:111111111111:execution:orders-first-sync:run-1';

function files(over: Partial<FileCounts>): FileCounts {
  return { total: 12, pending: 0, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, ...over };
}

function loading(
  load: Partial<LoadFacts>,
  execution: Partial<Snapshot['execution']> = {},
  itemCount?: number,
): Snapshot {
  return {
    execution: { arn: ARN, status: 'RUNNING', startDate: at('09:58:00'), action: 'sync', ...execution },
    export: {
      arn: 'arn:aws:dynamodb:us-east-1:111111111111:table/orders/export/01',
      status: 'COMPLETED',
      exportTime: T0,
      ...(itemCount !== undefined ? { itemCount } : {}),
    },
    load: {
      mapRunArn: 'arn:map-run',
      startDate: at('10:10:00'),
      files: files({ succeeded: 3, running: 4, pending: 5 }),
      itemsWritten: 60_000,
      filesUnread: 0,
      failedFiles: [],
      ...load,
    },
    imports: [],
  };
}

describe('progressView', () => {
  it('items/s since the load began, ETA from the items left, hours left of T0 + 24 h', () => {
    const v = progressView(loading({}, {}, 240_000), at('10:20:00'));
    expect(v).toMatchObject({
      outcome: 'running',
      phase: 'loading',
      exportState: 'COMPLETED',
      files: { done: 3, total: 12, failed: 0 },
      itemsWritten: 60_000,
      itemsTotal: 240_000,
      itemsPerSecond: 100,
      etaSeconds: 1800,
      elapsedSeconds: 1320,
    });
    expect(v.budget?.deadline.toISOString()).toBe('2026-12-02T10:00:00.000Z');
    expect(v.budget?.hoursLeft).toBeCloseTo(23 + 40 / 60, 6);
    expect(v.budget?.etaPastDeadline).toBe(false);
  });

  it('flags an ETA that ends after the stream has dropped the records the catch-up needs', () => {
    // 23 h after T0, 18 h of loading at 10 items/s leave 180,000 items: 5 h more, 1 h of stream left.
    const slow = loading(
      { startDate: new Date(T0.getTime() + 5 * 3600_000), itemsWritten: 648_000 },
      {},
      828_000,
    );
    const now = new Date(T0.getTime() + 23 * 3600_000);
    const v = progressView(slow, now);
    expect(v.itemsPerSecond).toBeCloseTo(10, 6);
    expect(v.etaSeconds).toBeCloseTo(18_000, 6);
    expect(v.budget?.hoursLeft).toBeCloseTo(1, 6);
    expect(v.budget?.etaPastDeadline).toBe(true);
  });

  it('estimates from files when the item count is not known yet or files are still unread', () => {
    const noCount = progressView(loading({}), at('10:20:00'));
    // 3 of 12 files in 600 s: 9 left take 1800 s.
    expect(noCount.etaSeconds).toBe(1800);
    const unread = progressView(loading({ filesUnread: 2 }, {}, 240_000), at('10:20:00'));
    expect(unread.etaSeconds).toBe(1800);
    expect(unread.itemsPartial).toBe(true);
    const none = progressView(loading({ files: files({ running: 12 }), itemsWritten: 0 }), at('10:20:00'));
    expect(none.etaSeconds).toBeUndefined();
  });

  it('a SUCCEEDED execution with a failed file is a failed run, with the reasons', () => {
    const s = loading(
      {
        files: files({ succeeded: 11, failed: 1 }),
        stopDate: at('10:30:00'),
        failedFiles: [{ key: 's3://b/data/x.json.gz', reason: 'TargetRefusedError: no' }],
      },
      { status: 'SUCCEEDED', stopDate: at('10:31:00') },
    );
    const v = progressView(s, at('11:00:00'));
    expect(v.outcome).toBe('failed');
    expect(v.phase).toBe('failed');
    expect(v.problems).toEqual(['1 file failed']);
    expect(v.files).toEqual({ done: 11, total: 12, failed: 1 });
    expect(v.failedFiles).toEqual([{ key: 's3://b/data/x.json.gz', reason: 'TargetRefusedError: no' }]);
  });

  it('counts timed-out, aborted and unfinished files against a SUCCEEDED execution too', () => {
    const s = loading(
      { files: files({ succeeded: 8, timedOut: 1, aborted: 2, running: 1 }) },
      { status: 'SUCCEEDED', stopDate: at('10:31:00') },
    );
    expect(progressView(s, at('11:00:00')).problems).toEqual([
      '1 file timed out',
      '2 files aborted',
      '1 file not finished',
    ]);
  });

  it('a clean SUCCEEDED run is done, its figures taken at its stop time, not now', () => {
    const s = loading(
      { files: files({ succeeded: 12 }), itemsWritten: 240_000, stopDate: at('10:50:00') },
      { status: 'SUCCEEDED', stopDate: at('10:51:00') },
      240_000,
    );
    const v = progressView(s, at('18:00:00'));
    expect(v.outcome).toBe('succeeded');
    expect(v.phase).toBe('done');
    expect(v.itemsPerSecond).toBe(100);
    expect(v.etaSeconds).toBeUndefined();
    expect(v.elapsedSeconds).toBe(53 * 60);
    expect(v.budget?.hoursLeft).toBeCloseTo(24 - 51 / 60, 6);
  });

  it('a FAILED execution is failed with its error and cause; before the Map there are no files', () => {
    const v = progressView(
      {
        execution: {
          arn: ARN,
          status: 'FAILED',
          startDate: at('09:58:00'),
          stopDate: at('09:58:05'),
          error: 'PointInTimeRecoveryOff',
          cause: 'Point-in-time recovery is off',
        },
        imports: [],
      },
      at('12:00:00'),
    );
    expect(v).toMatchObject({ outcome: 'failed', error: 'PointInTimeRecoveryOff', elapsedSeconds: 5 });
    expect(v.files).toBeUndefined();
    expect(v.budget).toBeUndefined();
  });

  it('a verify shows no stream budget: the mapping runs on, nothing waits to catch up', () => {
    expect(progressView(loading({}, { action: 'verify' }), at('10:20:00')).budget).toBeUndefined();
    expect(progressView(loading({}, { action: 'sync' }), at('10:20:00')).budget?.hoursLeft).toBeCloseTo(
      23.667,
      2,
    );
  });

  it('names the phase: starting, exporting, importing, verifying', () => {
    const base = { arn: ARN, status: 'RUNNING', startDate: at('09:58:00') };
    const view = (s: Omit<Snapshot, 'imports'> & { imports?: Snapshot['imports'] }) =>
      progressView({ imports: [], ...s }, at('10:00:00')).phase;
    expect(view({ execution: base })).toBe('starting');
    expect(view({ execution: base, export: { arn: 'e', status: 'IN_PROGRESS' } })).toBe('exporting');
    expect(
      view({
        execution: { ...base, load: 'import' },
        export: { arn: 'e', status: 'COMPLETED' },
        imports: [{ table: 'orders', status: 'IN_PROGRESS' }],
      }),
    ).toBe('importing');
    // An import run between the export and the importer's first answer: importing, not loading.
    expect(
      view({
        execution: { ...base, action: 'sync', load: 'import' },
        export: { arn: 'e', status: 'COMPLETED' },
      }),
    ).toBe('importing');
    expect(view({ execution: { ...base, action: 'sync' }, export: { arn: 'e', status: 'COMPLETED' } })).toBe(
      'loading',
    );
    expect(view({ ...loading({}), execution: { ...base, action: 'verify' } })).toBe('verifying');
  });

  it("a verify's later Map Run (the targets' segments) counts too: a failed segment fails the run", () => {
    const segments: LoadFacts = {
      mapRunArn: 'arn:map-run-2',
      name: 'VerifySegments',
      files: { ...files({ succeeded: 3, failed: 1 }), total: 4 },
      itemsWritten: 0,
      filesUnread: 0,
      failedFiles: [{ key: 'segment 2', reason: 'States.Timeout' }],
    };
    const s: Snapshot = {
      ...loading(
        { files: files({ succeeded: 12 }) },
        { status: 'SUCCEEDED', stopDate: at('10:31:00'), action: 'verify' },
      ),
      laterRuns: [segments],
    };
    const v = progressView(s, at('11:00:00'));
    expect(v.outcome).toBe('failed');
    expect(v.problems).toEqual(['1 VerifySegments item failed']);
    expect(v.laterRuns).toEqual([{ name: 'VerifySegments', done: 3, total: 4, failed: 1 }]);
    expect(v.failedFiles).toEqual([{ key: 'segment 2', reason: 'States.Timeout' }]);
  });

  it('an import that did not complete fails a SUCCEEDED run', () => {
    const v = progressView(
      {
        execution: { arn: ARN, status: 'SUCCEEDED', startDate: at('09:58:00'), stopDate: at('10:30:00') },
        imports: [
          { table: 'orders', status: 'COMPLETED', items: 10 },
          { table: 'orders-b', status: 'CANCELLED' },
        ],
      },
      at('11:00:00'),
    );
    expect(v.outcome).toBe('failed');
    expect(v.problems).toEqual(['the import into orders-b is CANCELLED']);
  });
});

describe('failureReason', () => {
  it("reads a Lambda task's cause (the function's error as JSON) as type: message", () => {
    const cause = JSON.stringify({
      errorType: 'TargetRefusedError',
      errorMessage: 'target t@eu-west-1 refused\nthe item of line 1',
      trace: ['at x'],
    });
    expect(failureReason('TargetRefusedError', cause)).toBe(
      'TargetRefusedError: target t@eu-west-1 refused the item of line 1',
    );
  });

  it('shows any other cause as it is, after the error', () => {
    expect(failureReason('States.Timeout', 'took too long')).toBe('States.Timeout: took too long');
    expect(failureReason('States.Timeout', undefined)).toBe('States.Timeout');
    expect(failureReason(undefined, undefined)).toBe('no reason given');
  });
});

describe('historyFacts', () => {
  it("finds the export's ARN, the Map Run and the imports' states in the execution history", () => {
    const exportArn = 'arn:aws:dynamodb:us-east-1:111111111111:table/orders/export/01';
    const facts = historyFacts([
      {
        type: 'TaskSucceeded',
        id: 5,
        timestamp: at('10:00:00'),
        taskSucceededEventDetails: {
          resourceType: 'aws-sdk:dynamodb',
          resource: 'exportTableToPointInTime',
          output: JSON.stringify({ ExportDescription: { ExportArn: exportArn } }),
        },
      },
      {
        type: 'MapRunStarted',
        id: 7,
        timestamp: at('10:10:00'),
        mapRunStartedEventDetails: { mapRunArn: 'arn:aws:states:us-east-1:111111111111:mapRun:sm/Load:1' },
      },
      {
        type: 'TaskStateEntered',
        id: 8,
        timestamp: at('10:20:00'),
        stateEnteredEventDetails: { name: 'ImportPoll' },
      },
      {
        type: 'TaskSucceeded',
        id: 9,
        timestamp: at('10:20:00'),
        taskSucceededEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke',
          output: JSON.stringify({
            Payload: {
              imports: [
                {
                  importArn: 'arn:aws:dynamodb:ap-southeast-2:4:table/orders-d/import/3',
                  importStatus: 'IN_PROGRESS',
                },
              ],
            },
          }),
        },
      },
      {
        type: 'TaskStateExited',
        id: 9,
        timestamp: at('10:20:00'),
        stateExitedEventDetails: {
          name: 'ImportStart',
          output: JSON.stringify({
            imports: [
              {
                ImportArn: 'arn:aws:dynamodb:eu-west-1:2:table/orders/import/1',
                ImportStatus: 'IN_PROGRESS',
              },
            ],
          }),
        },
      },
      {
        type: 'TaskStateExited',
        id: 12,
        timestamp: at('10:40:00'),
        stateExitedEventDetails: {
          name: 'ImportPoll',
          output: JSON.stringify({
            export: { arn: exportArn },
            imports: [
              {
                importArn: 'arn:aws:dynamodb:eu-west-1:2:table/orders/import/1',
                importStatus: 'COMPLETED',
                importedItemCount: 20_000,
              },
              {
                importArn: 'arn:aws:dynamodb:eu-central-1:3:table/orders-c/import/2',
                status: 'FAILED',
                failureMessage: 'bucket not readable',
              },
            ],
          }),
        },
      },
    ]);
    expect(facts).toEqual({
      exportArn,
      mapRuns: [{ arn: 'arn:aws:states:us-east-1:111111111111:mapRun:sm/Load:1' }],
      imports: [
        { table: 'orders-d', status: 'IN_PROGRESS' },
        { table: 'orders', status: 'COMPLETED', items: 20_000 },
        { table: 'orders-c', status: 'FAILED', failure: 'bucket not readable' },
      ],
    });
  });

  it("follows the importer's imports by target: started, then described, a failed one with its reason", () => {
    const b = 'arn:aws:dynamodb:eu-west-1:222222222222:table/orders/import/01';
    const c = 'arn:aws:dynamodb:eu-central-1:333333333333:table/orders/import/02';
    const entered = (id: number, name: string) => ({
      type: 'TaskStateEntered' as const,
      id,
      timestamp: at('10:20:00'),
      stateEnteredEventDetails: { name },
    });
    const described = (id: number, payload: object) => ({
      type: 'TaskSucceeded' as const,
      id,
      timestamp: at('10:30:00'),
      taskSucceededEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        output: JSON.stringify({ StatusCode: 200, Payload: payload }),
      },
    });
    const facts = historyFacts([
      entered(1, 'ImportStart'),
      {
        type: 'TaskStateExited',
        id: 3,
        timestamp: at('10:20:00'),
        stateExitedEventDetails: {
          name: 'ImportStart',
          output: JSON.stringify({
            import: {
              imports: [
                { target: '222222222222/eu-west-1/orders', importArn: b },
                { target: '333333333333/eu-central-1/orders', importArn: c },
              ],
              objects: 1,
              bytes: 2048,
            },
          }),
        },
      },
      entered(4, 'ImportDescribe'),
      described(5, {
        done: false,
        failed: [],
        items: { processed: 0, imported: 0, errors: 0 },
        imports: [
          { target: '222222222222/eu-west-1/orders', status: 'IN_PROGRESS', imported: 0 },
          { target: '333333333333/eu-central-1/orders', status: 'IN_PROGRESS', imported: 0 },
        ],
      }),
      entered(7, 'ImportDescribe'),
      described(8, {
        done: true,
        failed: [
          {
            target: '333333333333/eu-central-1/orders',
            importArn: c,
            status: 'FAILED',
            failureCode: 'AccessDenied',
            failureMessage: 'the bucket is not readable',
          },
        ],
        items: { processed: 400, imported: 400, errors: 0 },
        imports: [
          { target: '222222222222/eu-west-1/orders', status: 'COMPLETED', imported: 400 },
          { target: '333333333333/eu-central-1/orders', status: 'FAILED', imported: 0 },
        ],
      }),
    ]);
    expect(facts.imports).toEqual([
      { table: '222222222222/eu-west-1/orders', status: 'COMPLETED', items: 400 },
      {
        table: '333333333333/eu-central-1/orders',
        status: 'FAILED',
        items: 0,
        failure: 'AccessDenied: the bucket is not readable',
      },
    ]);
  });

  it('names each Map Run after the Map state that started it', () => {
    const facts = historyFacts([
      {
        type: 'MapStateEntered',
        id: 3,
        timestamp: at('10:00:00'),
        stateEnteredEventDetails: { name: 'VerifyFiles' },
      },
      {
        type: 'MapRunStarted',
        id: 4,
        timestamp: at('10:00:00'),
        mapRunStartedEventDetails: { mapRunArn: 'arn:1' },
      },
      {
        type: 'MapStateEntered',
        id: 9,
        timestamp: at('10:05:00'),
        stateEnteredEventDetails: { name: 'VerifySegments' },
      },
      {
        type: 'MapRunStarted',
        id: 10,
        timestamp: at('10:05:00'),
        mapRunStartedEventDetails: { mapRunArn: 'arn:2' },
      },
    ]);
    expect(facts.mapRuns).toEqual([
      { arn: 'arn:1', name: 'VerifyFiles' },
      { arn: 'arn:2', name: 'VerifySegments' },
    ]);
  });

  it('has nothing before the export started', () => {
    expect(historyFacts([{ type: 'ExecutionStarted', id: 1, timestamp: at('10:00:00') }])).toEqual({
      mapRuns: [],
      imports: [],
    });
  });
});
