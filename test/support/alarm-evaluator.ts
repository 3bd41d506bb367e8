/**
 * CloudWatch's evaluation of metric alarms, for a local AWS (moto) that stores alarms and
 * metric data but never evaluates them. The evaluator reads each alarm (DescribeAlarms),
 * fetches one datapoint per period of its evaluation range with the alarm's statistic
 * (GetMetricStatistics), decides the state by AWS's documented rules, and sets it with
 * SetAlarmState, as CloudWatch would, so a test sees DescribeAlarms report what AWS would.
 *
 * The rules, from https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 * ("Evaluating an alarm" and "How alarm state is evaluated when data is missing"):
 * - Period: the length of one datapoint; Evaluation Periods (N): the most recent datapoints
 *   evaluated; Datapoints to Alarm (M, default N): how many of those must breach for ALARM;
 *   fewer than M breaching gives OK. A datapoint breaches when it compares with the threshold
 *   as the alarm's comparison operator says.
 * - CloudWatch retrieves more datapoints than N: the evaluation range. The page's example
 *   retrieves 5 for N = 3; the exact number is not documented, so the range here is N + 2.
 * - No datapoint missing, or at least N present: the N most recent present ones are
 *   evaluated and the treatment of missing data is not used.
 * - Fewer than N present: every present one is evaluated, and N minus that many missing
 *   ones (the most recent) are filled by the treatment: breaching, notBreaching, or, for
 *   missing and ignore, left out. With none present at all: missing gives
 *   INSUFFICIENT_DATA, ignore keeps the state, breaching ALARM, notBreaching OK.
 * - With missing or ignore and some present: M breaching gives ALARM; else one present
 *   non-breaching datapoint gives OK; else (only breaching ones, fewer than M) the page's
 *   tables give ALARM for missing when the oldest evaluated datapoint breaches (a metric
 *   that stopped after breaching) and INSUFFICIENT_DATA otherwise, and keep the state for
 *   ignore. test/unit/alarm-evaluator.test.ts checks every row of both tables on the page.
 *
 * Two choices the page leaves open: periods are aligned to multiples of the period since
 * the epoch, and the newest evaluated period is the one containing `now` (so a datapoint
 * counts as soon as it is put). And moto matches GetMetricStatistics dimensions as a subset
 * where CloudWatch wants the exact set: here an alarm only sees a metric whose dimension
 * set is exactly its own (ListMetrics), so a dimension mismatch shows as missing data.
 */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type Dimension,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type MetricAlarm,
  SetAlarmStateCommand,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';
export type ComparisonOperator =
  | 'GreaterThanThreshold'
  | 'GreaterThanOrEqualToThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold';

export interface AlarmRule {
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly evaluationPeriods: number;
  /** M of "M out of N"; default evaluationPeriods. */
  readonly datapointsToAlarm?: number;
  /** Default missing, as in CloudWatch. */
  readonly treatMissingData?: TreatMissingData;
}

export interface Evaluation {
  readonly state: AlarmState;
  readonly reason: string;
}

export class UnsupportedAlarmError extends Error {
  override readonly name = 'UnsupportedAlarmError';
}

/** Datapoints retrieved per evaluation: N + 2 (5 for N = 3 in AWS's example). */
export function evaluationRangeLength(evaluationPeriods: number): number {
  return evaluationPeriods + 2;
}

export function breaches(value: number, rule: Pick<AlarmRule, 'threshold' | 'comparison'>): boolean {
  switch (rule.comparison) {
    case 'GreaterThanThreshold':
      return value > rule.threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= rule.threshold;
    case 'LessThanThreshold':
      return value < rule.threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= rule.threshold;
  }
}

/**
 * The state of an alarm given its evaluation range (oldest first; undefined = missing) and
 * its current state (kept by `ignore`).
 */
