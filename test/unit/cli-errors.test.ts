/**
 * The CLI's errors: one base class, the error underneath kept as `cause`, and the one line a
 * user reads naming the AWS error and its request id when a write was refused. The CLI runs
 * in-process through run() against the real SDK client with its answers mocked (no network).
 */
import {
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBServiceException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { NotAStreamFailureRecord, parseOnFailureRecord } from '../../cli/src/dlq-message.js';
import {
  CheckpointError,
  CliError,
  describeError,
  ResourceError,
  UsageError,
  WriteFailedError,
} from '../../cli/src/errors.js';
import { RangeUnreadableError } from '../../cli/src/redrive.js';
import { TargetWriteError } from '../../lambda/src/errors.js';
import { cli, useMockedDynamo } from '../cli/helpers.js';

const REQUEST_ID = 'F4RUQ2AVK3T0LOB6N0VHJGGTR3VV4KQNSO5AEMVJF66Q9ASUAAJG';
const denied = (requestId?: string) =>
  new DynamoDBServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, ...(requestId ? { requestId } : {}) },
    message: 'User: arn:aws:iam::222222222222:user/ops is not authorized to perform: dynamodb:BatchWriteItem',
  });

describe('the CLI’s errors', () => {
  const underneath = new Error('underneath');
  it.each([
    ['UsageError', new UsageError('bad flag', { cause: underneath })],
    ['ResourceError', new ResourceError('no table', { cause: underneath })],
    ['WriteFailedError', new WriteFailedError('refused', { cause: underneath })],
    ['CheckpointError', new CheckpointError('bad file', { cause: underneath })],
    ['NotAStreamFailureRecord', new NotAStreamFailureRecord('not JSON', { cause: underneath })],
    ['RangeUnreadableError', new RangeUnreadableError('trimmed', { cause: underneath })],
  ])('%s is a CliError with its own name and keeps its cause', (name, err) => {
    expect(err).toBeInstanceOf(CliError);
    expect(err.name).toBe(name);
    expect(err.cause).toBe(underneath);
  });

  it('a message body that is not JSON keeps the parse error as the cause', () => {
    const err = (() => {
      try {
        parseOnFailureRecord('{');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(NotAStreamFailureRecord);
    expect(err?.cause).toBeInstanceOf(SyntaxError);
  });
});

describe('describeError', () => {
  it('gives an AWS error its code and request id', () => {
    expect(describeError(denied(REQUEST_ID))).toBe(
      `AccessDeniedException: ${denied().message} (request id ${REQUEST_ID})`,
    );
  });

  it('finds the request id under a write failure wrapped twice', () => {
    const sdk = denied(REQUEST_ID);
    const write = new TargetWriteError('orders@eu-west-1', sdk.name, sdk.message, { cause: sdk });
    const err = new WriteFailedError(`1 of 1 items could not be written: ${write.message}`, { cause: write });
    expect(describeError(err)).toBe(
      `WriteFailedError: 1 of 1 items could not be written: orders@eu-west-1: AccessDeniedException: ${sdk.message} (request id ${REQUEST_ID})`,
    );
  });

  it('gives an error that explains itself (no table, bad flag) just its message', () => {
    expect(
      describeError(new ResourceError('source table "x" does not exist', { cause: denied(REQUEST_ID) })),
    ).toBe('source table "x" does not exist');
  });

  it('keeps to the first line and names no request id where there is none', () => {
    expect(describeError(new TypeError('one\ntwo'))).toBe('TypeError: one');
  });
});

describe('a backfill whose writes the target refuses', () => {
  const dynamo = useMockedDynamo();

  it('ends with one line naming the target, the AWS error and its request id, exit 2', async () => {
    dynamo.on(DescribeTableCommand).resolves({
      Table: { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], ItemCount: 1 },
    });
    dynamo.on(ScanCommand).resolves({ Items: [{ pk: { S: 'a' }, n: { N: '1' } }] });
    dynamo.on(BatchWriteItemCommand).rejects(denied(REQUEST_ID));
    const r = await cli([
      'backfill',
      '--source-table',
      'orders',
      '--targets',
      '[{"tableName":"orders-copy","region":"eu-west-1"}]',
      '--segments',
      '1',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `ddbsync: WriteFailedError: 1 of 1 items of a page could not be written to orders-copy@eu-west-1: ` +
        `orders-copy: AccessDeniedException: ${denied().message} (request id ${REQUEST_ID})\n`,
    );
  });
});
