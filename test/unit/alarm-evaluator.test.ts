/**
 * The alarm evaluator's rules (test/support/alarm-evaluator.ts) against AWS's documentation,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html:
 * every row of its two tables of evaluations with missing data (3 of 3 and 2 of 3, five
 * datapoints retrieved), each comparison operator at its threshold, and M out of N.
 */
import { describe, expect, it } from 'vitest';
import {
  type AlarmRule,
  type AlarmState,
  breaches,
  type ComparisonOperator,
  evaluateRange,
  evaluationRangeLength,
  type TreatMissingData,
} from '../support/alarm-evaluator.js';

/** The tables' notation: 0 not breaching, X breaching, - missing (threshold 1, GreaterThanOrEqual). */
function range(points: string): (number | undefined)[] {
  return points.split(' ').map((p) => (p === '-' ? undefined : p === 'X' ? 5 : 0));
}

const RETAIN = 'retain';
type Expected = AlarmState | typeof RETAIN;
const TREATMENTS: readonly TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];

// Columns: MISSING, IGNORE, BREACHING, NOT BREACHING, as on the page.
const THREE_OF_THREE: readonly [string, Expected[]][] = [
  ['0 - X - X', ['OK', 'OK', 'OK', 'OK']],
  ['0 - - - -', ['OK', 'OK', 'OK', 'OK']],
  ['- - - - -', ['INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK']],
  ['0 X X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
  ['- - - - X', ['INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK']],
  ['X - - - -', ['ALARM', RETAIN, 'ALARM', 'OK']],
];
const TWO_OF_THREE: readonly [string, Expected[]][] = [
  ['0 - X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
  ['0 0 X 0 X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
  ['0 - X - -', ['OK', 'OK', 'ALARM', 'OK']],
  ['- - - - 0', ['OK', 'OK', 'ALARM', 'OK']],
  ['- - - - X', ['INSUFFICIENT_DATA', RETAIN, 'ALARM', 'OK']],
];

function rows(table: readonly [string, Expected[]][]) {
  return table.flatMap(([points, states]) =>
    TREATMENTS.map((treatment, i) => ({ points, treatment, expected: states[i] as Expected })),
  );
}

function rule(datapointsToAlarm: number, treatMissingData: TreatMissingData): AlarmRule {
  return {
    threshold: 1,
    comparison: 'GreaterThanOrEqualToThreshold',
    evaluationPeriods: 3,
    datapointsToAlarm,
    treatMissingData,
  };
}

describe('evaluateRange: the documented tables (five datapoints retrieved for three periods)', () => {
  it('retrieves N + 2 datapoints, five for N = 3 as in the tables', () => {
    expect(evaluationRangeLength(3)).toBe(5);
  });

  it.each(rows(THREE_OF_THREE))(
    '3 of 3, $points, treat missing as $treatment: $expected',
    ({ points, treatment, expected }) => {
      // A current state no row produces on its own, so that "retain" is visible.
      for (const current of ['OK', 'ALARM'] as const) {
        const { state } = evaluateRange(rule(3, treatment), range(points), current);
        expect(state).toBe(expected === RETAIN ? current : expected);
      }
    },
  );

  it.each(rows(TWO_OF_THREE))(
    '2 of 3, $points, treat missing as $treatment: $expected',
    ({ points, treatment, expected }) => {
      for (const current of ['OK', 'ALARM'] as const) {
        const { state } = evaluateRange(rule(2, treatment), range(points), current);
        expect(state).toBe(expected === RETAIN ? current : expected);
      }
    },
  );
});

describe('evaluateRange: thresholds and M out of N', () => {
  it.each<[ComparisonOperator, number, boolean]>([
    ['GreaterThanThreshold', 1, false],
    ['GreaterThanThreshold', 1.5, true],
    ['GreaterThanOrEqualToThreshold', 1, true],
    ['GreaterThanOrEqualToThreshold', 0.5, false],
    ['LessThanThreshold', 1, false],
    ['LessThanThreshold', 0.5, true],
    ['LessThanOrEqualToThreshold', 1, true],
    ['LessThanOrEqualToThreshold', 1.5, false],
  ])('%s with threshold 1: %d breaches = %s', (comparison, value, expected) => {
    expect(breaches(value, { threshold: 1, comparison })).toBe(expected);
  });

  it('counts breaching datapoints only among the N most recent, consecutive or not', () => {
    const r: AlarmRule = {
      threshold: 0,
      comparison: 'GreaterThanThreshold',
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
    };
    expect(evaluateRange(r, [0, 0, 1, 1, 1, 0, 0], 'OK').state).toBe('ALARM');
    // Three breaches, but only one among the five most recent datapoints.
    expect(evaluateRange(r, [1, 1, 1, 0, 0, 0, 0], 'OK').state).toBe('OK');
    expect(evaluateRange(r, [0, 0, 1, 0, 1, 0, 1], 'OK').state).toBe('ALARM');
  });

  it('a single run above zero fires a 1-of-1 alarm, and the next run at zero clears it', () => {
    const r: AlarmRule = {
      threshold: 1,
      comparison: 'GreaterThanOrEqualToThreshold',
      evaluationPeriods: 1,
      treatMissingData: 'breaching',
    };
    expect(evaluateRange(r, [undefined, 0, 1], 'OK').state).toBe('ALARM');
    expect(evaluateRange(r, [0, 1, 0], 'ALARM').state).toBe('OK');
    // A canary that stopped reporting: nothing in the range is treated as breaching.
    expect(evaluateRange(r, [undefined, undefined, undefined], 'OK')).toMatchObject({
      state: 'ALARM',
      reason: expect.stringContaining('treated as breaching'),
    });
  });
});
