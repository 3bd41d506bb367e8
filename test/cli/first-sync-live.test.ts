/**
 * `ddbsync first-sync verify` and `ddbsync first-sync start --load import` end to end on the
 * local AWS: the module's real state machine (rendered as templatefile() does) running the
 * real verifier and importer from dist/first-sync.zip, with targets in other accounts and
 * regions behind assumed roles. What a user relies on: verify's exit code and table tell
 * differences apart from zero, its S3 report names exactly the differing keys and nothing of
 * the items, --repair leaves the targets equal, and a verify never touches the replicator's
 * mapping; an import creates tables equal to the source byte for byte and resumes the
 * mapping, and is refused, saying what to do, when a target table exists.
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type HistoryEvent, paginateGetExecutionHistory } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIRST_SYNC_BUCKET,
  type FirstSyncStack,
  startFirstSyncStack,
  tableArn,
} from '../support/first-sync-stack.js';
import {
  assumedRoleDynamoClient,
  canonicalTable,
  createTable,
  largeAttributes,
  type SdkItem,
  SECRET_MARKER,
  scanAll,
  trickyItems,
} from '../support/fixtures.js';
import { cli } from './helpers.js';

/**
 * One CLI run (export, Map Runs, Lambda invocations) took 4-8 s here alone and up to 20 s
 * beside the other first-sync test file: at least 3x that.
 */
const RUN_LIMIT_MS = 90_000;

const roleIn = (account: string) => `arn:aws:iam::${account}:role/ddbsync-first-sync`;
const target = (account: string, region: string, tableName: string) => ({
  tableName,
  region,
  roleArn: roleIn(account),
});
type Target = ReturnType<typeof target>;
/** How the functions name a target: account/region/table. */
const label = (t: Target) => `${t.roleArn.split(':')[4]}/${t.region}/${t.tableName}`;

const plainItem = (i: number, n = `${i}.5`): SdkItem => ({
  pk: { S: `plain-${i % 20}` },
  sk: { N: String(i) },
  n: { N: n },
  tag: { S: `#${i} ${SECRET_MARKER}` },
  bin: { B: Uint8Array.of(i % 256, 0, 255) },
});
const keyOf = (i: number) => ({ pk: { S: `plain-${i % 20}` }, sk: { N: String(i) } });

async function putAll(client: DynamoDBClient, table: string, items: SdkItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
  }
}

/** `ddbsync first-sync <command>` on a state machine, polling every 0.2 s. */
const firstSync = (command: 'verify' | 'start', machine: string, ...args: string[]) =>
  cli(['first-sync', command, '--state-machine-arn', machine, ...args, '--interval', '0.2']);

const executionArnOf = (stdout: string) => /^execution: (\S+)$/m.exec(stdout)?.[1] as string;

async function historyOf(stack: FirstSyncStack, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: stack.sfn }, { executionArn })) {
    events.push(...(page.events ?? []));
  }
  return events;
}

let stack: FirstSyncStack;

