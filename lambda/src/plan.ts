import { AttributeValueError, checkImage, type EventImage } from './attribute-values.js';
import type { WireWriteRequest } from './batch-writer.js';
import type { ReplicatorConfig } from './config.js';
import { MalformedRecordError, StreamConfigError } from './errors.js';
import { eventKeyString } from './item-keys.js';
import { compareSequenceNumbers, isSequenceNumber, lowestSequenceNumber } from './sequence-numbers.js';
import { isTtlDelete, type StreamRecord } from './stream-records.js';

/** The net change of one key in a batch: the request for its last record. */
export interface PlannedWrite {
  /** Canonical form of the item's key, for de-duplication and logs (never item contents). */
  readonly key: string;
  /** The item's key attributes, as the event has them. */
  readonly keyItem: EventImage;
  /** The record's image or key in the event's JSON form, which is DynamoDB's wire form. */
  readonly request: WireWriteRequest;
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
  /**
   * True when the stream cannot be replicated at all (see failBatch): no record of the
   * batch is applied and `failures` holds the one to retry from.
   */
  readonly batchFailed?: boolean;
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
  // Pass 1 checks every record's shape and groups records by key; pass 2 checks, to any
  // depth, only the image that is written per key. A busy key changes many times per
  // batch, and the images superseded anyway need no deeper look.
  // Per key, the index of its record, or of its records when it has several.
  const byKey = new Map<string, number | number[]>();
  const failures: RecordFailure[] = [];
  let skipped = 0;
  let oldestChangeMs: number | undefined;

  for (let index = 0; index < records.length; index++) {
    const record = records[index] as StreamRecord;
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
    if (settings.excludeAttributes.size > 0 && typeof keys === 'object' && keys !== null) {
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

    if (settings.skipTtlDeletes && isTtlDelete(record)) {
      skipped++;
      continue;
    }
    let key: string;
    try {
      key = checkRecord(record, seq);
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      failures.push({ sequenceNumber: seq, error: err });
      continue;
    }
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, index);
    else if (typeof group === 'number') byKey.set(key, [group, index]);
    else group.push(index);
  }

  const writes: PlannedWrite[] = [];
  for (const [key, group] of byKey) {
    const write = planKey(key, records, group, settings.excludeAttributes, failures);
    if (write !== undefined) writes.push(write);
  }
  return { received: records.length, writes, failures, skipped, oldestChangeMs };
}

/**
 * The write for one key: the request of its last record. Records of one key arrive in
 * order within a shard; they are sorted anyway so a reordered batch stays correct. When
 * the last record's image cannot be converted, it is reported and the one before it is
 * written, so the target still gets every change up to the reported record.
 */
function planKey(
  key: string,
  records: readonly StreamRecord[],
  group: number | number[],
  exclude: ReadonlySet<string>,
  failures: RecordFailure[],
): PlannedWrite | undefined {
  const seqOf = (i: number) => (records[i] as StreamRecord).dynamodb?.SequenceNumber as string;
  const candidates =
    typeof group === 'number' ? [group] : group.sort((a, b) => compareSequenceNumbers(seqOf(b), seqOf(a)));
  const first = seqOf(candidates[candidates.length - 1] as number);
  for (let i = 0; i < candidates.length; i++) {
    const record = records[candidates[i] as number] as StreamRecord;
    const seq = seqOf(candidates[i] as number);
    try {
      const { keyItem, request } = toRequest(record, seq, exclude);
      return { key, keyItem, request, firstSequenceNumber: first, recordCount: candidates.length - i };
    } catch (err) {
      if (!(err instanceof MalformedRecordError)) throw err;
      failures.push({ sequenceNumber: seq, error: err });
    }
  }
  return undefined;
}

/** Fails every record of the batch, reported from its lowest sequence number. */
function failBatch(
  records: readonly StreamRecord[],
  oldestChangeMs: number | undefined,
  error: Error,
): BatchPlan {
  const seqs = records.map((r) => r?.dynamodb?.SequenceNumber).filter(isSequenceNumber);
  return {
    received: records.length,
    writes: [],
    failures: [{ sequenceNumber: lowestSequenceNumber(seqs) as string, error }],
    batchFailed: true,
    skipped: 0,
    oldestChangeMs,
  };
}

const EVENT_NAMES = new Set(['INSERT', 'MODIFY', 'REMOVE']);

/** Checks a record's shape (not its image's values) and returns its key string. */
function checkRecord(record: StreamRecord, seq: string): string {
  const keys = record.dynamodb?.Keys;
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys) || Object.keys(keys).length === 0) {
    throw new MalformedRecordError(seq, 'dynamodb.Keys is missing or empty');
  }
  const name = record.eventName;
  if (typeof name !== 'string' || !EVENT_NAMES.has(name)) {
    throw new MalformedRecordError(
      seq,
      `eventName ${JSON.stringify(name) ?? 'undefined'} is not INSERT, MODIFY or REMOVE`,
    );
  }
  if (name !== 'REMOVE') {
    const image = record.dynamodb?.NewImage;
    if (typeof image !== 'object' || image === null || Array.isArray(image)) {
      throw new MalformedRecordError(seq, `${name} has no dynamodb.NewImage`);
    }
  }
  try {
    return eventKeyString(keys as Record<string, unknown>);
  } catch (err) {
    if (err instanceof AttributeValueError) throw new MalformedRecordError(seq, err.message);
    throw err;
  }
}

/**
 * The write request for a record that passed checkRecord (which checked its Keys). The
 * image is checked to any depth and used as it is, not copied.
 */
function toRequest(
  record: StreamRecord,
  seq: string,
  exclude: ReadonlySet<string>,
): { keyItem: EventImage; request: WireWriteRequest } {
  try {
    const keyItem = record.dynamodb?.Keys as EventImage;
    if (record.eventName === 'REMOVE') return { keyItem, request: { DeleteRequest: { Key: keyItem } } };
    return { keyItem, request: { PutRequest: { Item: checkImage(record.dynamodb?.NewImage, '', exclude) } } };
  } catch (err) {
    if (err instanceof AttributeValueError) throw new MalformedRecordError(seq, err.message);
    throw err;
  }
}
