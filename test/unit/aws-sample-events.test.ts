/**
 * Stream records written as AWS documents them (test/fixtures/aws), not as this project's
 * converter makes them: a field the product misreads would otherwise be misread on both
 * sides and pass. Each sample goes through the real handler and target writer down to the
 * BatchWriteItem body; and the GetRecords form of the same records, parsed by the real
 * DynamoDB Streams client, must convert (toLambdaRecord, used by redrive, the demo and the
 * tests) to exactly the documented Lambda record, every field.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { EventImage } from '../../lambda/src/attribute-values.js';
import { parseConfig } from '../../lambda/src/config.js';
import { MalformedRecordError } from '../../lambda/src/errors.js';
import { createHandler } from '../../lambda/src/handler.js';
import { toLambdaRecord } from '../../lambda/src/lambda-event.js';
import { createLogger, createMetrics } from '../../lambda/src/observability.js';
import { dynamoDbTargetWriter } from '../../lambda/src/target-writer.js';
import { sendWireBodies } from '../../lambda/src/wire-body.js';

interface LambdaRecord {
  eventName: string;
  userIdentity?: { type: string; principalId: string };
  dynamodb: { Keys: EventImage; NewImage?: EventImage; SequenceNumber: string };
  [field: string]: unknown;
}

interface Sample {
  streamArn: string;
  lambdaEvent: { Records: LambdaRecord[] };
  getRecords: { Records: unknown[] };
}

const load = (name: string): Sample =>
  JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}`, import.meta.url), 'utf8')) as Sample;

const SAMPLES = ['orders-stream.json', 'documents-stream.json'];

/** Client settings for SDK clients whose requests never leave the process (see `reply`). */
const offline = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' } };
/** What a stub request handler answers: HTTP 200 with `body`. */
const reply = (body: string) => ({
  response: {
    statusCode: 200,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: Readable.from([Buffer.from(body)]),
  },
});

/** The handler with a real DynamoDB target writer whose BatchWriteItem bodies are recorded. */
function replicator(env: Record<string, string> = {}) {
  const config = parseConfig({
    AWS_REGION: 'eu-west-1',
    REPLICATION_TARGETS: '[{"tableName":"replica"}]',
    ...env,
  });
  const sent: unknown[][] = [];
  const client = new DynamoDBClient({
    ...offline,
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        const body = JSON.parse(String(request.body)) as { RequestItems: Record<string, unknown[]> };
        sent.push(body.RequestItems.replica ?? []);
        return reply('{"UnprocessedItems":{}}');
      },
    },
  });
  sendWireBodies(client);
  const writers = config.targets.map((t) => dynamoDbTargetWriter(t, client));
  const handler = createHandler({ config, writers, logger: createLogger(), metrics: createMetrics() });
  const invoke = (records: LambdaRecord[]) =>
    handler({ Records: records }, { getRemainingTimeInMillis: () => 60_000 });
  return { invoke, sent };
}

/** What DynamoDB must be asked to do for one documented record. */
const expectedWrite = (r: LambdaRecord) =>
  r.eventName === 'REMOVE'
    ? { DeleteRequest: { Key: r.dynamodb.Keys } }
    : { PutRequest: { Item: r.dynamodb.NewImage } };

const isTtlDelete = (r: LambdaRecord) =>
  r.userIdentity?.type === 'Service' && r.userIdentity.principalId === 'dynamodb.amazonaws.com';

// The handler's logs and EMF metrics go to stdout; they are tested in handler.test.ts.
let stdout: MockInstance;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => stdout.mockRestore());

it('the samples hold an insert, an update, a delete by a caller and a delete by time to live', () => {
  const all = SAMPLES.flatMap((n) => load(n).lambdaEvent.Records);
  const kinds = new Set(all.map((r) => (isTtlDelete(r) ? 'TTL' : r.eventName)));
  expect(kinds).toEqual(new Set(['INSERT', 'MODIFY', 'REMOVE', 'TTL']));
});

describe.each(SAMPLES)('the documented records of %s', (name) => {
  const sample = load(name);
  const records = sample.lambdaEvent.Records;

  it.each(records.map((r) => [`${r.eventName} ${r.dynamodb.SequenceNumber}`, r] as const))(
    '%s alone: the handler writes exactly its image, or deletes exactly its key',
    async (_label, record) => {
      const { invoke, sent } = replicator();
      const response = await invoke([record]);
      expect(response).toEqual({ batchItemFailures: [] });
      expect(sent).toEqual([[expectedWrite(record)]]);
    },
  );

  it('all at once: one write per key, the last record of each', async () => {
    const { invoke, sent } = replicator();
    expect(await invoke(records)).toEqual({ batchItemFailures: [] });
    const lastPerKey = new Map(records.map((r) => [JSON.stringify(r.dynamodb.Keys), r]));
    expect(sent.flat()).toEqual(expect.arrayContaining([...lastPerKey.values()].map(expectedWrite)));
    expect(sent.flat()).toHaveLength(lastPerKey.size);
  });
});

