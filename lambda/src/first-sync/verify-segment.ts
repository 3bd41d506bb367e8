import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from '../attribute-values.js';
import { isHeartbeatKey } from '../heartbeat.js';
import { pickKey } from '../item-keys.js';
import { VerifyReadError } from './errors.js';
import type { TargetTally } from './verify-compare.js';

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
 * attributes are read (ProjectionExpression), so the scan costs what the keys weigh, not
 * the items (read capacity is still counted on the items' size by DynamoDB).
 */
export function keyPageReader(
  client: DynamoDBClient,
  tableName: string,
  label: string,
  keyNames: readonly string[],
  segment: number,
  totalSegments: number,
  limit = SCAN_PAGE_KEYS,
): ReadKeyPage {
  const names: Record<string, string> = {};
  keyNames.forEach((n, i) => {
    names[`#k${i}`] = n;
  });
  return async (start) => {
    try {
      const out = await client.send(
        new ScanCommand({
          TableName: tableName,
          Segment: segment,
          TotalSegments: totalSegments,
          Limit: limit,
          ConsistentRead: true,
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      return {
        keys: (out.Items ?? []).map((item) => pickKey(item, keyNames)),
        ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
      };
    } catch (err) {
      const e = err as Error;
      throw new VerifyReadError(
        label,
        `Scan of segment ${segment} of ${totalSegments} failed: ${e.name}: ${e.message}`,
        {
          cause: err,
        },
      );
    }
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
