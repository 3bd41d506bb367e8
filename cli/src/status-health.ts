import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  GetFunctionConfigurationCommand,
  type GetFunctionConfigurationCommandOutput,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { accountOfArn, HEALTH_METRIC, parseTargets, TARGET_DIMENSION, targetLabel } from '#core';

/**
 * The canary's and the drift check's latest results, for `ddbsync status`. They are found
 * by name beside the replicator (`<function>-canary`, `<function>-drift`, as the Terraform
 * module names them): a function that exists is a check that is enabled, so no data from
 * it is itself a finding. Their HEALTH_TARGETS and Powertools settings say which metrics
 * (namespace, service, Target) to read.
 */
export interface HealthStatus {
  readonly canary: CanaryStatus;
  readonly drift: DriftStatus;
}

interface CheckFunction {
  /** The function looked for. */
  readonly function: string;
  readonly deployed: boolean;
  /** Why the function or its metrics could not be read. */
  readonly problem?: string;
}

export interface CanaryStatus extends CheckFunction {
  readonly windowMinutes: number;
  readonly targets: CanaryTargetStatus[];
}

export interface CanaryTargetStatus {
  readonly target: string;
  /** The latest run's EndToEndLatency, and when. */
  readonly lastLatencyMs?: number;
  readonly lastLatencyAt?: string;
  /** The latest run's HeartbeatMissing (0 or 1), and when; absent when there is no data. */
  readonly lastMissing?: number;
  readonly lastRunAt?: string;
  /** Runs in the window, and those whose heartbeat did not arrive. */
  readonly runs: number;
  readonly misses: number;
}

export interface DriftStatus extends CheckFunction {
  readonly lookbackMinutes: number;
  readonly targets: DriftTargetStatus[];
}

export interface DriftTargetStatus {
  readonly target: string;
  /** The latest run's DriftedItems and DriftSampledItems, and when; absent when there is no data. */
  readonly lastRunAt?: string;
  readonly drifted?: number;
  readonly sampled?: number;
}

export interface HealthOptions {
  readonly lambda: LambdaClient;
  readonly cloudwatch: CloudWatchClient;
  readonly canaryFunction: string;
  readonly driftFunction: string;
  readonly region: string;
  readonly windowMinutes: number;
  readonly driftLookbackMinutes: number;
  readonly now: number;
}

/** One minute: the canary runs at most once a minute, so a datapoint is a run. */
const PERIOD = 60;

export async function healthStatus(o: HealthOptions): Promise<HealthStatus> {
  const [canary, drift] = await Promise.all([
    checkFunction(o, o.canaryFunction, o.windowMinutes),
    checkFunction(o, o.driftFunction, o.driftLookbackMinutes),
  ]);
  return {
    canary: {
      ...checked(o.canaryFunction, canary),
      windowMinutes: o.windowMinutes,
      targets: perTarget(canary, canaryTarget),
    },
    drift: {
      ...checked(o.driftFunction, drift),
      lookbackMinutes: o.driftLookbackMinutes,
      targets: perTarget(drift, driftTarget),
    },
  };
}

/** What is reported of either function: its name, whether it is deployed, and what stopped the look if anything did. */
function checked(name: string, found: Found): CheckFunction {
  return { function: name, deployed: found.deployed, ...(found.problem ? { problem: found.problem } : {}) };
}

/** Each target's status from its two series (m<i>, l<i>); none when the metrics were not read. */
function perTarget<T>(found: Found, status: (target: string, m?: Point[], l?: Point[]) => T): T[] {
  return found.series
    ? found.targets.map((target, i) => status(target, found.series?.get(`m${i}`), found.series?.get(`l${i}`)))
    : [];
}

interface Found {
  readonly deployed: boolean;
  readonly problem?: string;
  readonly targets: string[];
  /** Datapoints by query id: m<i> (HeartbeatMissing / DriftedItems), l<i> (EndToEndLatency / DriftSampledItems). */
  readonly series?: Map<string, Point[]>;
}

interface Point {
  readonly at: Date;
  readonly value: number;
}

