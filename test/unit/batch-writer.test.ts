/**
 * The BatchWriteItem writer, through the DynamoDB client as the function uses it
 * (dynamoDbTargetWriter + aws-sdk-client-mock), with an injected clock so retries,
 * backoff and the deadline are deterministic and instant.
 */
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  DynamoDBClient,
  DynamoDBServiceException,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  ThrottlingException,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventImage } from '../../lambda/src/attribute-values.js';
import {
  type BatchWriteOptions,
  MAX_REQUEST_BYTES,
  type WriteEntry,
  writeEntry,
} from '../../lambda/src/batch-writer.js';
import { TargetWriteError } from '../../lambda/src/errors.js';
import { dynamoDbTargetWriter } from '../../lambda/src/target-writer.js';
import { sdkWriteRequest, sOf } from './records.js';

const TABLE = 'orders-replica';
const ddb = mockClient(DynamoDBClient);
afterEach(() => ddb.reset());

const writer = dynamoDbTargetWriter(
  { tableName: TABLE, region: 'eu-west-1' },
  new DynamoDBClient({ region: 'eu-west-1' }),
);

function entries(n: number, payload?: (i: number) => Uint8Array): WriteEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const key: EventImage = { pk: { S: `item-${i}` } };
    const blob: EventImage = payload ? { blob: { B: Buffer.from(payload(i)).toString('base64') } } : {};
    return writeEntry({ PutRequest: { Item: { ...key, ...blob } } }, key);
  });
}

/** An entry's request as a reply's UnprocessedItems hold it: through the SDK, binaries as bytes. */
const asReturned = (entry: WriteEntry | undefined): WriteRequest =>
  sdkWriteRequest((entry as WriteEntry).request);

/** A fake clock: sleeping advances time and is recorded; nothing really waits. */
function clock(options: { deadlineIn?: number; concurrency?: number; random?: () => number } = {}) {
  const c = {
    ms: 0,
    sleeps: [] as number[],
    options: undefined as unknown as BatchWriteOptions,
  };
  c.options = {
    deadline: options.deadlineIn ?? 60_000,
    concurrency: options.concurrency ?? 4,
    now: () => c.ms,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.ms += ms;
    },
    random: options.random ?? (() => 0.5),
  };
  return c;
}

const sent = () =>
  ddb.commandCalls(BatchWriteItemCommand).map((call) => call.args[0].input as BatchWriteItemCommandInput);
const pks = (requests: WriteRequest[] | undefined) =>
  (requests ?? []).map((r) => (r.PutRequest?.Item ?? r.DeleteRequest?.Key)?.pk?.S);
