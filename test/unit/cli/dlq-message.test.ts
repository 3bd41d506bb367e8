/** What redrive accepts from the dead-letter queue as a failed stream batch, and what it keeps. */
import { describe, expect, it } from 'vitest';
import { NotAStreamFailureRecord, parseOnFailureRecord, streamRegion } from '../../../cli/src/dlq-message.js';

const STREAM = 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000';
const batchInfo = {
  shardId: 'shardId-00000001700000000000-aaaaaaaa',
  startSequenceNumber: '300000000000000000001',
  endSequenceNumber: '300000000000000000009',
  approximateArrivalOfFirstRecord: '2024-01-01T10:00:00Z',
  approximateArrivalOfLastRecord: '2024-01-01T10:00:05Z',
  batchSize: 9,
  streamArn: STREAM,
};
/** An invocation record as Lambda writes it to an on-failure destination. */
const onFailureRecord = {
  requestContext: {
    requestId: '316aa6d0-8154-4a5b-8b5c-6e1b1b6e3c7f',
    functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:replicator',
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 3,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2024-01-01T10:01:00.000Z',
  DDBStreamBatchInfo: batchInfo,
};

describe('parseOnFailureRecord', () => {
  it('reads the batch of a Lambda on-failure record', () => {
    const info = parseOnFailureRecord(JSON.stringify(onFailureRecord));
    expect(info).toMatchObject({
      shardId: batchInfo.shardId,
      startSequenceNumber: batchInfo.startSequenceNumber,
      endSequenceNumber: batchInfo.endSequenceNumber,
      streamArn: STREAM,
      batchSize: 9,
    });
  });

  it.each([
    ['an empty body', undefined, /not JSON/],
    ['text', 'retry this please', /not JSON/],
    ['JSON null', 'null', /no DDBStreamBatchInfo/],
    ['a JSON array', '[1,2]', /no DDBStreamBatchInfo/],
    ['an S3 event', JSON.stringify({ Records: [{ eventSource: 'aws:s3' }] }), /no DDBStreamBatchInfo/],
    ['a Kinesis on-failure record', JSON.stringify({ KinesisBatchInfo: batchInfo }), /no DDBStreamBatchInfo/],
  ])('refuses %s as not a stream on-failure record', (_what, body, message) => {
    expect(() => parseOnFailureRecord(body)).toThrow(NotAStreamFailureRecord);
    expect(() => parseOnFailureRecord(body)).toThrow(message);
  });

  it.each(['shardId', 'startSequenceNumber', 'endSequenceNumber', 'streamArn'])(
    'names a missing or empty %s',
    (field) => {
      const without = { ...onFailureRecord, DDBStreamBatchInfo: { ...batchInfo, [field]: undefined } };
      const empty = { ...onFailureRecord, DDBStreamBatchInfo: { ...batchInfo, [field]: '' } };
      const numeric = { ...onFailureRecord, DDBStreamBatchInfo: { ...batchInfo, [field]: 42 } };
      for (const record of [without, empty, numeric]) {
        expect(() => parseOnFailureRecord(JSON.stringify(record))).toThrow(
          `DDBStreamBatchInfo.${field} is missing`,
        );
      }
    },
  );
});

describe('streamRegion', () => {
  it('is the region field of the stream ARN, in any partition', () => {
    expect(streamRegion(STREAM)).toBe('eu-west-1');
    expect(
      streamRegion('arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t/stream/2024-01-01T00:00:00.000'),
    ).toBe('cn-north-1');
  });

  it('refuses what is not an ARN with a region', () => {
    expect(() => streamRegion('orders')).toThrow(NotAStreamFailureRecord);
    expect(() => streamRegion('arn:aws:dynamodb::123456789012:table/t/stream/x')).toThrow(
      /is not a stream ARN/,
    );
  });
});