beforeAll(async () => {
  stack = await startFirstSyncStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('ddbsync first-sync verify (the real verifier)', () => {
  const replica = target('222222222222', 'eu-west-1', 'orders-replica');
  let targetDb: DynamoDBClient;
  let machine: string;
  let mappingUuid: string;
  let mappingBefore: { UUID?: string; State?: string; LastModified?: Date };
  const executions: string[] = [];

  beforeAll(async () => {
    const { source } = stack;
    await stack.sourceTable('orders');
    targetDb = stack.keep(await assumedRoleDynamoClient(stack.aws.endpoint, replica.region, replica.roleArn));
    await createTable(targetDb, replica.tableName);
    // Source and target start equal: every type in its awkward forms, and plain items.
    const items = [...trickyItems('tricky'), ...Array.from({ length: 60 }, (_, i) => plainItem(i))];
    await putAll(source, 'orders', items);
    await putAll(targetDb, replica.tableName, items);
    // The target drifts: one item differs, one is missing, one is only in the target.
    await targetDb.send(new PutItemCommand({ TableName: replica.tableName, Item: plainItem(10, '-1') }));
    await targetDb.send(new DeleteItemCommand({ TableName: replica.tableName, Key: keyOf(11) }));
    await targetDb.send(
      new PutItemCommand({
        TableName: replica.tableName,
        Item: { pk: { S: 'only-in-target' }, sk: { N: '1' } },
      }),
    );

    // The pipeline is running: its mapping is enabled. It reads a stream nobody writes here,
    // because moto would hand an enabled mapping's records to Docker; the state machine only
    // knows the mapping by its UUID.
    const feed = await stack.sourceTable('orders-feed');
    mappingUuid = await stack.replicatorMapping('orders-replicator', feed, true);
    mappingBefore = await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid }));
    expect(mappingBefore.State).toBe('Enabled');

    const verifier = await stack.firstSyncFunction('orders-verifier', 'verifier.handler', {
      REPLICATION_TARGETS: JSON.stringify([replica]),
      SOURCE_TABLE_NAME: 'orders',
      // Nothing replicates here on its own: re-read at once.
      RECHECK_DELAY_MS: '0',
    });
    machine = await stack.stateMachine('orders-first-sync', {
      source_table_arn: tableArn(stack.region, 'orders'),
      event_source_mapping_uuid: mappingUuid,
      verifier_function_arn: verifier,
    });
  }, 120_000);

  it(
    'finds the differing, missing and only-in-target keys, not changes made after the export; exit 1, the counts and the report',
    async () => {
      // After the export and before the verifier's first read: one change only in the source
      // (on its way to the target) and one already replicated. Neither is a difference.
      let changed = false;
      stack.aws.lambda.beforeInvoke = async (_request, event) => {
        if (changed || (event as { mode?: string }).mode !== 'file') return;
        changed = true;
        await stack.source.send(new PutItemCommand({ TableName: 'orders', Item: plainItem(20, '2000') }));
        for (const [client, table] of [
          [stack.source, 'orders'],
          [targetDb, replica.tableName],
        ] as const) {
          await client.send(new PutItemCommand({ TableName: table, Item: plainItem(21, '2100') }));
        }
      };
      const sourceCount = (await scanAll(stack.source, 'orders')).length;
      const r = await firstSync('verify', machine, '--name', 'verify-1');
      stack.aws.lambda.beforeInvoke = undefined;
      executions.push(executionArnOf(r.stdout));
      expect(changed).toBe(true);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('verify done: ');
      const report = `s3://${FIRST_SYNC_BUCKET}/verify-reports/verify-1/report.json`;
      expect(r.stdout).toContain(
        [
          'target                                 compared  differing  missing in target  only in target  repaired',
          `${label(replica)}  ${String(sourceCount).padStart(8)}          1                  1               1         0`,
          '3 differences not repaired (run again with --repair to repair them)',
          `report (differing keys): ${report}`,
        ].join('\n'),
      );
      expect(r.code).toBe(1);

      const object = await stack.s3.send(
        new GetObjectCommand({ Bucket: FIRST_SYNC_BUCKET, Key: 'verify-reports/verify-1/report.json' }),
      );
      const text = (await object.Body?.transformToString()) ?? '';
      const t = (JSON.parse(text) as { targets: Record<string, unknown>[] }).targets;
      expect(t).toHaveLength(1);
      expect(t[0]).toMatchObject({
        target: label(replica),
        differingKeys: [keyOf(10)],
        missingKeys: [keyOf(11)],
        onlyInTargetKeys: [{ pk: { S: 'only-in-target' }, sk: { N: '1' } }],
      });
      // Keys only: nothing an item holds besides its key.
      for (const contents of [SECRET_MARKER, '"tag"', '"bin"', '10.5', 'héllo', '日本語']) {
        expect(text).not.toContain(contents);
      }

      // The replicator delivers the change that was on its way.
      await targetDb.send(new PutItemCommand({ TableName: replica.tableName, Item: plainItem(20, '2000') }));
    },
    RUN_LIMIT_MS,
  );

  it(
    '--repair writes the source value over each difference: exit 0, and the target equals the source',
    async () => {
      const r = await firstSync('verify', machine, '--repair', '--name', 'verify-2');
      executions.push(executionArnOf(r.stdout));
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(
        new RegExp(`\\n${label(replica)}  +\\d+  +1  +1  +1  +3\\nevery target equals the source\\n`),
      );
      expect(r.code).toBe(0);
      expect(canonicalTable(await scanAll(targetDb, replica.tableName))).toEqual(
        canonicalTable(await scanAll(stack.source, 'orders')),
      );
    },
    RUN_LIMIT_MS,
  );

  it(
    'a verify after the repair finds nothing: exit 0, zero differences',
    async () => {
      const r = await firstSync('verify', machine, '--name', 'verify-3');
      executions.push(executionArnOf(r.stdout));
      expect(r.stdout).toMatch(
        new RegExp(`\\n${label(replica)}  +\\d+  +0  +0  +0  +0\\nevery target equals the source\\n`),
      );
      expect(r.code).toBe(0);
    },
    RUN_LIMIT_MS,
  );

  it("never touched the replicator's mapping", async () => {
    expect(executions).toHaveLength(3);
    const after = await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid }));
    expect({ UUID: after.UUID, State: after.State, LastModified: after.LastModified }).toEqual({
      UUID: mappingBefore.UUID,
      State: 'Enabled',
      LastModified: mappingBefore.LastModified,
    });
    for (const arn of executions) {
      const events = await historyOf(stack, arn);
      const tasks = events.flatMap((e) => (e.taskScheduledEventDetails ? [e.taskScheduledEventDetails] : []));
      expect(tasks.length).toBeGreaterThan(0);
      expect(tasks.filter((d) => /EventSourceMapping/i.test(`${d.resource}`))).toEqual([]);
      const entered = events.flatMap((e) =>
        e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
      );
      expect(entered).toContain('VerifyDone');
      expect(entered.filter((n) => /Mapping/.test(n))).toEqual([]);
    }
  });
});

