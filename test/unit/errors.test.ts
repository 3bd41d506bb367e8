/**
 * The function's named errors: one base class, the error underneath kept as `cause`, and the
 * AWS error a failed target write came from still reachable (name and request id) from it.
 */
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AttributeValueError } from '../../lambda/src/attribute-values.js';
import { writeEntry } from '../../lambda/src/batch-writer.js';
import {
  awsRequestId,
  ConfigError,
  DdbsyncError,
  innermostCause,
  MalformedRecordError,
  StreamConfigError,
  TargetWriteError,
} from '../../lambda/src/errors.js';
import { dynamoDbTargetWriter } from '../../lambda/src/target-writer.js';

const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

const denied = (requestId: string) =>
  new DynamoDBServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId },
    message: 'User is not authorized to perform: dynamodb:BatchWriteItem',
  });

const writer = dynamoDbTargetWriter(
  { tableName: 'orders-replica', region: 'eu-west-1' },
  new DynamoDBClient({ region: 'eu-west-1' }),
);
const oneItem = [writeEntry({ PutRequest: { Item: { pk: { S: 'a' } } } }, { pk: { S: 'a' } })];

describe('the function’s errors', () => {
  const underneath = new Error('underneath');
  it.each([
    ['ConfigError', new ConfigError('REPLICATION_TARGETS', 'bad', { cause: underneath })],
    ['StreamConfigError', new StreamConfigError('KEYS_ONLY', { cause: underneath })],
    ['MalformedRecordError', new MalformedRecordError('42', 'no Keys', { cause: underneath })],
    [
      'TargetWriteError',
      new TargetWriteError('t@eu-west-1', 'AccessDeniedException', 'no', { cause: underneath }),
    ],
  ])('%s is a DdbsyncError with its own name and keeps its cause', (name, err) => {
    expect(err).toBeInstanceOf(DdbsyncError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.cause).toBe(underneath);
  });

  it('AttributeValueError is a DdbsyncError too', () => {
    const err = new AttributeValueError('doc.#0', 'N must be a decimal string');
    expect(err).toBeInstanceOf(DdbsyncError);
    expect(err.name).toBe('AttributeValueError');
    expect(err.message).toBe('attribute doc.#0: N must be a decimal string');
  });
});

describe('innermostCause and awsRequestId', () => {
  it('an error without a cause is its own innermost cause, and has no request id', () => {
    const err = new TargetWriteError('t', 'DeadlineExceeded', 'no time left');
    expect(innermostCause(err)).toBe(err);
    expect(awsRequestId(err)).toBeUndefined();
  });

  it('find the SDK error and its request id through any number of wrappers', () => {
    const sdk = denied('REQ-123');
    const middle = new TargetWriteError('t', 'AccessDeniedException', sdk.message, { cause: sdk });
    expect(innermostCause(middle)).toBe(sdk);
    expect(innermostCause(new Error('outer', { cause: middle }))).toBe(sdk);
    expect(awsRequestId(sdk)).toBe('REQ-123');
  });

  it('stop on a cycle of causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect([a, b]).toContain(innermostCause(a));
  });
});

describe('TargetWriteError from a real write', () => {
  it('keeps the SDK error of a refused write as its cause', async () => {
    const sdk = denied('REQ-DENIED-1');
    ddb.on(BatchWriteItemCommand).rejects(sdk);
    const result = await writer.write(oneItem, { deadline: Date.now() + 60_000, concurrency: 1 });
    const failure = result.failed.get(0) as TargetWriteError;
    expect(failure).toBeInstanceOf(TargetWriteError);
    expect(failure.code).toBe('AccessDeniedException');
    expect(failure.cause).toBe(sdk);
    expect(awsRequestId(innermostCause(failure))).toBe('REQ-DENIED-1');
  });

  it('keeps the last throttling error as the cause when the deadline ends the retries', async () => {
    let ms = 0;
    let n = 0;
    ddb.on(BatchWriteItemCommand).callsFake(async () => {
      ms += 10;
      n++;
      throw new ProvisionedThroughputExceededException({
        message: 'slow down',
        $metadata: { requestId: `REQ-THROTTLED-${n}` },
      });
    });
    const result = await writer.write(oneItem, {
      deadline: 1_000,
      concurrency: 1,
      now: () => ms,
      sleep: async (d) => {
        ms += d;
      },
      random: () => 0.5,
    });
    const failure = result.failed.get(0) as TargetWriteError;
    expect(failure.code).toBe('DeadlineExceeded');
    expect(n).toBeGreaterThan(1);
    const cause = innermostCause(failure);
    expect(cause.name).toBe('ProvisionedThroughputExceededException');
    expect(awsRequestId(cause)).toBe(`REQ-THROTTLED-${n}`);
  });
});
