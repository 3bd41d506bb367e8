import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  type EventSourceMappingConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  paginateListEventSourceMappings,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { parseTargets, targetId } from '#core';
import { ResourceError } from './errors.js';
import { type HealthStatus, healthAttention, healthStatus } from './status-health.js';

/** What `ddbsync status` shows: one replicator function, its mappings, queue and metrics. */
export interface ReplicatorStatus {
  readonly function: {
    readonly name: string;
    readonly arn?: string;
    readonly region: string;
    readonly runtime?: string;
    readonly lastModified?: string;
    readonly state?: string;
    readonly lastUpdateStatus?: string;
    /** REPLICATION_TARGETS as targetId()s, or why it could not be read. */
    readonly targets: string[];
    readonly targetsProblem?: string;
  };
  readonly mappings: MappingStatus[];
  readonly metrics: MetricsStatus;
  /** The lag canary's and the drift check's latest results per target. */
  readonly health: HealthStatus;
  /** Things an operator should look at, in plain words; empty when all is well. */
  readonly attention: string[];
}

export interface MappingStatus {
  readonly uuid: string;
  readonly eventSourceArn?: string;
  readonly state?: string;
  readonly stateTransitionReason?: string;
  readonly lastProcessingResult?: string;
  readonly batchSize?: number;
  readonly startingPosition?: string;
  readonly maximumRetryAttempts?: number;
  readonly bisectBatchOnFunctionError?: boolean;
  readonly reportBatchItemFailures: boolean;
  readonly onFailureDestination?: string;
  readonly deadLetterQueue?: QueueDepth;
}

export interface QueueDepth {
  readonly url?: string;
  /** Failed batches waiting (ApproximateNumberOfMessages). */
  readonly messages?: number;
  /** Received by a consumer and not yet deleted (ApproximateNumberOfMessagesNotVisible). */
  readonly inFlight?: number;
  readonly problem?: string;
}

export interface MetricsStatus {
  readonly windowMinutes: number;
  /** Largest IteratorAge (ms) in the window: how far behind the stream the function is. */
  readonly iteratorAgeMaxMs?: number;
  readonly invocations?: number;
  readonly errors?: number;
  readonly throttles?: number;
  /** The function's own metrics (its POWERTOOLS_METRICS_NAMESPACE). */
  readonly failedRecords?: number;
  readonly replicationLatencyMaxMs?: number;
  readonly problem?: string;
}

export interface StatusOptions {
  readonly functionName: string;
  readonly region: string;
  readonly credentials?: AwsCredentialIdentityProvider;
  readonly windowMinutes: number;
  /** The canary and drift functions; default `<function name>-canary` and `<function name>-drift`. */
  readonly canaryFunction?: string;
  readonly driftFunction?: string;
  /** How far back to look for the last drift run (it runs hourly by default); default 24 h. */
  readonly driftWindowMinutes?: number;
  readonly now?: () => number;
}