describe('ddbsync first-sync start --load import (the real importer)', () => {
  // New tables in two other accounts, each in another region than the source.
  const targets = [
    target('222222222222', 'eu-west-1', 'catalog-imported'),
    target('333333333333', 'us-west-2', 'catalog-imported'),
  ];
  let machine: string;
  let mappingUuid: string;

  beforeAll(async () => {
    const stream = await stack.sourceTable('catalog');
    await putAll(stack.source, 'catalog', [
      ...trickyItems('tricky'),
      { pk: { S: 'large' }, sk: { N: '350' }, ...largeAttributes(350_000) },
      { pk: { S: 'empty-map' }, sk: { N: '1' }, m: { M: {} }, after: { S: 'kept' } },
      ...Array.from({ length: 200 }, (_, i) => plainItem(i)),
    ]);
    // A new pipeline: its mapping created paused, at the start of the stream.
    mappingUuid = await stack.replicatorMapping('catalog-replicator', stream, false);
    const importer = await stack.firstSyncFunction('catalog-importer', 'importer.handler', {
      REPLICATION_TARGETS: JSON.stringify(targets),
    });
    machine = await stack.stateMachine('catalog-first-sync', {
      source_table_arn: tableArn(stack.region, 'catalog'),
      event_source_mapping_uuid: mappingUuid,
      importer_function_arn: importer,
    });
  }, 120_000);

  it(
    'imports into new tables, byte-equal to the source, then enables the mapping; exit 0',
    async () => {
      const r = await firstSync('start', machine, '--load', 'import');
      const expected = canonicalTable(await scanAll(stack.source, 'catalog'));
      expect(r.stderr).toBe('');
      // Never "loading": no Map writes on this path; the imports are shown by target.
      const lines = r.stdout.split('\n').filter((l) => / \| /.test(l));
      expect(lines.filter((l) => !/^(starting|importing|done) \| /.test(l))).toEqual([]);
      expect(r.stdout).toContain(
        `\nfirst sync done: imports ${targets
          .map((t) => `${label(t)} COMPLETED ${expected.length} items`)
          .join(', ')}, in `,
      );
      expect(r.code).toBe(0);
      for (const t of targets) {
        const client = stack.keep(await assumedRoleDynamoClient(stack.aws.endpoint, t.region, t.roleArn));
        expect(canonicalTable(await scanAll(client, t.tableName))).toEqual(expected);
      }
      const mapping = await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid }));
      expect(mapping.State).toBe('Enabled');
    },
    RUN_LIMIT_MS,
  );

  it(
    'again, into the tables that now exist: refused, naming the error and what to do; exit 2',
    async () => {
      const r = await firstSync('start', machine, '--load', 'import');
      expect(r.stdout).toContain('first sync FAILED after ');
      expect(r.stdout).toContain(
        `(TargetTableExistsError: ImportTable creates a new table; ${label(targets[0] as Target)} exists; delete it, or use --load map (which writes into an existing table)).`,
      );
      expect(r.code).toBe(2);
    },
    RUN_LIMIT_MS,
  );
});
