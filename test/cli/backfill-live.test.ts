import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MotoServer, startMoto } from '../support/moto.js';
import {
  canonical,
  cli,
  createTable,
  differences,
  type Item,
  putItems,
  scanAll,
  sourceClient,
  TARGET_ROLE,
  targetAccountClient,
  useMoto,
} from './helpers.js';
import { startStreamReplicator } from './stream-replicator.js';

const ITEMS = 20_000;

describe('backfill while the table is live, then verify --repair', () => {
  let moto: MotoServer;
  let source: DynamoDBClient;
  let target: DynamoDBClient;

  beforeAll(async () => {
    moto = await startMoto();
    useMoto(moto);
    source = sourceClient();
    target = await targetAccountClient('eu-west-1');
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it('converges: the target equals the source exactly although writes, updates and deletes raced the copy', {
    timeout: 300_000,
  }, async () => {
    // An existing table: the items were there before its stream was turned on.
    await createTable(source, 'live-src');
    await createTable(target, 'live-dst');
    const initial: Item[] = Array.from({ length: ITEMS }, (_, i) => ({
      pk: { S: `item-${String(i).padStart(6, '0')}` },
      version: { N: '0' },
      body: { S: `initial ${i}` },
    }));
    const t0 = Date.now();
    await putItems(source, 'live-src', initial);
    console.log(`loading ${ITEMS} items took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await source.send(
      new UpdateTableCommand({
        TableName: 'live-src',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const targets = [{ tableName: 'live-dst', region: 'eu-west-1', roleArn: TARGET_ROLE }];

    // 1. Replication on first (reads the stream from now on), 2. then the backfill.
    const table = await source.send(new DescribeTableCommand({ TableName: 'live-src' }));
    const replicator = await startStreamReplicator(table.Table?.LatestStreamArn as string, targets);

    // Keys the race below picks; the background writes leave them alone from then on, so
    // whether they end up wrong depends on the race alone.
    const racedKeys: string[] = [];
    let mutating = true;
    let writes = 0;
    const mutator = (async () => {
      let n = 0;
      while (mutating) {
        n++;
        const i = (n * 7919) % ITEMS; // spread over the whole key space
        const pk = { S: `item-${String(i).padStart(6, '0')}` };
        if (racedKeys.includes(pk.S)) continue;
        if (n % 5 === 0) {
          await source.send(new DeleteItemCommand({ TableName: 'live-src', Key: { pk } }));
        } else if (n % 5 === 1) {
          await source.send(
            new PutItemCommand({
              TableName: 'live-src',
              Item: { pk: { S: `new-${n}` }, version: { N: '1' } },
            }),
          );
        } else {
          await source.send(
            new UpdateItemCommand({
              TableName: 'live-src',
              Key: { pk },
              UpdateExpression: 'SET version = :v, body = :b',
              ExpressionAttributeValues: { ':v': { N: String(n) }, ':b': { S: `updated ${n}` } },
            }),
          );
        }
        writes++;
      }
    })();

    // Make the race certain as well as likely: for the first pages, change two of the scanned
    // items in the source and let the stream deliver the change before the page is written.
    let racedPages = 0;
    const raceThePage = async (page: readonly Record<string, unknown>[]) => {
      if (racedPages >= 3 || page.length < 2) return;
      racedPages++;
      const [a, b] = page as Item[];
      racedKeys.push(a?.pk?.S as string, b?.pk?.S as string);
      await source.send(
        new UpdateItemCommand({
          TableName: 'live-src',
          Key: { pk: a?.pk as AttributeValue },
          UpdateExpression: 'SET version = :v',
          ExpressionAttributeValues: { ':v': { N: '999999' } },
        }),
      );
      await source.send(
        new DeleteItemCommand({ TableName: 'live-src', Key: { pk: b?.pk as AttributeValue } }),
      );
      // Wait until the replicator applied both to the target.
      for (let i = 0; i < 200; i++) {
        const key = (item: Item | undefined) => ({
          TableName: 'live-dst',
          Key: { pk: item?.pk as AttributeValue },
          ConsistentRead: true,
        });
        const got = await target.send(new GetItemCommand(key(a)));
        const gone = await target.send(new GetItemCommand(key(b)));
        if (got.Item?.version?.N === '999999' && !gone.Item) return;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error('the stream replicator did not apply the racing change');
    };

    const started = Date.now();
    const r = await cli(
      [
        'backfill',
        '--source-table',
        'live-src',
        '--targets',
        JSON.stringify(targets),
        '--segments',
        '4',
        '--page-size',
        '1000',
      ],
      { hooks: { beforePageWrite: raceThePage } },
    );
    const seconds = (Date.now() - started) / 1000;
    mutating = false;
    await mutator;
    const { applied } = await replicator.drainAndStop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    console.log(
      `backfill of ${ITEMS} items took ${seconds.toFixed(1)} s: ${r.stdout.trim().split('\n').at(-2)}`,
    );
    console.log(`${writes} source writes during the backfill; ${applied} stream records replicated`);
    expect(writes).toBeGreaterThan(50);

    // The race this procedure exists for: a page scanned before a change and written after
    // the stream applied it. Every raced key is wrong in the target now (a stale value, or a
    // deleted item brought back), and nothing will correct it by itself: the stream has
    // nothing more to say about these keys.
    expect(racedKeys).toHaveLength(6);
    for (const pk of racedKeys) {
      const key = { pk: { S: pk } };
      const [original, copy] = await Promise.all([
        source.send(new GetItemCommand({ TableName: 'live-src', Key: key, ConsistentRead: true })),
        target.send(new GetItemCommand({ TableName: 'live-dst', Key: key, ConsistentRead: true })),
      ]);
      expect(canonical(copy.Item)).not.toBe(canonical(original.Item));
    }

    const tv = Date.now();
    const v = await cli([
      'verify',
      '--source-table',
      'live-src',
      '--targets',
      JSON.stringify(targets),
      '--repair',
      '--recheck-delay',
      '0',
      '--page-size',
      '1000',
    ]);
    console.log(`verify --repair of ${ITEMS} items took ${((Date.now() - tv) / 1000).toFixed(1)} s`);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    const repaired = Number(/repaired (\d+), 0 remain/.exec(v.stdout)?.[1]);
    console.log(`verify --repair repaired ${repaired} items`);
    expect(repaired).toBeGreaterThanOrEqual(racedKeys.length);
    const src = await scanAll(source, 'live-src');
    const dst = await scanAll(target, 'live-dst');
    expect(differences(src, dst)).toEqual([]);
    expect(dst.size).toBe(src.size);
  });
});