describe('a delete by time to live, as documented', () => {
  const ttlDeletes = SAMPLES.flatMap((n) => load(n).lambdaEvent.Records.filter(isTtlDelete));

  it.each(ttlDeletes.map((r) => [r.dynamodb.SequenceNumber, r] as const))(
    '%s is deleted on the target when SKIP_TTL_DELETES is off, skipped when it is on',
    async (_seq, record) => {
      const off = replicator({ SKIP_TTL_DELETES: 'false' });
      expect(await off.invoke([record])).toEqual({ batchItemFailures: [] });
      expect(off.sent).toEqual([[{ DeleteRequest: { Key: record.dynamodb.Keys } }]]);

      const on = replicator({ SKIP_TTL_DELETES: 'true' });
      expect(await on.invoke([record])).toEqual({ batchItemFailures: [] });
      expect(on.sent).toEqual([]);
    },
  );

  it('a delete by a caller is never skipped, SKIP_TTL_DELETES or not', async () => {
    const byCaller = SAMPLES.flatMap((n) => load(n).lambdaEvent.Records).filter(
      (r) => r.eventName === 'REMOVE' && !isTtlDelete(r),
    );
    expect(byCaller.length).toBeGreaterThan(0);
    const on = replicator({ SKIP_TTL_DELETES: 'true' });
    for (const r of byCaller) await on.invoke([r]);
    expect(on.sent).toEqual(byCaller.map((r) => [{ DeleteRequest: { Key: r.dynamodb.Keys } }]));
  });
});

describe.each(SAMPLES)('the GetRecords form of %s', (name) => {
  const sample = load(name);

  /** The records as @aws-sdk/client-dynamodb-streams returns them from the documented response body. */
  async function readThroughSdk() {
    const client = new DynamoDBStreamsClient({
      ...offline,
      requestHandler: { handle: async () => reply(JSON.stringify(sample.getRecords)) },
    });
    const out = await client.send(new GetRecordsCommand({ ShardIterator: 'iterator' }));
    return out.Records ?? [];
  }

  it('is read by the SDK with dates, bytes and a capitalized identity', async () => {
    const read = await readThroughSdk();
    expect(read).toHaveLength(sample.lambdaEvent.Records.length);
    for (const r of read) expect(r.dynamodb?.ApproximateCreationDateTime).toBeInstanceOf(Date);
    const binaries = read.flatMap((r) => Object.values(r.dynamodb?.Keys ?? {})).filter((v) => v.B);
    for (const v of binaries) expect(v.B).toBeInstanceOf(Uint8Array);
    for (const r of read.filter((x) => x.userIdentity)) {
      expect(r.userIdentity).toEqual({ Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' });
    }
  });

  it('converts with toLambdaRecord to the documented Lambda record, field by field', async () => {
    const read = await readThroughSdk();
    const converted = read.map((r) => toLambdaRecord(r, sample.streamArn));
    sample.lambdaEvent.Records.forEach((documented, i) => {
      const made = converted[i] as Record<string, unknown>;
      expect(Object.keys(made).sort(), `record ${i}: fields`).toEqual(Object.keys(documented).sort());
      for (const field of Object.keys(documented)) {
        expect(made[field], `record ${i}: ${field}`).toStrictEqual(documented[field]);
      }
    });
  });
});

describe('an attribute named "__proto__" read with GetRecords', () => {
  // A legal DynamoDB name. @smithy/core 3.41's JSON reader hands its value back as undefined.
  const image = JSON.parse('{"k":{"S":"a"},"__proto__":{"S":"top"},"m":{"M":{"__proto__":{"N":"1"}}}}');
  const body = JSON.stringify({
    Records: [
      {
        eventID: 'e1',
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'eu-west-1',
        dynamodb: {
          Keys: { k: { S: 'a' } },
          NewImage: image,
          SequenceNumber: '300000000000000000001',
          SizeBytes: 40,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  });

  it('is converted with its value, or the record is refused naming where; never passed on without it', async () => {
    const client = new DynamoDBStreamsClient({
      ...offline,
      requestHandler: { handle: async () => reply(body) },
    });
    const [read] = (await client.send(new GetRecordsCommand({ ShardIterator: 'iterator' }))).Records ?? [];
    let converted: ReturnType<typeof toLambdaRecord>;
    try {
      converted = toLambdaRecord(read ?? {}, 'arn:aws:dynamodb:eu-west-1:111122223333:table/t/stream/x');
    } catch (err) {
      expect(err).toBeInstanceOf(MalformedRecordError);
      expect((err as Error).message).toMatch(
        /record 300000000000000000001: attribute NewImage\.(__proto__|m\.#0): has no value/,
      );
      return;
    }
    expect(converted.dynamodb?.NewImage).toStrictEqual(image);
  });
});
