import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { awsRequestId, innermostCause } from './errors.js';
import type { BatchOutcome } from './replicate.js';

/** Structured JSON logger; service name and level follow POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL. */
export function createLogger(): Logger {
  return new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ddbsync' });
}

/** CloudWatch EMF metrics; the namespace follows POWERTOOLS_METRICS_NAMESPACE. */
export function createMetrics(): Metrics {
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ddbsync',
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'ddbsync',
  });
}

/**
 * What a stream or loader invocation does first: the cold-start metric on the first call
 * only, and the request id and function name on every log line of the invocation.
 */
export function invocationStart(logger: Logger, metrics: Metrics): (context: Partial<Context>) => void {
  let coldStart = true;
  return (context) => {
    if (coldStart) {
      metrics.captureColdStartMetric();
      coldStart = false;
    }
    if (typeof context.awsRequestId === 'string') logger.addContext(context as Context);
  };
}

/** Metric names, one place so that dashboards and alarms can rely on them. */
export const METRIC = {
  recordsReceived: 'RecordsReceived',
  itemsPut: 'ItemsPut',
  itemsDeleted: 'ItemsDeleted',
  recordsSkipped: 'RecordsSkipped',
  writeRequests: 'WriteRequests',
  writeRetries: 'WriteRetries',
  failedRecords: 'FailedRecords',
  replicationLatency: 'ReplicationLatency',
} as const;

/**
 * Metrics of the canary and the drift function, published with the dimensions `service`
 * and TARGET_DIMENSION (one datapoint per target and run); the dashboard and alarms use these names.
 */
export const HEALTH_METRIC = {
  endToEndLatency: 'EndToEndLatency',
  heartbeatMissing: 'HeartbeatMissing',
  driftedItems: 'DriftedItems',
  driftSampledItems: 'DriftSampledItems',
  driftRepairedItems: 'DriftRepairedItems',
} as const;

/** The dimension naming a target: `<account id>/<region>/<table name>` (target-label.ts). */
export const TARGET_DIMENSION = 'Target';

/** Adds a batch's counts to the metrics and logs a summary (and each failure); never item contents. */
export function reportOutcome(outcome: BatchOutcome, nowMs: number, logger: Logger, metrics: Metrics): void {
  metrics.addMetric(METRIC.recordsReceived, MetricUnit.Count, outcome.received);
  metrics.addMetric(METRIC.itemsPut, MetricUnit.Count, outcome.itemsPut);
  metrics.addMetric(METRIC.itemsDeleted, MetricUnit.Count, outcome.itemsDeleted);
  metrics.addMetric(METRIC.recordsSkipped, MetricUnit.Count, outcome.skipped);
  metrics.addMetric(METRIC.writeRequests, MetricUnit.Count, outcome.writeRequests);
  metrics.addMetric(METRIC.writeRetries, MetricUnit.Count, outcome.writeRetries);
  metrics.addMetric(METRIC.failedRecords, MetricUnit.Count, outcome.failedRecords);
  // Lag of the oldest change in the batch, measured once its writes have finished.
  const latencyMs =
    outcome.oldestChangeMs === undefined ? undefined : Math.max(0, nowMs - outcome.oldestChangeMs);
  if (latencyMs !== undefined)
    metrics.addMetric(METRIC.replicationLatency, MetricUnit.Milliseconds, latencyMs);

  for (const f of outcome.recordFailures) {
    logger.error('record not applied', {
      sequenceNumber: f.sequenceNumber,
      error: f.error.name,
      reason: f.error.message,
    });
  }
  for (const f of outcome.targetFailures) {
    // The AWS error's name and request id, so a failure can be found in CloudTrail or taken
    // to AWS support; the cause itself is not logged whole (its $response holds the reply).
    const cause = f.error.cause instanceof Error ? innermostCause(f.error) : undefined;
    const requestId = cause && awsRequestId(cause);
    logger.error('target write failed', {
      target: f.target,
      failedItems: f.failedItems,
      reason: f.firstError,
      ...(cause ? { cause: cause.name } : {}),
      ...(requestId ? { causeRequestId: requestId } : {}),
    });
  }
  const retryFrom = outcome.response.batchItemFailures[0]?.itemIdentifier;
  const summary = {
    received: outcome.received,
    itemsPut: outcome.itemsPut,
    itemsDeleted: outcome.itemsDeleted,
    skipped: outcome.skipped,
    failedRecords: outcome.failedRecords,
    writeRequests: outcome.writeRequests,
    writeRetries: outcome.writeRetries,
    replicationLatencyMs: latencyMs,
    ...(retryFrom ? { retryFromSequenceNumber: retryFrom } : {}),
  };
  if (retryFrom)
    logger.warn('batch partly applied; Lambda retries from the reported sequence number', summary);
  else logger.info('batch applied', summary);
}
