import { type BatchWriteOptions, writeEntry } from './batch-writer.js';
import type { ReplicatorConfig } from './config.js';
import { type BatchPlan, planBatch } from './plan.js';
import { lowestSequenceNumber } from './sequence-numbers.js';
import type { BatchResponse, StreamRecord } from './stream-records.js';
import type { TargetWriter } from './target-writer.js';

/** A target's failed writes in one batch, summarised for the log. */
export interface TargetFailure {
  readonly target: string;
  readonly failedItems: number;
  readonly firstError: string;
  /** That first failure itself, whose cause (the SDK's error) names the AWS error and request. */
  readonly error: Error;
}

export interface BatchOutcome {
  readonly response: BatchResponse;
  readonly received: number;
  /** Puts and deletes applied to every target. */
  readonly itemsPut: number;
  readonly itemsDeleted: number;
  readonly skipped: number;
  /** Records whose change was not applied everywhere (they are retried from the reported sequence number). */
  readonly failedRecords: number;
  readonly writeRequests: number;
  readonly writeRetries: number;
  readonly oldestChangeMs?: number;
  readonly recordFailures: BatchPlan['failures'];
  readonly targetFailures: readonly TargetFailure[];
}

export type WriteTiming = Omit<BatchWriteOptions, 'concurrency'>;

/**
 * Applies one batch of stream records to every target and says which sequence number
 * Lambda must retry from: the lowest among the records whose change did not reach
 * every target (malformed records included). A write counts only when every target
 * accepted it; writes are idempotent, so re-applying one on retry is safe.
 */
export async function replicateBatch(
  records: readonly StreamRecord[],
  config: Pick<ReplicatorConfig, 'excludeAttributes' | 'skipTtlDeletes' | 'maxConcurrency'>,
  writers: readonly TargetWriter[],
  timing: WriteTiming,
): Promise<BatchOutcome> {
  const plan = planBatch(records, config);
  const entries = plan.writes.map((w) => writeEntry(w.request, w.keyItem, w.key));
  const results =
    entries.length === 0
      ? []
      : await Promise.all(
          writers.map((w) => w.write(entries, { ...timing, concurrency: config.maxConcurrency })),
        );

  const failedWrites = new Set<number>();
  const targetFailures: TargetFailure[] = [];
  let writeRequests = 0;
  let writeRetries = 0;
  results.forEach((result, t) => {
    writeRequests += result.requests;
    writeRetries += result.retries;
    if (result.failed.size === 0) return;
    for (const i of result.failed.keys()) failedWrites.add(i);
    const first = result.failed.values().next().value as Error;
    targetFailures.push({
      target: (writers[t] as TargetWriter).id,
      failedItems: result.failed.size,
      firstError: first.message,
      error: first,
    });
  });

  let itemsPut = 0;
  let itemsDeleted = 0;
  // A stream that cannot be replicated leaves the whole batch unapplied, not one record.
  let failedRecords = plan.batchFailed ? plan.received : plan.failures.length;
  const retryFrom: string[] = plan.failures.map((f) => f.sequenceNumber);
  plan.writes.forEach((w, i) => {
    if (failedWrites.has(i)) {
      failedRecords += w.recordCount;
      retryFrom.push(w.firstSequenceNumber);
    } else if ('PutRequest' in w.request) {
      itemsPut++;
    } else {
      itemsDeleted++;
    }
  });

  const lowest = lowestSequenceNumber(retryFrom);
  return {
    response: { batchItemFailures: lowest === undefined ? [] : [{ itemIdentifier: lowest }] },
    received: plan.received,
    itemsPut,
    itemsDeleted,
    skipped: plan.skipped,
    failedRecords,
    writeRequests,
    writeRetries,
    oldestChangeMs: plan.oldestChangeMs,
    recordFailures: plan.failures,
    targetFailures,
  };
}
