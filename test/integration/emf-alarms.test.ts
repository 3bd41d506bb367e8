/**
 * The two CloudWatch emulations of the test support against a real moto: EMF log lines (as
 * Powertools writes them) become metric data with their exact dimensions, and the alarm
 * evaluator reads moto's alarms and metric data, decides each state by AWS's rules and sets
 * it with SetAlarmState, so that DescribeAlarms reports it.
 */

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateAlarms } from '../support/alarm-evaluator.js';
import { publishEmfLogs } from '../support/emf-metrics.js';
import { MOTO_CREDENTIALS } from '../support/fixtures.js';
import { type MotoServer, startMoto } from '../support/moto.js';

const TARGET = '222222222222/eu-west-1/orders-replica';
let moto: MotoServer;
let cloudwatch: CloudWatchClient;
let namespaces = 0;

beforeAll(async () => {
  moto = await startMoto();
  cloudwatch = new CloudWatchClient({
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
  });
});

afterAll(async () => {
  cloudwatch?.destroy();
  await moto?.stop();
});

/** A namespace of its own per test, so that tests do not see each other's data. */
function namespace(): string {
  namespaces++;
  return `ddbsync-test-${namespaces}`;
}

/** The EMF line Powertools prints for one canary result. */
function canaryLine(ns: string, missing: 0 | 1, latencyMs?: number): string {
  const metrics = new Metrics({ namespace: ns, serviceName: 'orders' });
  metrics.addDimension('Target', TARGET);
  if (latencyMs !== undefined) metrics.addMetric('EndToEndLatency', MetricUnit.Milliseconds, latencyMs);
  metrics.addMetric('HeartbeatMissing', MetricUnit.Count, missing);
  return JSON.stringify(metrics.serializeMetrics());
}

async function heartbeatAlarm(ns: string, name: string, dimensions: Record<string, string>): Promise<void> {
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
      Namespace: ns,
      MetricName: 'HeartbeatMissing',
      Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'breaching',
    }),
  );
}

async function stateOf(name: string) {
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return out.MetricAlarms?.[0];
}

describe('EMF lines become metric data', () => {
  it('puts each metric with the dimensions of its set and the document timestamp', async () => {
    const ns = namespace();
    const line = canaryLine(ns, 0, 420);
    const put = await publishEmfLogs(cloudwatch, ['{"level":"INFO","message":"heartbeat arrived"}', line]);
    expect(put.map((m) => m.name).sort()).toEqual(['EndToEndLatency', 'HeartbeatMissing']);

    const at = put[0]?.timestamp.getTime() ?? 0;
    const out = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: ns,
        MetricName: 'EndToEndLatency',
        Dimensions: [
          { Name: 'service', Value: 'orders' },
          { Name: 'Target', Value: TARGET },
        ],
        StartTime: new Date(at - 60_000),
        EndTime: new Date(at + 60_000),
        Period: 60,
        Statistics: ['Maximum', 'SampleCount'],
      }),
    );
    expect(out.Datapoints?.map((d) => [d.Maximum, d.SampleCount, d.Unit])).toEqual([
      [420, 1, 'Milliseconds'],
    ]);
  });

  it('refuses a function log with an EMF document CloudWatch would drop', async () => {
    const bad = JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [{ Namespace: 'n', Dimensions: [['Target']], Metrics: [{ Name: 'X' }] }],
      },
      X: 1,
    });
    await expect(publishEmfLogs(cloudwatch, [bad])).rejects.toThrow(/dimension target "Target"/);
  });
});

