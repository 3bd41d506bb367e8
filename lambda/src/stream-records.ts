/**
 * The part of a Lambda DynamoDB stream event record that the replicator reads.
 * Everything is `unknown` until validated: events can be malformed.
 */
export interface StreamRecord {
  eventID?: unknown;
  eventName?: unknown;
  eventSourceARN?: unknown;
  userIdentity?: unknown;
  dynamodb?: {
    ApproximateCreationDateTime?: unknown;
    Keys?: unknown;
    NewImage?: unknown;
    OldImage?: unknown;
    SequenceNumber?: unknown;
    SizeBytes?: unknown;
    StreamViewType?: unknown;
  };
}

export interface StreamEvent {
  Records?: unknown;
}

/** What the handler returns with ReportBatchItemFailures on. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** True for a REMOVE written by DynamoDB's time-to-live process rather than by a caller. */
export function isTtlDelete(record: StreamRecord): boolean {
  const id = record.userIdentity as { type?: unknown; principalId?: unknown } | undefined;
  return (
    record.eventName === 'REMOVE' && id?.type === 'Service' && id?.principalId === 'dynamodb.amazonaws.com'
  );
}
