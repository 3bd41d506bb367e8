import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { ReplicatorConfig } from './config.js';
import { MalformedRecordError } from './errors.js';
import { invocationStart, METRIC, reportOutcome } from './observability.js';
import { replicateBatch } from './replicate.js';
import type { BatchResponse, StreamEvent, StreamRecord } from './stream-records.js';
import type { TargetWriter } from './target-writer.js';

export interface HandlerDeps {
  readonly config: ReplicatorConfig;
  readonly writers: readonly TargetWriter[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
}

export type Handler = (
  event: StreamEvent,
  context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
) => Promise<BatchResponse>;

/**
 * Time kept back from the invocation's remaining time so the handler can report
 * failures before Lambda's own timeout: a tenth, at least 0.5 s, at most 5 s.
 */
export function safetyMarginMs(remainingMs: number): number {
  return Math.min(5_000, Math.max(500, Math.round(remainingMs / 10)));
}

/**
 * The Lambda handler, given its dependencies. Returns ReportBatchItemFailures naming the
 * sequence number to retry from; throws (failing the whole batch) only when the event
 * itself is unusable, e.g. no Records array or a record without a sequence number.
 */
export function createHandler(deps: HandlerDeps): Handler {
  const now = deps.now ?? Date.now;
  const start = invocationStart(deps.logger, deps.metrics);
  return async (event, context) => {
    start(context);
    try {
      const records = event?.Records;
      if (!Array.isArray(records)) {
        throw new MalformedRecordError(
          undefined,
          'the event has no Records array; is this a DynamoDB stream event?',
        );
      }
      if (records.length === 0) return { batchItemFailures: [] };
      const remaining = context.getRemainingTimeInMillis();
      const deadline = now() + remaining - safetyMarginMs(remaining);
      const outcome = await replicateBatch(records as StreamRecord[], deps.config, deps.writers, {
        deadline,
        now,
      });
      reportOutcome(outcome, now(), deps.logger, deps.metrics);
      return outcome.response;
    } catch (err) {
      const count = Array.isArray(event?.Records) ? event.Records.length : 0;
      deps.metrics.addMetric(METRIC.failedRecords, MetricUnit.Count, count);
      deps.logger.error('batch failed as a whole; Lambda retries all of it', err as Error);
      throw err;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
