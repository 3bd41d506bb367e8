import type { BatchWriteItemCommandOutput, WriteRequest } from '@aws-sdk/client-dynamodb';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/service-error-classification';
import type { EventImage } from './attribute-values.js';
import { backoffDelay, sleep as realSleep } from './backoff.js';
import { TargetWriteError } from './errors.js';
import { eventKeyString, keyString } from './item-keys.js';

/**
 * A BatchWriteItem write request in DynamoDB's JSON wire form, which is also the form
 * a Lambda stream event carries images in: binaries as base64 strings, numbers as
 * decimal strings. Sent as it is (see wire-body.ts), so nothing is decoded and encoded again.
 */
export type WireWriteRequest =
  | { PutRequest: { Item: EventImage }; DeleteRequest?: never }
  | { DeleteRequest: { Key: EventImage }; PutRequest?: never };

/** One item-level write, serialized once for every target and retry, and the key it touches. */
export interface WriteEntry {
  readonly request: WireWriteRequest;
  /** JSON.stringify(request): this entry's part of the request body. */
  readonly json: string;
  /** UTF-8 length of `json`, for DynamoDB's request size limit. */
  readonly bytes: number;
  /** The item's key attributes, in wire form. */
  readonly keyItem: EventImage;
  /** keyString of the key (item-keys.ts), to match UnprocessedItems back to this entry. */
  readonly key: string;
}

/** Builds a WriteEntry; `key` may be passed when the caller has it already. */
export function writeEntry(
  request: WireWriteRequest,
  keyItem: EventImage,
  key = eventKeyString(keyItem),
): WriteEntry {
  const json = JSON.stringify(request);
  return { request, json, bytes: Buffer.byteLength(json), keyItem, key };
}

/** One BatchWriteItem request: the write requests, and the body that carries them. */
export interface BatchWriteRequest {
  readonly tableName: string;
  readonly requests: readonly WireWriteRequest[];
  /** The request's JSON body, made from the entries' `json`. */
  readonly body: string;
}

export type SendBatchWrite = (
  request: BatchWriteRequest,
  abortSignal: AbortSignal,
) => Promise<Pick<BatchWriteItemCommandOutput, 'UnprocessedItems'>>;

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
/**
 * DynamoDB refuses a BatchWriteItem request over 16 MB. Bodies are counted exactly, as
 * sent, and kept to 16,000,000 bytes, under the limit whether a MB is 10^6 or 2^20 bytes.
 */
export const MAX_REQUEST_BYTES = 16_000_000;

/**
 * Writes entries to one table with BatchWriteItem: chunks of at most 25 items and
 * MAX_REQUEST_BYTES of body, `concurrency` requests in flight, UnprocessedItems and
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

  const envelope = bodyEnvelope(tableName);
  const chunks = chunkEntries(entries, MAX_REQUEST_BYTES - envelope.bytes);
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
        const error = new TargetWriteError(
          tableName,
          'DeadlineExceeded',
          why,
          lastError ? { cause: lastError } : undefined,
        );
        for (const i of pending) failed.set(i, error);
        return;
      }
      try {
        requests++;
        const sending = pending.map((i) => entries[i] as WriteEntry);
        const out = await send(
          {
            tableName,
            requests: sending.map((e) => e.request),
            body: envelope.head + sending.map((e) => e.json).join(',') + envelope.tail,
          },
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
          // The SDK's error stays as the cause: its request id is what AWS support asks for.
          const failure = new TargetWriteError(tableName, code, error.message, { cause: error });
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
          { cause: lastError },
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

/** True for errors a later try may not meet: throttling, transient and server errors. */
export function isRetryable(error: Error): boolean {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return false;
  const e = error as Parameters<typeof isThrottlingError>[0];
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}

/** The JSON around a request's entries: {"RequestItems":{"<table>":[ ... ]}}. */
function bodyEnvelope(tableName: string): { head: string; tail: string; bytes: number } {
  const head = `{"RequestItems":{${JSON.stringify(tableName)}:[`;
  const tail = ']}}';
  return { head, tail, bytes: Buffer.byteLength(head) + tail.length };
}

/**
 * Splits entry indexes into BatchWriteItem-sized chunks, keeping their order: at most 25
 * entries, and at most `maxBytes` of entries' JSON with the commas between them.
 */
function chunkEntries(entries: readonly WriteEntry[], maxBytes: number): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  entries.forEach((entry, i) => {
    if (
      current.length === MAX_ITEMS_PER_BATCH ||
      (current.length > 0 && bytes + 1 + entry.bytes > maxBytes)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    bytes += current.length > 0 ? entry.bytes + 1 : entry.bytes;
    current.push(i);
  });
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Finds which of the sent entries DynamoDB returned as unprocessed, by key. The reply
 * comes through the SDK, so its items are in the SDK's form (binaries as bytes); keyString
 * gives them the same text as eventKeyString gave the entries.
 */
function matchUnprocessed(
  entries: readonly WriteEntry[],
  sent: number[],
  unprocessed: WriteRequest[],
): number[] {
  const byKey = new Map<string, number>();
  for (const i of sent) byKey.set((entries[i] as WriteEntry).key, i);
  const names = Object.keys((entries[sent[0] as number] as WriteEntry).keyItem).sort();
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