async function checkFunction(o: HealthOptions, name: string, minutes: number): Promise<Found> {
  let config: GetFunctionConfigurationCommandOutput;
  try {
    config = await o.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return { deployed: false, targets: [] };
    return { deployed: false, targets: [], problem: describe(err) };
  }
  const env = config.Environment?.Variables ?? {};
  let targets: string[];
  try {
    const account = accountOfArn(config.FunctionArn) ?? '?';
    targets = parseTargets(env.HEALTH_TARGETS, o.region, 'HEALTH_TARGETS').map((t) =>
      targetLabel(t, account),
    );
  } catch (err) {
    return { deployed: true, targets: [], problem: (err as Error).message };
  }
  const canary = name === o.canaryFunction;
  const [missName, otherName] = canary
    ? [HEALTH_METRIC.heartbeatMissing, HEALTH_METRIC.endToEndLatency]
    : [HEALTH_METRIC.driftedItems, HEALTH_METRIC.driftSampledItems];
  const namespace = env.POWERTOOLS_METRICS_NAMESPACE ?? 'ddbsync';
  const service = env.POWERTOOLS_SERVICE_NAME ?? 'ddbsync';
  const query = (id: string, metric: string, target: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metric,
        Dimensions: [
          { Name: 'service', Value: service },
          { Name: TARGET_DIMENSION, Value: target },
        ],
      },
      Period: PERIOD,
      // A minute with two runs (an overlap, or two drift runs) shows the worse one.
      Stat: 'Maximum',
    },
  });
  const queries = targets.flatMap((t, i) => [query(`m${i}`, missName, t), query(`l${i}`, otherName, t)]);
  try {
    return { deployed: true, targets, series: await metricData(o, queries, minutes) };
  } catch (err) {
    return { deployed: true, targets, problem: `metrics: ${describe(err)}` };
  }
}

async function metricData(o: HealthOptions, queries: MetricDataQuery[], minutes: number) {
  const series = new Map<string, Point[]>();
  if (queries.length === 0) return series;
  let token: string | undefined;
  do {
    const out = await o.cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(o.now - minutes * 60_000),
        EndTime: new Date(o.now),
        ScanBy: 'TimestampDescending',
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const r of out.MetricDataResults ?? []) {
      if (r.Id) series.set(r.Id, [...(series.get(r.Id) ?? []), ...points(r)]);
    }
    token = out.NextToken;
  } while (token);
  // Newest first, whatever order the pages came in.
  for (const list of series.values()) list.sort((a, b) => b.at.getTime() - a.at.getTime());
  return series;
}

function points(r: MetricDataResult): Point[] {
  return (r.Timestamps ?? []).map((at, i) => ({ at: new Date(at), value: r.Values?.[i] ?? 0 }));
}

function canaryTarget(target: string, missing: Point[] = [], latency: Point[] = []): CanaryTargetStatus {
  const last = missing[0];
  const lastLatency = latency[0];
  return {
    target,
    ...(lastLatency ? { lastLatencyMs: lastLatency.value, lastLatencyAt: lastLatency.at.toISOString() } : {}),
    ...(last ? { lastMissing: last.value, lastRunAt: last.at.toISOString() } : {}),
    runs: missing.length,
    misses: missing.filter((p) => p.value > 0).length,
  };
}

function driftTarget(target: string, drifted: Point[] = [], sampled: Point[] = []): DriftTargetStatus {
  const last = drifted[0];
  if (!last) return { target };
  const sampledThen = sampled.find((p) => p.at.getTime() === last.at.getTime());
  return {
    target,
    lastRunAt: last.at.toISOString(),
    drifted: last.value,
    ...(sampledThen ? { sampled: sampledThen.value } : {}),
  };
}

function describe(err: unknown): string {
  const e = err as Error;
  return `${e.name}: ${e.message.split('\n')[0]}`;
}

/** What in the canary's and drift check's results needs a person. */
export function healthAttention(h: HealthStatus): string[] {
  const out: string[] = [];
  const c = h.canary;
  if (c.problem) out.push(`canary ${c.function}: ${c.problem}`);
  for (const t of c.deployed && !c.problem ? c.targets : []) {
    if (t.lastMissing === undefined) {
      out.push(
        `canary: no data for ${t.target} in the last ${c.windowMinutes} min: the canary did not run or could not publish (see ${c.function}'s log group)`,
      );
    } else if (t.lastMissing > 0) {
      out.push(
        `canary: the heartbeat did not reach ${t.target} within the threshold (run at ${t.lastRunAt})`,
      );
    }
  }
  const d = h.drift;
  if (d.problem) out.push(`drift check ${d.function}: ${d.problem}`);
  for (const t of d.deployed && !d.problem ? d.targets : []) {
    if (t.drifted === undefined) {
      out.push(
        `drift check: no run recorded for ${t.target} in the last ${formatMinutes(d.lookbackMinutes)}`,
      );
    } else if (t.drifted > 0) {
      out.push(
        `drift check: the run at ${t.lastRunAt} found ${t.drifted} drifted item${t.drifted === 1 ? '' : 's'} in ${t.target} ` +
          `(keys in ${d.function}'s log and report; ddbsync verify --repair fixes them)`,
      );
    }
  }
  return out;
}

export function formatMinutes(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}