const serviceError = (name: string, status = 400) =>
  new DynamoDBServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} from the service`,
  });

describe('writeBatches: chunking', () => {
  it('sends at most 25 items per BatchWriteItem, each item exactly once', async () => {
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    const list = entries(60);
    const result = await writer.write(list, clock().options);
    expect(result.failed.size).toBe(0);
    const batches = sent().map((input) => pks(input.RequestItems?.[TABLE]));
    expect(batches.map((b) => b.length).sort((a, b) => b - a)).toEqual([25, 25, 10]);
    expect(batches.flat().sort()).toEqual(list.map((e) => sOf(e.keyItem.pk)).sort());
    expect(result.requests).toBe(3);
  });

  it('keeps each request body under 16 MB as sent, and fills requests up to it', async () => {
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    // ~1.2 MB of bytes each, ~1.6 MB as base64 in the body: 10 fit in a request, 11 do not.
    const list = entries(30, () => new Uint8Array(1_198_080));
    const result = await writer.write(list, clock().options);
    expect(result.failed.size).toBe(0);
    const inputs = sent();
    // The body is the input as JSON (wire-body.ts sends exactly that).
    const sizes = inputs.map((input) => Buffer.byteLength(JSON.stringify(input)));
    expect(inputs.map((i) => i.RequestItems?.[TABLE]?.length)).toEqual([10, 10, 10]);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(sizes[0]).toBeGreaterThan(MAX_REQUEST_BYTES - 1_700_000);
    expect(inputs.flatMap((i) => pks(i.RequestItems?.[TABLE])).sort()).toEqual(
      list.map((e) => sOf(e.keyItem.pk)).sort(),
    );
  });
});

describe('writeBatches: retries', () => {
  it('re-sends only the UnprocessedItems until all are written', async () => {
    const list = entries(5);
    const unprocessed = (ids: number[]) => ({
      UnprocessedItems: { [TABLE]: ids.map((i) => asReturned(list[i])) },
    });
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce(unprocessed([1, 3]))
      .resolvesOnce(unprocessed([3]))
      .resolves({ UnprocessedItems: {} });
    const c = clock();
    const result = await writer.write(list, c.options);
    expect(result.failed.size).toBe(0);
    expect(sent().map((i) => pks(i.RequestItems?.[TABLE]))).toEqual([
      ['item-0', 'item-1', 'item-2', 'item-3', 'item-4'],
      ['item-1', 'item-3'],
      ['item-3'],
    ]);
    expect(result.requests).toBe(3);
    expect(result.retries).toBe(2);
    expect(c.sleeps).toHaveLength(2);
  });

  it('matches unprocessed items with binary and number keys, returned as bytes, to the entries sent', async () => {
    const list = [0, 1, 2].map((i) => {
      const key: EventImage = { id: { B: Buffer.from([i, 255, 0]).toString('base64') }, n: { N: `1e${i}` } };
      return writeEntry(
        i === 1 ? { DeleteRequest: { Key: key } } : { PutRequest: { Item: { ...key, v: { S: 'x' } } } },
        key,
      );
    });
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [asReturned(list[1]), asReturned(list[2])] } })
      .resolves({ UnprocessedItems: {} });
    const result = await writer.write(list, clock().options);
    expect(result.failed.size).toBe(0);
    expect(sent()[1]?.RequestItems?.[TABLE]).toEqual([list[1]?.request, list[2]?.request]);
  });

  it('re-sends UnprocessedItems however the reply keys them (a table ARN as the target name)', async () => {
    const arn = 'arn:aws:dynamodb:eu-west-1:210987654321:table/orders-replica';
    const arnWriter = dynamoDbTargetWriter(
      { tableName: arn, region: 'eu-west-1' },
      new DynamoDBClient({ region: 'eu-west-1' }),
    );
    const list = entries(3);
    // The reply names the table differently from the request; the entries are still ours.
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { 'orders-replica': [asReturned(list[2])] } })
      .resolves({ UnprocessedItems: {} });
    const result = await arnWriter.write(list, clock().options);
    expect(result.failed.size).toBe(0);
    expect(sent().map((i) => pks(i.RequestItems?.[arn]))).toEqual([
      ['item-0', 'item-1', 'item-2'],
      ['item-2'],
    ]);
  });

  it.each([
    [
      'ProvisionedThroughputExceededException',
      () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
    ['ThrottlingException', () => new ThrottlingException({ message: 'slow down', $metadata: {} })],
    ['RequestLimitExceeded', () => serviceError('RequestLimitExceeded')],
    ['InternalServerError (500)', () => serviceError('InternalServerError', 500)],
  ])('retries %s and then writes everything', async (_, error) => {
    ddb
      .on(BatchWriteItemCommand)
      .rejectsOnce(error())
      .rejectsOnce(error())
      .resolves({ UnprocessedItems: {} });
    const result = await writer.write(entries(3), clock().options);
    expect(result.failed.size).toBe(0);
    expect(result.requests).toBe(3);
    expect(result.retries).toBe(2);
  });

  it.each([
    ['AccessDeniedException', () => serviceError('AccessDeniedException')],
    [
      'ResourceNotFoundException',
      () => new ResourceNotFoundException({ message: 'no table', $metadata: {} }),
    ],
    ['ValidationException', () => serviceError('ValidationException')],
  ])(
    'fails a chunk on %s at once, naming table and code, and still writes the other chunks',
    async (code, error) => {
      // The second chunk (items 25..49) is refused; the first and third are written.
      ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
        if (pks(input.RequestItems?.[TABLE]).includes('item-25')) throw error();
        return { UnprocessedItems: {} };
      });
      const result = await writer.write(entries(60), clock({ concurrency: 1 }).options);
      expect([...result.failed.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 25 }, (_, i) => 25 + i),
      );
      const failure = result.failed.get(30);
      expect(failure).toBeInstanceOf(TargetWriteError);
      expect((failure as TargetWriteError).target).toBe(TABLE);
      expect((failure as TargetWriteError).code).toBe(code);
      expect(failure?.message).toContain(TABLE);
      expect(failure?.message).toContain(code);
      expect(result.requests).toBe(3);
      expect(result.retries).toBe(0);
    },
  );
});

describe('writeBatches: the deadline', () => {
  it('stops retrying at the deadline and fails what is left, never sending after it', async () => {
    const c = clock({ deadlineIn: 5_000 });
    const sendTimes: number[] = [];
    ddb.on(BatchWriteItemCommand).callsFake(async () => {
      sendTimes.push(c.ms);
      c.ms += 10;
      throw new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
    });
    const result = await writer.write(entries(30), c.options);
    expect(result.failed.size).toBe(30);
    for (const error of result.failed.values()) {
      expect(error).toBeInstanceOf(TargetWriteError);
      expect((error as TargetWriteError).code).toBe('DeadlineExceeded');
      expect(error.message).toContain('ProvisionedThroughputExceededException');
    }
    expect(sendTimes.length).toBeGreaterThan(4);
    expect(Math.max(...sendTimes)).toBeLessThan(5_000);
  });

  it('sends nothing when the deadline has already passed', async () => {
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    const c = clock({ deadlineIn: 0 });
    const result = await writer.write(entries(3), c.options);
    expect(sent()).toHaveLength(0);
    expect([...result.failed.values()].map((e) => (e as TargetWriteError).code)).toEqual([
      'DeadlineExceeded',
      'DeadlineExceeded',
      'DeadlineExceeded',
    ]);
  });

  it('keeps items written before the deadline and fails only the unprocessed rest', async () => {
    const list = entries(4);
    const c = clock({ deadlineIn: 1_000 });
    ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
      c.ms += 100;
      const requests = input.RequestItems?.[TABLE] ?? [];
      return {
        UnprocessedItems: { [TABLE]: requests.filter((r) => r.PutRequest?.Item?.pk?.S === 'item-2') },
      };
    });
    const result = await writer.write(list, c.options);
    expect([...result.failed.keys()]).toEqual([2]);
  });
});

describe('writeBatches: concurrency and backoff', () => {
  it('keeps at most `concurrency` requests in flight, and uses that many', async () => {
    let inFlight = 0;
    let most = 0;
    ddb.on(BatchWriteItemCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { UnprocessedItems: {} };
    });
    const result = await writer.write(entries(250), clock({ concurrency: 3 }).options);
    expect(result.failed.size).toBe(0);
    expect(result.requests).toBe(10);
    expect(most).toBe(3);
  });

  it('backs off exponentially up to a cap, with full jitter', async () => {
    const throttle = () => new ThrottlingException({ message: 'slow down', $metadata: {} });
    const run = async (random: () => number) => {
      ddb.reset();
      const mock = ddb.on(BatchWriteItemCommand);
      for (let i = 0; i < 9; i++) mock.rejectsOnce(throttle());
      mock.resolves({ UnprocessedItems: {} });
      const c = clock({ random });
      const result = await writer.write(entries(1), c.options);
      expect(result.failed.size).toBe(0);
      return c.sleeps;
    };
    const high = await run(() => 0.999);
    expect(high).toHaveLength(9);
    for (let i = 1; i < high.length; i++) expect(high[i]).toBeGreaterThanOrEqual(high[i - 1] as number);
    expect(high[3]).toBeGreaterThan(4 * (high[0] as number));
    expect(Math.max(...high)).toBeLessThanOrEqual(10_000);
    expect(high.at(-1)).toBe(high.at(-2)); // capped

    const half = await run(() => 0.5);
    half.forEach((d, i) => {
      expect(d).toBeLessThan(high[i] as number);
      expect(d).toBeGreaterThanOrEqual(Math.floor((high[i] as number) / 2) - 1);
    });
    const none = await run(() => 0);
    expect(none.every((d) => d === 0)).toBe(true);
  });
});
