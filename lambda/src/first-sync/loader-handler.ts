import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { sleep as realSleep } from '../backoff.js';
import { safetyMarginMs } from '../handler.js';
import type { TargetWriter } from '../target-writer.js';
import { openExportFile } from './export-file.js';
import { loadLines } from './load-file.js';
import type { LoaderConfig } from './loader-config.js';
import { type LoaderResult, parseLoaderEvent } from './loader-event.js';
import { stepHandler } from './step-handler.js';
import { checkStreamBudget, loadDeadline } from './stream-budget.js';

/** The loader's metric, beside the replicator's (observability.ts METRIC). */
export const LOADER_METRIC = { itemsWritten: 'FirstSyncItemsWritten' } as const;

export interface LoaderDeps {
  readonly config: LoaderConfig;
  readonly writers: readonly TargetWriter[];
  readonly s3: S3Client;
  /** The table's key attribute names (see key-schema.ts). */
  readonly keyNames: () => Promise<readonly string[]>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type LoaderHandler = (
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
) => Promise<LoaderResult>;

/**
 * When an invocation stops sending and when its writes give up. The deadline keeps the
 * replicator's margin before Lambda's timeout; sending stops a tenth of the invocation
 * earlier (1 s to 30 s), time for the batches in flight to finish, retries included.
 * A 15-minute invocation sends for 14 min 25 s.
 */
export function loaderTimeBudget(startMs: number, remainingMs: number): { stopAt: number; deadline: number } {
  const deadline = startMs + remainingMs - safetyMarginMs(remainingMs);
  const drain = Math.min(30_000, Math.max(1_000, Math.round(remainingMs / 10)));
  return { deadline, stopAt: deadline - drain };
}

/**
 * The loader's Lambda handler (see loader-index.ts): loads one export data file from
 * `startLine` into every target and says where it stopped. Throws, failing the Map child
 * with the error's name and message, for a bad event, a malformed line, a refusing target,
 * a file it cannot read, or a start past the stream budget (StreamBudgetExceededError); logs a summary per invocation and never an item's contents.
 */
export function createLoaderHandler(deps: LoaderDeps): LoaderHandler {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  return stepHandler(
    deps,
    'export file not loaded; the Map child fails with this error',
    async (event, context) => {
      const started = now();
      const input = parseLoaderEvent(event);
      const file = `s3://${input.bucket}/${input.key}`;
      // Before any write: a load past its budget cannot converge, and every write is wasted.
      checkStreamBudget(input.exportTime, deps.config.streamReserveSeconds, started, `loading ${file}`);
      const budget = loaderTimeBudget(started, context.getRemainingTimeInMillis());
      const { deadline } = budget;
      // Nor is anything sent past the stream budget: an invocation started just before it
      // would load on for up to 15 minutes into the catch-up's reserve (all of it when the
      // reserve is small). It stops once past it (as checkStreamBudget counts: now > deadline);
      // the next invocation fails with the reason.
      const stopAt =
        input.exportTime === undefined
          ? budget.stopAt
          : Math.min(budget.stopAt, loadDeadline(input.exportTime, deps.config.streamReserveSeconds) + 1);
      const keyNames = await deps.keyNames();
      const source = await openExportFile(deps.s3, input.bucket, input.key, file);
      const outcome = await loadLines(
        source,
        {
          file,
          startLine: input.startLine,
          keyNames,
          excludeAttributes: deps.config.excludeAttributes,
          concurrency: deps.config.maxConcurrency,
          ...(deps.config.writeCapacity === undefined ? {} : { writeCapacity: deps.config.writeCapacity }),
        },
        deps.writers,
        { stopAt, deadline, now, sleep, ...(deps.random ? { random: deps.random } : {}) },
      );
      deps.metrics.addMetric(LOADER_METRIC.itemsWritten, MetricUnit.Count, outcome.items);
      const summary = {
        file,
        startLine: input.startLine,
        nextLine: outcome.nextLine,
        done: outcome.done,
        items: outcome.items,
        bytes: outcome.bytes,
        writeRequests: outcome.requests,
        writeRetries: outcome.retries,
        durationMs: now() - started,
        ...(outcome.stoppedBy ? { stoppedBy: outcome.stoppedBy } : {}),
        ...(outcome.readError ? { readError: outcome.readError } : {}),
      };
      if (outcome.done) deps.logger.info('export file loaded', summary);
      else
        deps.logger.warn('export file partly loaded; the state machine continues it from nextLine', summary);
      return {
        key: input.key,
        done: outcome.done,
        nextLine: outcome.nextLine,
        items: outcome.items,
        bytes: outcome.bytes,
      };
    },
  );
}
