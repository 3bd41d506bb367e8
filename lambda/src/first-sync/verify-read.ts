import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { backoffDelay } from '../backoff.js';
import { TableReader } from '../table-reader.js';
import { TokenBucket } from '../token-bucket.js';
import { VerifyReadError } from './errors.js';

/** How a throttled read waits and until when it may. */
export interface ThrottleRetry {
  /** No retry starts past this time (epoch ms): the invocation must still end in time. */
  readonly deadline: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * What DynamoDB answers when a table's capacity is used up (after the SDK's own few
 * retries), and TableReader's error for keys left unprocessed round after round.
 */
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'UnprocessedKeysError',
]);

export function isThrottled(err: unknown): boolean {
  return err instanceof Error && THROTTLED.has(err.name);
}

/** Longest single wait: long enough for a provisioned table's capacity to come back. */
const MAX_BACKOFF_MS = 10_000;

/**
 * Runs a read, retrying it with growing, jittered waits while the table throttles, until
 * the deadline: a verify shares the table with its users, and a busy minute must not fail a
 * run of hours. Any other error, or throttling past the deadline, is a VerifyReadError
 * naming the table and what to do.
 */
export async function readWithRetry<T>(
  label: string,
  what: string,
  read: () => Promise<T>,
  r: ThrottleRetry,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      const e = err as Error;
      if (!isThrottled(err)) {
        throw new VerifyReadError(label, `${what} failed: ${e.name}: ${e.message}`, { cause: err });
      }
      const wait = backoffDelay(attempt, r.random ?? Math.random, 200, MAX_BACKOFF_MS);
      if (r.now() + wait >= r.deadline) {
        throw new VerifyReadError(
          label,
          `${what} was throttled until the invocation's deadline (${attempt + 1} attempts, last: ${e.name}); ` +
            "lower READ_CAPACITY below the table's read capacity, or raise the table's",
          { cause: err },
        );
      }
      await r.sleep(wait);
    }
  }
}

/**
 * A reader of one table, paced to `readCapacity` units per second (undefined: no cap) from
 * what DynamoDB says each read took (ReturnConsumedCapacity TOTAL). Every table gets its
 * own bucket, as each has its own capacity; `take` paces the table's other reads (its
 * Scan) with the same bucket, and `used` says how many units this invocation took.
 */
export function pacedReader(
  client: DynamoDBClient,
  tableName: string,
  keyNames: readonly string[],
  readCapacity: number | undefined,
  timing: { now: () => number; sleep: (ms: number) => Promise<void>; random?: () => number },
): { reader: TableReader; take: (units: number) => Promise<void>; used: () => number } {
  const bucket = new TokenBucket(readCapacity, timing.now, timing.sleep);
  let used = 0;
  const take = (units: number) => {
    used += units;
    return bucket.take(units);
  };
  const reader = new TableReader(client, tableName, keyNames, {
    consumed: take,
    sleep: timing.sleep,
    ...(timing.random ? { random: timing.random } : {}),
  });
  return { reader, take, used: () => used };
}