export async function replicatorStatus(options: StatusOptions): Promise<ReplicatorStatus> {
  // A function ARN names its region; a plain name lives in the given one.
  const region = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):/.exec(options.functionName)?.[1] ?? options.region;
  const clientConfig = {
    region,
    maxAttempts: 3,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const lambda = new LambdaClient(clientConfig);
  const fn = await functionConfig(lambda, options.functionName, region);
  const env = fn.Environment?.Variables ?? {};
  let targets: string[] = [];
  let targetsProblem: string | undefined;
  try {
    targets = parseTargets(env.REPLICATION_TARGETS, region).map(targetId);
  } catch (err) {
    targetsProblem = (err as Error).message;
  }

  const raw: EventSourceMappingConfiguration[] = [];
  for await (const page of paginateListEventSourceMappings(
    { client: lambda },
    { FunctionName: fn.FunctionName ?? options.functionName },
  )) {
    raw.push(...(page.EventSourceMappings ?? []));
  }
  const sqs = new SQSClient(clientConfig);
  const mappings = await Promise.all(raw.map((m) => mappingStatus(m, sqs)));

  const cloudwatch = new CloudWatchClient(clientConfig);
  const now = (options.now ?? Date.now)();
  const name = fn.FunctionName ?? options.functionName;
  const health = await healthStatus({
    lambda,
    cloudwatch,
    canaryFunction: options.canaryFunction ?? `${name}-canary`,
    driftFunction: options.driftFunction ?? `${name}-drift`,
    region,
    windowMinutes: options.windowMinutes,
    driftLookbackMinutes: Math.max(options.windowMinutes, options.driftWindowMinutes ?? 1440),
    now,
  });
  const metrics = await metricsStatus(
    cloudwatch,
    // The metrics' FunctionName dimension is the name, also when an ARN was given.
    fn.FunctionName ?? options.functionName,
    env.POWERTOOLS_METRICS_NAMESPACE ?? 'ddbsync',
    env.POWERTOOLS_SERVICE_NAME ?? 'ddbsync',
    options.windowMinutes,
    now,
  );

  const status: Omit<ReplicatorStatus, 'attention'> = {
    function: {
      name: fn.FunctionName ?? options.functionName,
      ...(fn.FunctionArn ? { arn: fn.FunctionArn } : {}),
      region,
      ...(fn.Runtime ? { runtime: fn.Runtime } : {}),
      ...(fn.LastModified ? { lastModified: fn.LastModified } : {}),
      ...(fn.State ? { state: fn.State } : {}),
      ...(fn.LastUpdateStatus ? { lastUpdateStatus: fn.LastUpdateStatus } : {}),
      targets,
      ...(targetsProblem ? { targetsProblem } : {}),
    },
    mappings,
    metrics,
    health,
  };
  return { ...status, attention: [...attention(status), ...healthAttention(health)] };
}

async function functionConfig(lambda: LambdaClient, name: string, region: string) {
  try {
    return await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (err) {
    const code = (err as Error).name;
    if (code === 'ResourceNotFoundException') {
      throw new ResourceError(`function "${name}" does not exist in ${region}`, { cause: err });
    }
    if (code === 'AccessDeniedException' || code === 'UnrecognizedClientException') {
      throw new ResourceError(
        `function "${name}": access denied (${(err as Error).message.split('\n')[0]})`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

async function mappingStatus(m: EventSourceMappingConfiguration, sqs: SQSClient): Promise<MappingStatus> {
  const destination = m.DestinationConfig?.OnFailure?.Destination;
  return {
    uuid: m.UUID ?? '?',
    ...(m.EventSourceArn ? { eventSourceArn: m.EventSourceArn } : {}),
    ...(m.State ? { state: m.State } : {}),
    ...(m.StateTransitionReason ? { stateTransitionReason: m.StateTransitionReason } : {}),
    ...(m.LastProcessingResult ? { lastProcessingResult: m.LastProcessingResult } : {}),
    ...(m.BatchSize !== undefined ? { batchSize: m.BatchSize } : {}),
    ...(m.StartingPosition ? { startingPosition: m.StartingPosition } : {}),
    ...(m.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: m.MaximumRetryAttempts } : {}),
    ...(m.BisectBatchOnFunctionError !== undefined
      ? { bisectBatchOnFunctionError: m.BisectBatchOnFunctionError }
      : {}),
    reportBatchItemFailures: (m.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    ...(destination ? { onFailureDestination: destination } : {}),
    ...(destination?.startsWith('arn:aws:sqs:')
      ? { deadLetterQueue: await queueDepth(sqs, destination) }
      : {}),
  };
}

async function queueDepth(sqs: SQSClient, arn: string): Promise<QueueDepth> {
  const [, , , , account, name] = arn.split(':');
  try {
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }),
    );
    const out = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      ...(QueueUrl ? { url: QueueUrl } : {}),
      messages: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } catch (err) {
    return { problem: `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}` };
  }
}

async function metricsStatus(
  cloudwatch: CloudWatchClient,
  functionName: string,
  namespace: string,
  service: string,
  windowMinutes: number,
  now: number,
): Promise<MetricsStatus> {
  const period = windowMinutes * 60;
  const lambdaMetric = (id: string, name: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: name,
        Dimensions: [{ Name: 'FunctionName', Value: functionName }],
      },
      Period: period,
      Stat: stat,
    },
  });
  const ownMetric = (id: string, name: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: name, Dimensions: [{ Name: 'service', Value: service }] },
      Period: period,
      Stat: stat,
    },
  });
  const queries = [
    lambdaMetric('iteratorAge', 'IteratorAge', 'Maximum'),
    lambdaMetric('invocations', 'Invocations', 'Sum'),
    lambdaMetric('errors', 'Errors', 'Sum'),
    lambdaMetric('throttles', 'Throttles', 'Sum'),
    ownMetric('failedRecords', 'FailedRecords', 'Sum'),
    ownMetric('latency', 'ReplicationLatency', 'Maximum'),
  ];
  const values = new Map<string, number[]>();
  try {
    let token: string | undefined;
    do {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(now - period * 1000),
          EndTime: new Date(now),
          ...(token ? { NextToken: token } : {}),
        }),
      );
      for (const r of out.MetricDataResults ?? []) {
        if (r.Id) values.set(r.Id, [...(values.get(r.Id) ?? []), ...(r.Values ?? [])]);
      }
      token = out.NextToken;
    } while (token);
  } catch (err) {
    return { windowMinutes, problem: `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}` };
  }
  const sum = (id: string) => (values.get(id) ?? []).reduce((a, b) => a + b, 0);
  const max = (id: string) => {
    const v = values.get(id) ?? [];
    return v.length > 0 ? Math.max(...v) : undefined;
  };
  const iteratorAge = max('iteratorAge');
  const latency = max('latency');
  return {
    windowMinutes,
    ...(iteratorAge !== undefined ? { iteratorAgeMaxMs: iteratorAge } : {}),
    invocations: sum('invocations'),
    errors: sum('errors'),
    throttles: sum('throttles'),
    failedRecords: sum('failedRecords'),
    ...(latency !== undefined ? { replicationLatencyMaxMs: latency } : {}),
  };
}

