import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '../attribute-values.js';
import { isHeartbeatKey } from '../heartbeat.js';
import { pickKey } from '../item-keys.js';
import { reportedUnits, scanReadUnits } from '../table-reader.js';
import type { TargetTally } from './verify-compare.js';
import { readWithRetry, type ThrottleRetry } from './verify-read.js';

/** Keys per Scan page: ten BatchGetItem requests on the source. */
export const SCAN_PAGE_KEYS = 1_000;

/** One keys-only page of a target's Scan segment. */
export interface KeyPage {
  readonly keys: Item[];
  readonly lastKey?: Item;
}

export type ReadKeyPage = (start: Item | undefined) => Promise<KeyPage>;

/**
 * A keys-only, strongly consistent page reader of one Scan segment: only the key
 * attributes are returned (ProjectionExpression), though DynamoDB counts the read capacity
 * on the items' whole size. With a cap, each page waits off the units DynamoDB says it took
 * (ReturnConsumedCapacity TOTAL) in the table's bucket (`take`); a throttled page backs off and is
 * read again (readWithRetry).
 */
export function keyPageReader(
  client: DynamoDBClient,
  tableName: string,
  label: string,
  keyNames: readonly string[],
  segment: number,
  totalSegments: number,
  pacing: { readonly take: (units: number) => Promise<void>; readonly retry: ThrottleRetry },
  limit = SCAN_PAGE_KEYS,
): ReadKeyPage {
  const names: Record<string, string> = {};
  keyNames.forEach((n, i) => {
    names[`#k${i}`] = n;
  });
  const what = `Scan of segment ${segment} of ${totalSegments}`;
  return async (start) => {
    const out = await readWithRetry(
      label,
      what,
      () =>
        client.send(
          new ScanCommand({
            TableName: tableName,
            Segment: segment,
            TotalSegments: totalSegments,
            Limit: limit,
            ConsistentRead: true,
            ProjectionExpression: Object.keys(names).join(', '),
            ExpressionAttributeNames: names,
            ...(start ? { ExclusiveStartKey: start } : {}),
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      pacing.retry,
    );
    const items = out.Items ?? [];
    // Without DynamoDB's figure, the projected keys' size (doubled: a consistent read) is the floor.
    await pacing.take(reportedUnits(out.ConsumedCapacity) ?? 2 * scanReadUnits(items));
    return {
      keys: items.map((item) => pickKey(item, keyNames)),
      ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
    };
  };
}

export interface SegmentOutcome {
  /** The segment's scan reached its end. */
  readonly done: boolean;
  /** Where the next invocation goes on (absent when done). */
  readonly lastKey?: Item;
  readonly tally: TargetTally;
}

/**
 * Reads a target's segment page by page from `start`, each page's keys looked up on the
 * source (see compareTargetKeys), until the segment ends, `stopAt` passes or `full` says
 * enough keys are held (MAX_PART_KEYS). Pages are whole: a page is compared completely
 * before its LastEvaluatedKey is handed on.
 */
export async function scanSegment(
  readPage: ReadKeyPage,
  start: Item | undefined,
  keyNames: readonly string[],
  compare: (keys: Item[]) => Promise<TargetTally>,
  add: (tally: TargetTally) => void,
  timing: { readonly stopAt: number; readonly now: () => number },
  full: () => boolean = () => false,
): Promise<{ done: boolean; lastKey?: Item }> {
  let next = start;
  do {
    if (timing.now() >= timing.stopAt || (next !== start && full())) {
      return { done: false, ...(next ? { lastKey: next } : {}) };
    }
    const page = await readPage(next);
    const keys = page.keys.filter((k) => !isHeartbeatKey(k, keyNames));
    if (keys.length > 0) add(await compare(keys));
    next = page.lastKey;
  } while (next);
  return { done: true };
}
