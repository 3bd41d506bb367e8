import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  createTable,
  differences,
  type Item,
  putItems,
  scanAll,
  TARGET_ROLE,
  useCliAccounts,
} from './helpers.js';

const BIG = '12345678901234567890123456789012345678'; // 38 significant digits
const BIG_OFF_BY_ONE = '12345678901234567890123456789012345679';

function sampleItems(n: number): Item[] {
  return Array.from({ length: n }, (_, i) => ({
    pk: { S: `k${String(i).padStart(4, '0')}` },
    big: { N: BIG },
    blob: { B: Uint8Array.from([0, 1, 2, 250, i % 256]) },
    tags: { SS: ['a', 'b', `t${i}`] },
    nested: { M: { deep: { L: [{ N: '1.5' }, { BOOL: true }, { NULL: true }] } } },
  }));
}

describe('ddbsync verify', () => {
  let source: DynamoDBClient;
  let target: DynamoDBClient;
  let dir: string;
  const targets = (table: string) =>
    JSON.stringify([{ tableName: table, region: 'ap-southeast-2', roleArn: TARGET_ROLE }]);

  useCliAccounts('ap-southeast-2', (a) => {
    ({ source, target } = a);
  });
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ddbsync-verify-'));
  });

  it('finds missing, extra and different items (a binary byte, the 38th digit), repairs them, exits 1 then 0', async () => {
    await createTable(source, 'v-src');
    await createTable(target, 'v-dst');
    const all = sampleItems(300);
    await putItems(source, 'v-src', all);
    await putItems(target, 'v-dst', all);
    // missing: deleted from the copy
    await target.send(new DeleteItemCommand({ TableName: 'v-dst', Key: { pk: { S: 'k0007' } } }));
    // extra: only in the copy
    await target.send(
      new PutItemCommand({ TableName: 'v-dst', Item: { pk: { S: 'zz-extra' }, big: { N: '1' } } }),
    );
    // different: one byte of a binary
    await target.send(
      new PutItemCommand({
        TableName: 'v-dst',
        Item: { ...(all[20] as Item), blob: { B: Uint8Array.from([0, 1, 2, 251, 20]) } },
      }),
    );
    // different: the last of 38 digits
    await target.send(
      new PutItemCommand({ TableName: 'v-dst', Item: { ...(all[30] as Item), big: { N: BIG_OFF_BY_ONE } } }),
    );
    // different: an attribute the copy lacks, deep in a map
    await target.send(
      new PutItemCommand({
        TableName: 'v-dst',
        Item: { ...(all[40] as Item), nested: { M: { deep: { L: [{ N: '1.5' }] } } } },
      }),
    );

    const reportPath = join(dir, 'report.json');
    const args = ['verify', '--source-table', 'v-src', '--targets', targets('v-dst'), '--recheck-delay', '0'];
    const first = await cli([...args, '--report', reportPath]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/1 missing, 1 extra, 3 different \(checked 300 source and 300 target items/);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    expect(report.equal).toBe(false);
    const diffs = report.targets[0].differences as {
      kind: string;
      key: { pk: { S: string } };
      attributes?: string[];
    }[];
    const byKey = Object.fromEntries(diffs.map((d) => [d.key.pk.S, d]));
    expect(byKey.k0007?.kind).toBe('missing');
    expect(byKey['zz-extra']?.kind).toBe('extra');
    expect(byKey.k0020).toMatchObject({ kind: 'different', attributes: ['blob'] });
    expect(byKey.k0030).toMatchObject({ kind: 'different', attributes: ['big'] });
    expect(byKey.k0040).toMatchObject({ kind: 'different', attributes: ['nested'] });
    expect(diffs).toHaveLength(5);

    const repair = await cli([...args, '--repair']);
    expect(repair.stderr).toBe('');
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(/repaired 5, 0 remain/);
    expect(differences(await scanAll(source, 'v-src'), await scanAll(target, 'v-dst'))).toEqual([]);

    const again = await cli([...args, '--report', reportPath]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/equal: every target matches v-src/);
    expect(JSON.parse(readFileSync(reportPath, 'utf8')).equal).toBe(true);
  });

  it('does not report a change that lands between the scan and the consistent re-check', async () => {
    await createTable(source, 'f-src');
    await createTable(target, 'f-dst');
    const all = sampleItems(50);
    await putItems(source, 'f-src', all);
    await putItems(target, 'f-dst', all);
    // A write the replicator has not applied yet when the scans run...
    const late: Item = { pk: { S: 'late' }, big: { N: BIG } };
    await source.send(new PutItemCommand({ TableName: 'f-src', Item: late }));
    // ...and a real difference that stays.
    await target.send(
      new PutItemCommand({ TableName: 'f-dst', Item: { ...(all[3] as Item), big: { N: '7' } } }),
    );
    let candidatesSeen = 0;
    const r = await cli(
      ['verify', '--source-table', 'f-src', '--targets', targets('f-dst'), '--recheck-delay', '0'],
      {
        hooks: {
          beforeRecheck: async (n) => {
            candidatesSeen = n;
            // The replicator catches up after the scans and before the re-check.
            await target.send(new PutItemCommand({ TableName: 'f-dst', Item: late }));
          },
        },
      },
    );
    expect(candidatesSeen).toBe(2);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/0 missing, 0 extra, 1 different .*1 in-flight changes settled on re-check/);
    expect(r.stdout).not.toContain('"late"');
    expect(r.stdout).toContain('"k0003"');
  });

  it('samples a fraction of the table by scan segment', async () => {
    await createTable(source, 's-src');
    await createTable(target, 's-dst');
    const all = sampleItems(1000);
    await putItems(source, 's-src', all);
    await putItems(target, 's-dst', all);
    const r = await cli([
      'verify',
      '--source-table',
      's-src',
      '--targets',
      targets('s-dst'),
      '--sample',
      '0.1',
      '--segments',
      '8',
    ]);
    expect(r.code).toBe(0);
    const checked = Number(/checked (\d+) source/.exec(r.stdout)?.[1]);
    expect(checked).toBeGreaterThan(30);
    expect(checked).toBeLessThan(250);
    expect(r.stdout).toMatch(/sampled 10% of the table/);
  });
});
