/**
 * ddbsync verify and the lag canary's heartbeat items: a heartbeat is rewritten every run
 * and its copy trails it, so verify leaves keys with the reserved prefix out of the
 * comparison and says how many it saw, instead of reporting them as differences.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { cli, createTable, type Item, putItems, TARGET_ROLE, useCliAccounts } from './helpers.js';

describe('ddbsync verify with canary heartbeats', () => {
  let source: DynamoDBClient;
  let target: DynamoDBClient;

  useCliAccounts('eu-west-1', (a) => {
    ({ source, target } = a);
  });

  it('does not compare heartbeat items, counts them apart, and still finds real differences', async () => {
    await createTable(source, 'hb-src', { sortKey: true });
    await createTable(target, 'hb-dst', { sortKey: true });
    const items: Item[] = Array.from({ length: 20 }, (_, i) => ({
      pk: { S: `order-${i}` },
      sk: { N: String(i) },
      v: { N: String(i) },
    }));
    await putItems(source, 'hb-src', items);
    await putItems(target, 'hb-dst', items);
    // The source's heartbeat is newer than its copy; an older one lingers only in the target.
    const heartbeat = (pk: string, at: number) => ({
      pk: { S: pk },
      sk: { N: '0' },
      ddbsync_heartbeat_at: { N: String(at) },
      ddbsync_heartbeat_id: { S: `run-${at}` },
    });
    await source.send(
      new PutItemCommand({ TableName: 'hb-src', Item: heartbeat('__ddbsync_heartbeat__', 2) }),
    );
    await target.send(
      new PutItemCommand({ TableName: 'hb-dst', Item: heartbeat('__ddbsync_heartbeat__', 1) }),
    );
    await target.send(
      new PutItemCommand({ TableName: 'hb-dst', Item: heartbeat('__ddbsync_heartbeat__old', 1) }),
    );
    const targets = JSON.stringify([{ tableName: 'hb-dst', region: 'eu-west-1', roleArn: TARGET_ROLE }]);
    const report = join(mkdtempSync(join(tmpdir(), 'ddbsync-hb-')), 'report.json');

    const equal = await cli([
      'verify',
      '--source-table',
      'hb-src',
      '--targets',
      targets,
      '--recheck-delay',
      '0',
      '--report',
      report,
    ]);
    expect(equal.stderr).toBe('');
    expect(equal.code).toBe(0);
    expect(equal.stdout).toContain('0 missing, 0 extra, 0 different (checked 20 source and 20 target items)');
    // One heartbeat in the source, two in the target.
    expect(equal.stdout).toContain(
      '3 canary heartbeat items (keys starting with __ddbsync_heartbeat__) not compared',
    );
    expect(JSON.parse(readFileSync(report, 'utf8')).targets[0]).toMatchObject({ heartbeatItemsSkipped: 3 });

    // A user item that differs is still found.
    await target.send(
      new PutItemCommand({
        TableName: 'hb-dst',
        Item: { pk: { S: 'order-3' }, sk: { N: '3' }, v: { N: '-1' } },
      }),
    );
    const different = await cli([
      'verify',
      '--source-table',
      'hb-src',
      '--targets',
      targets,
      '--recheck-delay',
      '0',
    ]);
    expect(different.code).toBe(1);
    expect(different.stdout).toContain('0 missing, 0 extra, 1 different');
    expect(different.stdout).not.toContain('__ddbsync_heartbeat__"');
  });
});
