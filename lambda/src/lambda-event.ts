import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  _Record as SdkStreamRecord,
  AttributeValue as StreamAttributeValue,
} from '@aws-sdk/client-dynamodb-streams';
import {
  AttributeValueError,
  type EventAttributeValue,
  type EventImage,
  setAttribute,
} from './attribute-values.js';
import { MalformedRecordError } from './errors.js';
import type { StreamRecord } from './stream-records.js';

/**
 * Builds the record Lambda's event source mapping hands to the function from a record
 * read with the DynamoDB Streams API (GetRecords): binaries become base64 strings,
 * ApproximateCreationDateTime becomes epoch seconds, eventSourceARN is the stream.
 * Used where this project delivers records itself: redrive, the demo, the tests.
 * Throws MalformedRecordError for a value it cannot convert, naming where it is.
 */
export function toLambdaRecord(record: SdkStreamRecord, streamArn: string): StreamRecord {
  const d = record.dynamodb ?? {};
  const dynamodb: Record<string, unknown> = {};
  if (d.ApproximateCreationDateTime)
    dynamodb.ApproximateCreationDateTime = d.ApproximateCreationDateTime.getTime() / 1000;
  try {
    if (d.Keys) dynamodb.Keys = toEventImage(d.Keys, 'Keys.');
    if (d.NewImage) dynamodb.NewImage = toEventImage(d.NewImage, 'NewImage.');
    if (d.OldImage) dynamodb.OldImage = toEventImage(d.OldImage, 'OldImage.');
  } catch (err) {
    if (err instanceof AttributeValueError) throw new MalformedRecordError(d.SequenceNumber, err.message);
    throw err;
  }
  if (d.SequenceNumber) dynamodb.SequenceNumber = d.SequenceNumber;
  if (d.SizeBytes !== undefined) dynamodb.SizeBytes = d.SizeBytes;
  if (d.StreamViewType) dynamodb.StreamViewType = d.StreamViewType;
  const out: StreamRecord & Record<string, unknown> = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb,
    eventSourceARN: streamArn,
  };
  if (record.userIdentity)
    out.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
  return out;
}

/**
 * The event form of an SDK-form image. `path` prefixes the attribute names in errors; nested
 * map keys are named by position only, as in checkAttributeValue (they are often data).
 */
export function toEventImage(
  image: Record<string, StreamAttributeValue | AttributeValue>,
  path = '',
): EventImage {
  const out: EventImage = {};
  for (const [name, value] of Object.entries(image))
    setAttribute(out, name, toEventValue(value, `${path}${name}`));
  return out;
}

/** The inverse of the replicator's toSdkValue: the JSON form a Lambda event carries. */
export function toEventValue(
  v: StreamAttributeValue | AttributeValue,
  path = '(value)',
): EventAttributeValue {
  // The SDK's JSON reader (@smithy/core 3.41) hands back an attribute named "__proto__" without its value.
  if (typeof v !== 'object' || v === null) throw new AttributeValueError(path, 'has no value');
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.SS !== undefined) return { SS: [...v.SS] };
  if (v.NS !== undefined) return { NS: [...v.NS] };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined) return { M: mapOf(v.M, path) };
  if (v.L !== undefined) return { L: v.L.map((e, i) => toEventValue(e, `${path}[${i}]`)) };
  if (v.NULL !== undefined) return { NULL: true };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  throw new AttributeValueError(path, `unsupported attribute value with keys ${Object.keys(v).join(',')}`);
}

function mapOf(map: Record<string, StreamAttributeValue | AttributeValue>, path: string): EventImage {
  const out: EventImage = {};
  Object.entries(map).forEach(([name, value], i) => {
    setAttribute(out, name, toEventValue(value, `${path}.#${i}`));
  });
  return out;
}
