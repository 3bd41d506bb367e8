import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  _Record as SdkStreamRecord,
  AttributeValue as StreamAttributeValue,
} from '@aws-sdk/client-dynamodb-streams';
import { type EventAttributeValue, type EventImage, setAttribute } from './attribute-values.js';
import type { StreamRecord } from './stream-records.js';

/**
 * Builds the record Lambda's event source mapping hands to the function from a record
 * read with the DynamoDB Streams API (GetRecords): binaries become base64 strings,
 * ApproximateCreationDateTime becomes epoch seconds, eventSourceARN is the stream.
 * Used where this project delivers records itself: redrive, the demo, the tests.
 */
export function toLambdaRecord(record: SdkStreamRecord, streamArn: string): StreamRecord {
  const d = record.dynamodb ?? {};
  const dynamodb: Record<string, unknown> = {};
  if (d.ApproximateCreationDateTime)
    dynamodb.ApproximateCreationDateTime = d.ApproximateCreationDateTime.getTime() / 1000;
  if (d.Keys) dynamodb.Keys = toEventImage(d.Keys);
  if (d.NewImage) dynamodb.NewImage = toEventImage(d.NewImage);
  if (d.OldImage) dynamodb.OldImage = toEventImage(d.OldImage);
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

export function toEventImage(image: Record<string, StreamAttributeValue | AttributeValue>): EventImage {
  const out: EventImage = {};
  for (const [name, value] of Object.entries(image)) setAttribute(out, name, toEventValue(value));
  return out;
}

/** The inverse of the replicator's toSdkValue: the JSON form a Lambda event carries. */
export function toEventValue(v: StreamAttributeValue | AttributeValue): EventAttributeValue {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.B !== undefined) return { B: Buffer.from(v.B).toString('base64') };
  if (v.SS !== undefined) return { SS: [...v.SS] };
  if (v.NS !== undefined) return { NS: [...v.NS] };
  if (v.BS !== undefined) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (v.M !== undefined) return { M: toEventImage(v.M) };
  if (v.L !== undefined) return { L: v.L.map(toEventValue) };
  if (v.NULL !== undefined) return { NULL: true };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  throw new Error(`unsupported attribute value with keys ${Object.keys(v).join(',')}`);
}
