/**
 * The request DynamoDB receives when the replicator sends wire-form bodies: a real
 * DynamoDBClient with its whole middleware stack, stopped at the HTTP handler, which
 * records the signed request instead of sending it. The SDK's own serialization of the
 * same items in its form is the reference.
 */
import { Readable } from 'node:stream';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventAttributeValue, EventImage } from '../../lambda/src/attribute-values.js';
import { type WireWriteRequest, writeEntry } from '../../lambda/src/batch-writer.js';
import { toEventImage } from '../../lambda/src/lambda-event.js';
import { sendWireBodies, wireBatchWriteCommand } from '../../lambda/src/wire-body.js';
import { itemAttributes } from './arbitraries.js';
import { sdkWriteRequest } from './records.js';

interface Captured {
  body: string;
  headers: Record<string, string>;
}

/** A client whose requests are recorded and answered with `reply`, never sent. */
function capturingClient(reply = '{"UnprocessedItems":{}}') {
  const requests: Captured[] = [];
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: unknown; headers: Record<string, string> }) => {
        // The SDK's own bodies are bytes; the wire bodies are the string we made.
        const body =
          request.body instanceof Uint8Array
            ? Buffer.from(request.body).toString('utf8')
            : String(request.body);
        requests.push({ body, headers: { ...request.headers } });
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([Buffer.from(reply)]),
          },
        };
      },
    },
  });
  return { client, requests };
}

/** Sends requests both ways and returns [wire body, SDK body]. */
async function bothWays(table: string, requests: WireWriteRequest[]): Promise<[Captured, Captured]> {
  const wire = capturingClient();
  sendWireBodies(wire.client);
  const entries = requests.map((r) => {
    const image = r.PutRequest ? r.PutRequest.Item : r.DeleteRequest.Key;
    return writeEntry(r, { pk: image.pk as EventAttributeValue });
  });
  const body = `{"RequestItems":{${JSON.stringify(table)}:[${entries.map((e) => e.json).join(',')}]}}`;
  await wire.client.send(wireBatchWriteCommand({ tableName: table, requests, body }));

  const sdk = capturingClient();
  const sdkRequests: WriteRequest[] = requests.map(sdkWriteRequest);
  await sdk.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: sdkRequests } }));
  return [wire.requests[0] as Captured, sdk.requests[0] as Captured];
}

const everyType: EventImage = {
  pk: { S: 'order#1' },
  sk: { N: '12345678901234567890123456789012345678' },
  empty: { S: '' },
  unicode: { S: 'naïve ☃ 𝄞 "quoted" \\ \n\t\u0000' },
  bin: { B: Buffer.from([0, 1, 2, 253, 254, 255]).toString('base64') },
  emptyBin: { B: '' },
  bs: { BS: ['AA==', '/w==', 'AQID'] },
  ss: { SS: ['a', 'b', ''] },
  ns: { NS: ['1E+125', '-0.000000000000000000000000000000000000001', '0'] },
  nul: { NULL: true },
  t: { BOOL: true },
  f: { BOOL: false },
  deep: { M: { l: { L: [{ M: { x: { L: [{ N: '1' }, { B: 'AQ==' }, { M: {} }, { L: [] }] } } }] } } },
};

describe('wire-form BatchWriteItem bodies', () => {
  it('sends the same JSON the SDK would for every type, with binaries as the base64 the event had', async () => {
    const [wire, sdk] = await bothWays('orders-replica', [
      { PutRequest: { Item: everyType } },
      { DeleteRequest: { Key: { pk: { S: 'order#2' }, sk: { N: '7' } } } },
    ]);
    expect(JSON.parse(wire.body)).toEqual(JSON.parse(sdk.body));
    expect(JSON.parse(wire.body).RequestItems['orders-replica'][0].PutRequest.Item).toEqual(everyType);
  });

  it('sends the body as given, with its length, the operation and a signature over it', async () => {
    const [wire, sdk] = await bothWays('orders-replica', [{ PutRequest: { Item: everyType } }]);
    const expected = JSON.stringify({
      RequestItems: { 'orders-replica': [{ PutRequest: { Item: everyType } }] },
    });
    expect(wire.body).toBe(expected);
    expect(wire.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
    expect(wire.headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
    expect(wire.headers['x-amz-target']).toBe(sdk.headers['x-amz-target']);
    expect(wire.headers['content-type']).toBe(sdk.headers['content-type']);
    expect(wire.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIATEST\//);
  });

  it('agrees with the SDK for any items (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(itemAttributes, { minLength: 1, maxLength: 5 }), async (items) => {
        const requests: WireWriteRequest[] = items.map((item, i) => ({
          PutRequest: { Item: { ...toEventImage(item), pk: { S: `k${i}` } } },
        }));
        const [wire, sdk] = await bothWays('t', requests);
        expect(JSON.parse(wire.body)).toEqual(JSON.parse(sdk.body));
      }),
      { numRuns: 50 },
    );
  });

  it('leaves other commands of the same client to the SDK', async () => {
    const { client, requests } = capturingClient('{}');
    sendWireBodies(client);
    await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { B: new Uint8Array([1, 2]) } } }));
    await client.send(
      new BatchWriteItemCommand({ RequestItems: { t: [{ DeleteRequest: { Key: { pk: { S: 'a' } } } }] } }),
    );
    expect(JSON.parse(requests[0]?.body as string)).toEqual({ TableName: 't', Key: { pk: { B: 'AQI=' } } });
    expect(JSON.parse(requests[1]?.body as string)).toEqual({
      RequestItems: { t: [{ DeleteRequest: { Key: { pk: { S: 'a' } } } }] },
    });
  });

  it('reads UnprocessedItems from the reply in the SDK form, binaries as bytes', async () => {
    const { client } = capturingClient(
      '{"UnprocessedItems":{"t":[{"DeleteRequest":{"Key":{"pk":{"B":"AQI="}}}}]}}',
    );
    sendWireBodies(client);
    const key: EventImage = { pk: { B: 'AQI=' } };
    const entry = writeEntry({ DeleteRequest: { Key: key } }, key);
    const out = await client.send(
      wireBatchWriteCommand({
        tableName: 't',
        requests: [entry.request],
        body: `{"RequestItems":{"t":[${entry.json}]}}`,
      }),
    );
    expect([...((out.UnprocessedItems?.t?.[0]?.DeleteRequest?.Key?.pk?.B as Uint8Array) ?? [])]).toEqual([
      1, 2,
    ]);
  });
});
