import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TargetWriter } from '#core';
import { type Item, itemSize, pickKey, TokenBucket, toEventImage, type WriteEntry, writeEntry } from '#core';
import {
  type BackfillCheckpoint,
  freshCheckpoint,
  loadCheckpoint,
  type SegmentProgress,
  saveCheckpoint,
} from './checkpoint.js';
import { UsageError, WriteFailedError } from './errors.js';

export interface BackfillOptions {
  readonly source: DynamoDBClient;
  readonly tableName: string;
  readonly keyNames: readonly string[];
  readonly writers: readonly TargetWriter[];
  /** Parallel Scan segments; each is scanned and written by its own worker. */
  readonly segments: number;
  /** Items per Scan page: the unit of rate limiting and checkpointing. */
  readonly pageSize: number;
  /** BatchWriteItem requests in flight per target and segment. */
  readonly concurrency: number;
  /** Items per second over all segments; undefined for no limit. */
  readonly rate?: number;
  /** Read capacity units per second taken from the source (see readUnits); undefined for no limit. */
  readonly readCapacity?: number;
  /** Write capacity units per second put on each target (see writeUnits); undefined for no limit. */
  readonly writeCapacity?: number;
  readonly dryRun: boolean;
  readonly exclude: ReadonlySet<string>;
  readonly checkpointPath?: string;
  /** Stops at the next page boundary; what was written is in the checkpoint. */
  readonly signal?: AbortSignal;
  /** How long one page's writes may keep retrying (throttling) before the run fails. */
  readonly writeTimeoutMs: number;
  readonly onProgress?: (copied: number) => void;
  readonly beforePageWrite?: (items: readonly Item[]) => Promise<void>;
  readonly now?: () => number;
}

export interface BackfillResult {
  /** Items read by this run. */
  readonly scanned: number;
  /** Items this run wrote to every target (0 in a dry run). */
  readonly written: number;
  /** Items copied over all runs of this checkpoint (this run's alone without one). */
  readonly copiedTotal: number;
  readonly seconds: number;
  readonly interrupted: boolean;
  readonly resumed: boolean;
}

/**
 * Copies every item of the source table into every target: a parallel Scan whose pages
 * go through the replicator's BatchWriteItem writer (same chunking and retries), rate
 * limited, and checkpointed per segment after each page reached every target. Puts
 * are idempotent, so a page interrupted half-way is simply written again on resume.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const now = options.now ?? Date.now;
  const started = now();
  for (const name of options.keyNames) {
    if (options.exclude.has(name)) {
      throw new UsageError(`--exclude-attributes names "${name}", which is part of the table's key`);
    }
  }
  const loaded =
    options.checkpointPath && !options.dryRun
      ? loadCheckpoint(options.checkpointPath, options.tableName, options.segments)
      : undefined;
  const checkpoint: BackfillCheckpoint = loaded ?? freshCheckpoint(options.tableName, options.segments);
  const bucket = new TokenBucket(options.rate, now);
  const readBucket = new TokenBucket(options.readCapacity, now);
  const writeBucket = new TokenBucket(options.writeCapacity, now);
  let scanned = 0;
  let written = 0;
  let copiedTotal = checkpoint.segments.reduce((n, s) => n + s.copied, 0);
  let saving = Promise.resolve();
  const persist = (): Promise<void> => {
    const path = options.checkpointPath;
    if (!path || options.dryRun) return Promise.resolve();
    saving = saving.then(() => saveCheckpoint(path, checkpoint));
    return saving;
  };

  const runSegment = async (segment: number, progress: SegmentProgress): Promise<void> => {
    while (!progress.done && !options.signal?.aborted) {
      const page = await options.source.send(
        new ScanCommand({
          TableName: options.tableName,
          Segment: segment,
          TotalSegments: options.segments,
          Limit: options.pageSize,
          ...(progress.lastEvaluatedKey ? { ExclusiveStartKey: progress.lastEvaluatedKey } : {}),
        }),
      );
      const items = page.Items ?? [];
      scanned += items.length;
      if (items.length > 0) {
        await bucket.take(items.length);
        if (options.readCapacity !== undefined) await readBucket.take(readUnits(items));
        if (options.writeCapacity !== undefined) {
          await writeBucket.take(writeUnits(items.map((i) => withoutExcluded(i, options.exclude))));
        }
        await options.beforePageWrite?.(items);
        if (!options.dryRun) await writePage(options, items, now);
      }
      if (!options.dryRun) written += items.length;
      copiedTotal += items.length;
      progress.copied += items.length;
      if (page.LastEvaluatedKey) progress.lastEvaluatedKey = page.LastEvaluatedKey;
      else {
        progress.done = true;
        delete progress.lastEvaluatedKey;
      }
      await persist();
      options.onProgress?.(copiedTotal);
    }
  };

  const results = await Promise.allSettled(checkpoint.segments.map((p, i) => runSegment(i, p)));
  await saving;
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
  return {
    scanned,
    written,
    copiedTotal,
    seconds: (now() - started) / 1000,
    interrupted: checkpoint.segments.some((s) => !s.done),
    resumed: loaded !== undefined,
  };
}

async function writePage(options: BackfillOptions, items: Item[], now: () => number): Promise<void> {
  const entries: WriteEntry[] = items.map((item) =>
    writeEntry(
      { PutRequest: { Item: toEventImage(withoutExcluded(item, options.exclude)) } },
      toEventImage(pickKey(item, options.keyNames)),
    ),
  );
  const deadline = now() + options.writeTimeoutMs;
  const results = await Promise.all(
    options.writers.map((w) => w.write(entries, { deadline, concurrency: options.concurrency, now })),
  );
  results.forEach((result, t) => {
    if (result.failed.size === 0) return;
    const first = result.failed.values().next().value as Error;
    throw new WriteFailedError(
      `${result.failed.size} of ${entries.length} items of a page could not be written to ${(options.writers[t] as TargetWriter).id}: ${first.message}`,
      { cause: first },
    );
  });
}

/**
 * Read capacity a page of an eventually consistent Scan takes: half a unit per 4 KB of the
 * page's items together (DynamoDB sums the sizes of the items a Scan returns).
 */
export function readUnits(items: readonly Item[]): number {
  const bytes = items.reduce((n, item) => n + itemSize(item), 0);
  return Math.ceil(bytes / 4096) * 0.5;
}

/** Write capacity putting these items takes: one unit per started KB of each item. */
export function writeUnits(items: readonly Item[]): number {
  return items.reduce((n, item) => n + Math.max(1, Math.ceil(itemSize(item) / 1024)), 0);
}

export function withoutExcluded(item: Item, exclude: ReadonlySet<string>): Item {
  if (exclude.size === 0) return item;
  const out: Item = {};
  for (const [name, value] of Object.entries(item)) if (!exclude.has(name)) out[name] = value;
  return out;
}
