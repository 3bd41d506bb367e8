import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { AttributeValueError, type Item, toSdkItem } from './attribute-values.js';
import type { ReplicatorConfig } from './config.js';
import { MalformedRecordError, StreamConfigError } from './errors.js';
import { keyString } from './item-keys.js';
import { compareSequenceNumbers, isSequenceNumber } from './sequence-numbers.js';
import { isTtlDelete, type StreamRecord } from './stream-records.js';

/** The net change of one key in a batch: the request for its last record. */
export interface PlannedWrite {
  /** Canonical form of the item's key, for de-duplication and logs (never item contents). */
  readonly key: string;
  /** The item's key attributes, in the SDK's form. */
  readonly keyItem: Item;
  readonly request: WriteRequest;
  /** Lowest sequence number among this key's records in the batch. */
  readonly firstSequenceNumber: string;
  /** Number of stream records folded into this write. */
  readonly recordCount: number;
}

/** A record that cannot be applied, and why. */
export interface RecordFailure {
  readonly sequenceNumber: string;
  readonly error: Error;
}

export interface BatchPlan {
  readonly received: number;
  readonly writes: readonly PlannedWrite[];
  readonly failures: readonly RecordFailure[];
  /** Records deliberately not applied (TTL deletes when SKIP_TTL_DELETES is on). */
  readonly skipped: number;
  /** Oldest ApproximateCreationDateTime in the batch, in epoch milliseconds. */
  readonly oldestChangeMs?: number;
}

type PlanSettings = Pick<ReplicatorConfig, 'excludeAttributes' | 'skipTtlDeletes'>;

const NO_NEW_IMAGE_VIEWS = new Set(['KEYS_ONLY', 'OLD_IMAGE']);

/**
 * Turns one batch of stream records into write requests: the last change per key wins,
 * INSERT/MODIFY become puts of the new image, REMOVE becomes a delete of the key.
 * Pure: no I/O, no clock. A record that cannot be interpreted becomes a failure; a
 * stream that cannot be replicated at all (no new images, an excluded key attribute)
 * fails the batch from its first record.
 */
export function planBatch(records: readonly StreamRecord[], settings: PlanSettings): BatchPlan {
  const byKey = new Map<
    string,
    { keyItem: Item; request: WriteRequest; first: string; last: string; count: number }
  >();
  const failures: RecordFailure[] = [];
  let skipped = 0;
  let oldestChangeMs: number | undefined;

  for (const record of records) {
    const seq = record?.dynamodb?.SequenceNumber;
    if (!isSequenceNumber(seq)) {
      // Without a sequence number the record cannot be reported; the handler fails the whole batch.
      throw new MalformedRecordError(undefined, 'dynamodb.SequenceNumber is missing or not a decimal string');
    }
    const created = record.dynamodb?.ApproximateCreationDateTime;
    if (typeof created === 'number' && Number.isFinite(created)) {
      const ms = created * 1000;
      if (oldestChangeMs === undefined || ms < oldestChangeMs) oldestChangeMs = ms;
    }

    const view = record.dynamodb?.StreamViewType;
    if (typeof view === 'string' && NO_NEW_IMAGE_VIEWS.has(view)) {
      return failBatch(
        records,
        oldestChangeMs,
        new StreamConfigError(
          `the source stream's view type is ${view}, which carries no new item images to copy; ` +
            "set the table's StreamViewType to NEW_AND_OLD_IMAGES (or NEW_IMAGE)",
        ),
      );
    }
    const keys = record.dynamodb?.Keys;
    if (typeof keys === 'object' && keys !== null) {
      const excludedKey = Object.keys(keys).find((k) => settings.excludeAttributes.has(k));
      if (excludedKey !== undefined) {
        return failBatch(
          records,
          oldestChangeMs,
          new StreamConfigError(
            `EXCLUDE_ATTRIBUTES names "${excludedKey}", which is part of the table's key; ` +
              'key attributes are always copied, remove it from EXCLUDE_ATTRIBUTES',
          ),
        );
      }
    }

    let planned: Planned;
    try {
      if (settings.skipTtlDeletes && isTtlDelete(record)) {
        skipped++;
        continue;
      }
      planned = planRecord(record, seq, settings.excludeAttributes);
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      failures.push({ sequenceNumber: seq, error: err });
      continue;
    }
    const existing = byKey.get(planned.key);
    if (existing === undefined) {
      byKey.set(planned.key, {
        keyItem: planned.keyItem,
        request: planned.request,
        first: seq,
        last: seq,
        count: 1,
      });
    } else {
      // Records of one key arrive in order within a shard; compare anyway so a reordered batch stays correct.
      if (compareSequenceNumbers(seq, existing.last) > 0) {
        existing.request = planned.request;
        existing.last = seq;
      }
      if (compareSequenceNumbers(seq, existing.first) < 0) existing.first = seq;
      existing.count++;
    }
  }

  const writes: PlannedWrite[] = [];
  for (const [key, w] of byKey) {
    writes.push({
      key,
      keyItem: w.keyItem,
      request: w.request,
      firstSequenceNumber: w.first,
      recordCount: w.count,
    });
  }
  return { received: records.length, writes, failures, skipped, oldestChangeMs };
}

function failBatch(
  records: readonly StreamRecord[],
  oldestChangeMs: number | undefined,
  error: Error,
): BatchPlan {
  const first = records[0]?.dynamodb?.SequenceNumber as string;
  return {
    received: records.length,
    writes: [],
    failures: [{ sequenceNumber: first, error }],
    skipped: 0,
    oldestChangeMs,
  };
}

interface Planned {
  key: string;
  keyItem: Item;
  request: WriteRequest;
}

function planRecord(record: StreamRecord, seq: string, exclude: ReadonlySet<string>): Planned {
  const keys = record.dynamodb?.Keys;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys) || Object.keys(keys).length === 0) {
    throw new MalformedRecordError(seq, 'dynamodb.Keys is missing or empty');
  }
  try {
    const keyItem = toSdkItem(keys, 'Keys');
    const key = keyString(keyItem);
    switch (record.eventName) {
      case 'INSERT':
      case 'MODIFY': {
        const image = record.dynamodb?.NewImage;
        if (image === undefined) {
          throw new MalformedRecordError(seq, `${record.eventName} has no dynamodb.NewImage`);
        }
        return { key, keyItem, request: { PutRequest: { Item: toSdkItem(image, '', exclude) } } };
      }
      case 'REMOVE':
        return { key, keyItem, request: { DeleteRequest: { Key: keyItem } } };
      default:
        throw new MalformedRecordError(
          seq,
          `eventName ${JSON.stringify(record.eventName) ?? 'undefined'} is not INSERT, MODIFY or REMOVE`,
        );
    }
  } catch (err) {
    if (err instanceof AttributeValueError) throw new MalformedRecordError(seq, err.message);
    throw err;
  }
}
