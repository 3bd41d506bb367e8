import type {
  BatchWriteItemCommandInput,
  BatchWriteItemCommandOutput,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import { type Item, itemSize } from './attribute-values.js';
import { backoffDelay, sleep as realSleep } from './backoff.js';
import { TargetWriteError } from './errors.js';
import { keyString } from './item-keys.js';

/** One item-level write and the key it touches (to match UnprocessedItems back to it). */
export interface WriteEntry {
  readonly request: WriteRequest;
  readonly key: Item;
}

export type SendBatchWrite = (
  input: BatchWriteItemCommandInput,
  abortSignal: AbortSignal,
) => Promise<BatchWriteItemCommandOutput>;

export interface BatchWriteOptions {
  /** Epoch milliseconds after which nothing more is sent; what is not written by then fails. */
  readonly deadline: number;
  /** Most BatchWriteItem requests in flight at once. */
  readonly concurrency: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface BatchWriteResult {
  /** Index into the entries for every write that was not applied, with the reason. */
  readonly failed: Map<number, Error>;
  /** BatchWriteItem requests sent, first tries and retries. */
  readonly requests: number;
  /** Requests re-sent after throttling, a transient error or UnprocessedItems. */
  readonly retries: number;
}

export const MAX_ITEMS_PER_BATCH = 25;
/** DynamoDB's request limit is 16 MB; keep a margin for the JSON encoding (base64 grows binaries by 4/3). */
export const MAX_BATCH_BYTES = 12 * 1024 * 1024;

/**
 * Writes entries to one table with BatchWriteItem: chunks of at most 25 items and
 * 12 MB of item data, `concurrency` requests in flight, UnprocessedItems and
 * throttling/transient errors retried with exponential backoff and full jitter until
 * the deadline. Errors that a retry cannot fix (access denied, missing table,
 * validation) fail the chunk at once. Never throws: every entry ends written or in `failed`.
 */
export async function writeBatches(
  send: SendBatchWrite,
  tableName: string,
  entries: readonly WriteEntry[],
  options: BatchWriteOptions,
): Promise<BatchWriteResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const failed = new Map<number, Error>();
  let requests = 0;
  let retries = 0;

  const chunks = chunkEntries(entries);
  let next = 0;

  const writeChunk = async (chunk: number[]): Promise<void> => {
    let pending = chunk;
    let lastError: Error | undefined;
    for (let attempt = 0; ; attempt++) {
      const remaining = options.deadline - now();
      if (remaining <= 0) {
        const why = lastError
          ? `gave up at the deadline after ${attempt} attempts; last error: ${lastError.name}: ${lastError.message}`
          : 'no time left before the deadline to send';
        const error = new TargetWriteError(tableName, 'DeadlineExceeded', why);
        for (const i of pending) failed.set(i, error);
        return;
      }
      try {
        requests++;
        const out = await send(
          { RequestItems: { [tableName]: pending.map((i) => (entries[i] as WriteEntry).request) } },
          // Whole milliseconds: a deadline derived from a fraction of the remaining time need not be one.
          AbortSignal.timeout(Math.ceil(remaining)),
        );
        // One table per request, so every unprocessed entry is ours, whatever key DynamoDB
        // files it under (the name as sent, or the table's ARN when an ARN was sent).
        const unprocessed = Object.values(out.UnprocessedItems ?? {}).flat();
        if (unprocessed.length === 0) return;
        pending = matchUnprocessed(entries, pending, unprocessed);
        lastError = new TargetWriteError(
          tableName,
          'UnprocessedItems',
          `${pending.length} items left unprocessed`,
        );
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        if (!isRetryable(error)) {
          const code = error.name || 'Error';
          const failure = new TargetWriteError(tableName, code, error.message);
          for (const i of pending) failed.set(i, failure);
          return;
        }
        lastError = error;
      }
      const delay = backoffDelay(attempt, random);
      if (now() + delay >= options.deadline) {
        const error = new TargetWriteError(
          tableName,
          'DeadlineExceeded',
          `no time left to retry after ${attempt + 1} attempts; last error: ${lastError.name}: ${lastError.message}`,
        );
        for (const i of pending) failed.set(i, error);
        return;
      }
      retries++;
      await sleep(delay);
    }
  };

  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] as number[];
      await writeChunk(chunk);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, chunks.length) }, worker));
  return { failed, requests, retries };
}

function isRetryable(error: Error): boolean {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return false;
  const e = error as Parameters<typeof isThrottlingError>[0];
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}

/** Splits entry indexes into BatchWriteItem-sized chunks, keeping their order. */
export function chunkEntries(entries: readonly WriteEntry[]): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  entries.forEach((entry, i) => {
    const size = requestSize(entry.request);
    if (current.length === MAX_ITEMS_PER_BATCH || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function requestSize(request: WriteRequest): number {
  const item = request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {};
  return itemSize(item);
}

/** Finds which of the sent entries DynamoDB returned as unprocessed, by key. */
function matchUnprocessed(
  entries: readonly WriteEntry[],
  sent: number[],
  unprocessed: WriteRequest[],
): number[] {
  const byKey = new Map<string, number>();
  const names = Object.keys((entries[sent[0] as number] as WriteEntry).key).sort();
  for (const i of sent) byKey.set(keyString((entries[i] as WriteEntry).key, names), i);
  const out = new Set<number>();
  for (const r of unprocessed) {
    const item = r.PutRequest?.Item ?? r.DeleteRequest?.Key ?? {};
    const i = byKey.get(keyString(item, names));
    if (i === undefined) {
      throw new Error('BatchWriteItem returned an unprocessed item that was not sent');
    }
    out.add(i);
  }
  return [...out];
}
