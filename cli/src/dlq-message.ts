import { CliError } from './errors.js';

/** What Lambda's event source mapping writes to an on-failure destination for a DynamoDB stream batch. */
export interface StreamBatchInfo {
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly streamArn: string;
  readonly batchSize?: number;
  readonly approximateArrivalOfFirstRecord?: string;
}

/** The message is not an on-failure record of a DynamoDB stream batch. */
export class NotAStreamFailureRecord extends CliError {
  override readonly name = 'NotAStreamFailureRecord';
}

export function parseOnFailureRecord(body: string | undefined): StreamBatchInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch (err) {
    throw new NotAStreamFailureRecord('the message body is not JSON', { cause: err });
  }
  const info = (parsed as { DDBStreamBatchInfo?: Record<string, unknown> } | null)?.DDBStreamBatchInfo;
  if (!info || typeof info !== 'object') {
    throw new NotAStreamFailureRecord(
      'the message has no DDBStreamBatchInfo (not a DynamoDB stream on-failure record)',
    );
  }
  for (const field of ['shardId', 'startSequenceNumber', 'endSequenceNumber', 'streamArn']) {
    if (typeof info[field] !== 'string' || info[field] === '') {
      throw new NotAStreamFailureRecord(`DDBStreamBatchInfo.${field} is missing`);
    }
  }
  return info as unknown as StreamBatchInfo;
}

/** The region a stream ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL) lives in. */
export function streamRegion(streamArn: string): string {
  const region = streamArn.split(':')[3];
  if (!region) throw new NotAStreamFailureRecord(`"${streamArn}" is not a stream ARN`);
  return region;
}