export function evaluateRange(
  rule: AlarmRule,
  range: readonly (number | undefined)[],
  current: AlarmState,
): Evaluation {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm ?? n;
  const treatment = rule.treatMissingData ?? 'missing';
  const present = range.flatMap((v, i) => (v === undefined ? [] : [{ i, breaching: breaches(v, rule) }]));
  const verdict = (breaching: number, of: string): Evaluation =>
    breaching >= m
      ? { state: 'ALARM', reason: `${breaching} of ${of} breaching (${m} needed)` }
      : { state: 'OK', reason: `${breaching} of ${of} breaching (${m} needed)` };

  if (present.length === 0) {
    const all = `all ${range.length} datapoints of the evaluation range are missing`;
    switch (treatment) {
      case 'missing':
        return { state: 'INSUFFICIENT_DATA', reason: `${all} (treated as missing)` };
      case 'ignore':
        return { state: current, reason: `${all} (ignored: the state is kept)` };
      case 'breaching':
        return { state: 'ALARM', reason: `${all} (treated as breaching)` };
      case 'notBreaching':
        return { state: 'OK', reason: `${all} (treated as not breaching)` };
    }
  }
  if (present.length >= n) {
    const newest = present.slice(-n);
    return verdict(newest.filter((p) => p.breaching).length, `the ${n} most recent datapoints`);
  }
  // Fewer than N present: all of them, and the most recent missing periods to make N.
  const fill = range.flatMap((v, i) => (v === undefined ? [i] : [])).slice(-(n - present.length));
  const breachingPresent = present.filter((p) => p.breaching).length;
  const of = `${present.length} datapoint(s) and ${fill.length} missing`;
  if (treatment === 'breaching')
    return verdict(breachingPresent + fill.length, `${of} (treated as breaching)`);
  if (treatment === 'notBreaching') return verdict(breachingPresent, `${of} (treated as not breaching)`);
  if (breachingPresent >= m) return verdict(breachingPresent, of);
  if (present.length > breachingPresent) return verdict(breachingPresent, of);
  const oldestEvaluated = Math.min(
    present[0]?.i ?? Number.POSITIVE_INFINITY,
    fill[0] ?? Number.POSITIVE_INFINITY,
  );
  const oldestBreaches = present.some((p) => p.i === oldestEvaluated);
  if (treatment === 'ignore')
    return { state: current, reason: `${of}: too few to decide (ignored: the state is kept)` };
  return oldestBreaches
    ? {
        state: 'ALARM',
        reason: `${of}: the oldest evaluated datapoint breaches and none is within the threshold`,
      }
    : { state: 'INSUFFICIENT_DATA', reason: `${of}: too few to decide (treated as missing)` };
}

export interface AlarmResult {
  readonly alarmName: string;
  readonly previous: AlarmState;
  readonly state: AlarmState;
  readonly reason: string;
  /** The evaluation range, oldest first (undefined = missing). */
  readonly range: readonly (number | undefined)[];
  readonly changed: boolean;
}

export interface EvaluateAlarmsOptions {
  readonly cloudwatch: CloudWatchClient;
  /** The evaluation time. */
  readonly now: Date;
  /** Only these alarms; default every metric alarm. */
  readonly alarmNames?: readonly string[];
}

const STATISTICS: ReadonlySet<string> = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

function sameDimensions(a: readonly Dimension[], b: readonly Dimension[]): boolean {
  const key = (ds: readonly Dimension[]) =>
    ds
      .map((d) => `${d.Name}=${d.Value}`)
      .sort()
      .join('\u0000');
  return key(a) === key(b);
}

/** Whether a metric with exactly these dimensions exists (CloudWatch's identity of a metric). */
async function metricExists(cloudwatch: CloudWatchClient, alarm: MetricAlarm): Promise<boolean> {
  const dims = alarm.Dimensions ?? [];
  let token: string | undefined;
  do {
    const out = await cloudwatch.send(
      new ListMetricsCommand({
        Namespace: alarm.Namespace,
        MetricName: alarm.MetricName,
        Dimensions: dims.map((d) => ({ Name: d.Name, Value: d.Value })),
        NextToken: token,
      }),
    );
    if ((out.Metrics ?? []).some((m) => sameDimensions(m.Dimensions ?? [], dims))) return true;
    token = out.NextToken;
  } while (token);
  return false;
}