/** Iterator age above this means the function is falling behind the stream. */
const ITERATOR_AGE_WARNING_MS = 60_000;

function attention(s: Omit<ReplicatorStatus, 'attention'>): string[] {
  const out: string[] = [];
  if (s.function.targetsProblem) out.push(`the function's REPLICATION_TARGETS: ${s.function.targetsProblem}`);
  if (s.mappings.length === 0) out.push('the function has no event source mapping: nothing is replicated');
  for (const m of s.mappings) {
    if (m.state && m.state !== 'Enabled')
      out.push(`mapping ${m.uuid} is ${m.state}: the stream is not being read`);
    if (
      m.lastProcessingResult &&
      m.lastProcessingResult !== 'OK' &&
      m.lastProcessingResult !== 'No records processed'
    ) {
      out.push(`mapping ${m.uuid}: last processing result "${m.lastProcessingResult}"`);
    }
    if (!m.onFailureDestination)
      out.push(`mapping ${m.uuid} has no on-failure destination: failed batches are dropped`);
    const q = m.deadLetterQueue;
    if (q?.problem) out.push(`dead-letter queue ${m.onFailureDestination}: ${q.problem}`);
    if (q?.messages) {
      out.push(
        `${q.messages} failed batch${q.messages === 1 ? '' : 'es'} in the dead-letter queue: ` +
          `ddbsync redrive --queue-url ${m.onFailureDestination} --targets-file <targets>`,
      );
    }
  }
  const mt = s.metrics;
  if (mt.problem) out.push(`metrics: ${mt.problem}`);
  if (mt.iteratorAgeMaxMs !== undefined && mt.iteratorAgeMaxMs > ITERATOR_AGE_WARNING_MS) {
    out.push(`iterator age reached ${formatMs(mt.iteratorAgeMaxMs)}: the function is behind the stream`);
  }
  if (mt.errors)
    out.push(`${mt.errors} function errors in the last ${mt.windowMinutes} min (see the log group)`);
  if (mt.throttles) out.push(`${mt.throttles} throttled invocations in the last ${mt.windowMinutes} min`);
  if (mt.failedRecords)
    out.push(`${mt.failedRecords} records failed to replicate in the last ${mt.windowMinutes} min`);
  return out;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
