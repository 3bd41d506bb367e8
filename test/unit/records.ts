/**
 * Builders of Lambda DynamoDB stream event records, as the event source mapping delivers them,
 * and the test's own conversions between the event's JSON form and the SDK's form. They are
 * written here, not taken from lambda/src, so a misread field in the product's converters
 * cannot be copied into what the tests expect.
 */
import type { AttributeValue, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { EventAttributeValue, EventImage, Item } from '../../lambda/src/attribute-values.js';
import type { WireWriteRequest } from '../../lambda/src/batch-writer.js';
import type { StreamRecord } from '../../lambda/src/stream-records.js';

export interface RecordSpec {
  seq: string;
  name?: 'INSERT' | 'MODIFY' | 'REMOVE' | string;
  keys?: EventImage;
  newImage?: EventImage;
  oldImage?: EventImage;
  view?: string;
  ttl?: boolean;
  createdSeconds?: number;
}

/** A record with every field Lambda's documented DynamoDB event record has (see test/fixtures/aws). */
export function streamRecord(spec: RecordSpec): StreamRecord {
  const dynamodb: NonNullable<StreamRecord['dynamodb']> = {
    ApproximateCreationDateTime: spec.createdSeconds ?? 1_700_000_000,
    SequenceNumber: spec.seq,
    SizeBytes: 100,
    StreamViewType: spec.view ?? 'NEW_AND_OLD_IMAGES',
  };
  if (spec.keys) dynamodb.Keys = spec.keys;
  if (spec.newImage) dynamodb.NewImage = spec.newImage;
  if (spec.oldImage) dynamodb.OldImage = spec.oldImage;
  return {
    eventID: `id-${spec.seq}`,
    eventName: spec.name ?? 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000',
    ...(spec.ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    dynamodb,
  } as StreamRecord;
}

/** A put (INSERT or MODIFY) of `{pk, ...attrs}`. */
export function put(seq: string, pk: string, attrs: EventImage = {}, name = 'INSERT'): StreamRecord {
  const keys = { pk: { S: pk } };
  return streamRecord({ seq, name, keys, newImage: { ...keys, ...attrs } });
}

export function remove(seq: string, pk: string, options: { ttl?: boolean } = {}): StreamRecord {
  const keys = { pk: { S: pk } };
  return streamRecord({ seq, name: 'REMOVE', keys, oldImage: { ...keys, v: { S: 'old' } }, ...options });
}

/** The string of an S value in an event image (undefined for other types or no value). */
export function sOf(value: EventAttributeValue | undefined): string | undefined {
  return value !== undefined && 'S' in value ? value.S : undefined;
}

/** A wire-form write request as DynamoDB reads it and the SDK hands it back: binaries as bytes. */
export function sdkWriteRequest(r: WireWriteRequest): WriteRequest {
  return r.PutRequest
    ? { PutRequest: { Item: sdkItemOf(r.PutRequest.Item) } }
    : { DeleteRequest: { Key: sdkItemOf(r.DeleteRequest.Key) } };
}

/** An own-property record, so an attribute named "__proto__" stays an attribute. */
function ownEntries<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const mapValues = <A, B>(record: Record<string, A>, f: (v: A) => B): Record<string, B> =>
  ownEntries(Object.entries(record).map(([k, v]): [string, B] => [k, f(v)]));

const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'base64'));

/** The event (JSON) form of an SDK-form value: binaries as base64, everything else as it is. */
export function eventValueOf(v: AttributeValue): EventAttributeValue {
  if (v.B !== undefined) return { B: base64(v.B) };
  if (v.BS !== undefined) return { BS: v.BS.map(base64) };
  if (v.M !== undefined) return { M: eventImageOf(v.M) };
  if (v.L !== undefined) return { L: v.L.map(eventValueOf) };
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.SS !== undefined) return { SS: [...v.SS] };
  if (v.NS !== undefined) return { NS: [...v.NS] };
  if (v.NULL !== undefined) return { NULL: true };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  throw new Error(`not an attribute value: ${Object.keys(v).join(',')}`);
}

export const eventImageOf = (item: Item): EventImage => mapValues(item, eventValueOf);

/** The SDK form of an event-form value: binaries decoded to bytes. */
export function sdkValueOf(v: EventAttributeValue): AttributeValue {
  if ('B' in v) return { B: bytes(v.B) };
  if ('BS' in v) return { BS: v.BS.map(bytes) };
  if ('M' in v) return { M: sdkItemOf(v.M) };
  if ('L' in v) return { L: v.L.map(sdkValueOf) };
  return v as AttributeValue;
}

export const sdkItemOf = (image: EventImage): Item => mapValues(image, sdkValueOf);
