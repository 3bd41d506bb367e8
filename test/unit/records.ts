/** Builders of Lambda DynamoDB stream event records, as the event source mapping delivers them. */
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { type EventAttributeValue, type EventImage, toSdkItem } from '../../lambda/src/attribute-values.js';
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
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000',
    ...(spec.ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    dynamodb,
  };
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
    ? { PutRequest: { Item: toSdkItem(r.PutRequest.Item) } }
    : { DeleteRequest: { Key: toSdkItem(r.DeleteRequest.Key) } };
}