describe('the alarm evaluator on moto', () => {
  it('sets a heartbeat alarm to ALARM with no result, OK after a heartbeat, ALARM after a miss, through SetAlarmState', async () => {
    const ns = namespace();
    const name = `${ns}-heartbeat-missing`;
    await heartbeatAlarm(ns, name, { service: 'orders', Target: TARGET });

    // No canary result at all: missing data is breaching.
    const [silent] = await evaluateAlarms({ cloudwatch, now: new Date(), alarmNames: [name] });
    expect(silent).toMatchObject({ state: 'ALARM', range: [undefined, undefined, undefined] });
    expect((await stateOf(name))?.StateValue).toBe('ALARM');

    await publishEmfLogs(cloudwatch, [canaryLine(ns, 0, 300)]);
    const [ok] = await evaluateAlarms({ cloudwatch, now: new Date(), alarmNames: [name] });
    expect(ok).toMatchObject({ previous: 'ALARM', state: 'OK', changed: true });
    expect((await stateOf(name))?.StateValue).toBe('OK');

    await publishEmfLogs(cloudwatch, [canaryLine(ns, 1)]);
    const [alarm] = await evaluateAlarms({ cloudwatch, now: new Date(), alarmNames: [name] });
    expect(alarm).toMatchObject({ previous: 'OK', state: 'ALARM', changed: true });
    const described = await stateOf(name);
    expect(described?.StateValue).toBe('ALARM');
    expect(described?.StateReason).toContain('1 of the 1 most recent datapoints breaching');
  });

  it('sees only the exact dimension set, as CloudWatch does (moto alone would match a subset)', async () => {
    const ns = namespace();
    await publishEmfLogs(cloudwatch, [canaryLine(ns, 1)]);
    const name = `${ns}-service-only`;
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: ns,
        MetricName: 'HeartbeatMissing',
        Dimensions: [{ Name: 'service', Value: 'orders' }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'missing',
      }),
    );
    // moto returns the {service, Target} datapoint for {service}; CloudWatch would not.
    const now = Date.now();
    const subset = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: ns,
        MetricName: 'HeartbeatMissing',
        Dimensions: [{ Name: 'service', Value: 'orders' }],
        StartTime: new Date(now - 120_000),
        EndTime: new Date(now + 60_000),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    expect(subset.Datapoints?.length).toBeGreaterThan(0);

    const [result] = await evaluateAlarms({ cloudwatch, now: new Date(), alarmNames: [name] });
    expect(result).toMatchObject({ state: 'INSUFFICIENT_DATA', range: [undefined, undefined, undefined] });
  });

  it('evaluates datapoints in their periods: 2 of 3 breaching over past periods, then aging out', async () => {
    const ns = namespace();
    const name = `${ns}-drift`;
    const period = 3600;
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: ns,
        MetricName: 'DriftedItems',
        Dimensions: [{ Name: 'Target', Value: TARGET }],
        Statistic: 'Maximum',
        Period: period,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    const hour = 3_600_000;
    const base = Math.floor(Date.now() / hour) * hour - 10 * hour;
    // Hourly runs: drift found in the runs of hours 0 and 2, none in hour 1.
    for (const [h, drifted] of [
      [0, 4],
      [1, 0],
      [2, 1],
    ] as const) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: ns,
          MetricData: [
            {
              MetricName: 'DriftedItems',
              Dimensions: [{ Name: 'Target', Value: TARGET }],
              Timestamp: new Date(base + h * hour + 5 * 60_000),
              Value: drifted,
              Unit: 'Count',
            },
          ],
        }),
      );
    }
    const at = (h: number) => new Date(base + h * hour + 30 * 60_000);
    const [during] = await evaluateAlarms({ cloudwatch, now: at(2), alarmNames: [name] });
    expect(during).toMatchObject({ state: 'ALARM', range: [undefined, undefined, 4, 0, 1] });
    // No run since: the range still holds the three runs, which are evaluated as they are
    // (CloudWatch keeps evaluating the last datapoints after a metric stops).
    const [later] = await evaluateAlarms({ cloudwatch, now: at(4), alarmNames: [name] });
    expect(later).toMatchObject({ state: 'ALARM', range: [4, 0, 1, undefined, undefined] });
    // One hour more: two runs left, filled up with a period treated as not breaching.
    const [after] = await evaluateAlarms({ cloudwatch, now: at(5), alarmNames: [name] });
    expect(after).toMatchObject({ state: 'OK', range: [0, 1, undefined, undefined, undefined] });
    expect((await stateOf(name))?.StateValue).toBe('OK');
  });
});