/** One value per period of the alarm's evaluation range ending with the period containing now. */
async function rangeOf(
  cloudwatch: CloudWatchClient,
  alarm: MetricAlarm,
  now: Date,
): Promise<(number | undefined)[]> {
  const period = alarm.Period as number;
  const statistic = alarm.Statistic as Statistic;
  const length = evaluationRangeLength(alarm.EvaluationPeriods as number);
  const periodMs = period * 1000;
  const end = (Math.floor(now.getTime() / periodMs) + 1) * periodMs;
  if (!(await metricExists(cloudwatch, alarm))) return Array.from({ length }, () => undefined);
  const values: (number | undefined)[] = [];
  for (let k = length; k >= 1; k--) {
    const start = end - k * periodMs;
    const out = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: alarm.Namespace,
        MetricName: alarm.MetricName,
        Dimensions: alarm.Dimensions,
        StartTime: new Date(start),
        EndTime: new Date(start + periodMs),
        Period: period,
        Statistics: [statistic],
        ...(alarm.Unit ? { Unit: alarm.Unit } : {}),
      }),
    );
    const point = (out.Datapoints ?? [])[0];
    values.push(point ? (point[statistic] as number | undefined) : undefined);
  }
  return values;
}

/** Evaluates the alarms at `now` and sets each one's state with SetAlarmState when it changes. */
export async function evaluateAlarms(options: EvaluateAlarmsOptions): Promise<AlarmResult[]> {
  const { cloudwatch, now } = options;
  const alarms: MetricAlarm[] = [];
  let token: string | undefined;
  do {
    const out = await cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmTypes: ['MetricAlarm'],
        ...(options.alarmNames ? { AlarmNames: [...options.alarmNames] } : {}),
        NextToken: token,
      }),
    );
    alarms.push(...(out.MetricAlarms ?? []));
    token = out.NextToken;
  } while (token);
  if (options.alarmNames) {
    const missing = options.alarmNames.filter((n) => !alarms.some((a) => a.AlarmName === n));
    if (missing.length > 0) throw new UnsupportedAlarmError(`no such metric alarm: ${missing.join(', ')}`);
  }

  const results: AlarmResult[] = [];
  for (const alarm of alarms) {
    const name = alarm.AlarmName as string;
    if (alarm.Metrics?.length || !alarm.Statistic || !STATISTICS.has(alarm.Statistic)) {
      throw new UnsupportedAlarmError(
        `${name}: only single-metric alarms with a standard statistic are evaluated here (not metric math or percentiles)`,
      );
    }
    const rule: AlarmRule = {
      threshold: alarm.Threshold as number,
      comparison: alarm.ComparisonOperator as ComparisonOperator,
      evaluationPeriods: alarm.EvaluationPeriods as number,
      ...(alarm.DatapointsToAlarm ? { datapointsToAlarm: alarm.DatapointsToAlarm } : {}),
      ...(alarm.TreatMissingData ? { treatMissingData: alarm.TreatMissingData as TreatMissingData } : {}),
    };
    const previous = (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState;
    const range = await rangeOf(cloudwatch, alarm, now);
    const { state, reason } = evaluateRange(rule, range, previous);
    const changed = state !== previous;
    if (changed) {
      await cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: name,
          StateValue: state,
          StateReason: `Evaluated at ${now.toISOString()}: ${reason}`,
          StateReasonData: JSON.stringify({ evaluatedAt: now.toISOString(), range }),
        }),
      );
    }
    results.push({ alarmName: name, previous, state, reason, range, changed });
  }
  return results;
}
