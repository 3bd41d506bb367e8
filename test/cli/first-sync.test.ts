/**
 * `ddbsync first-sync start` and `status` on the local AWS, running the module's real state
 * machine (modules/first-sync/state-machine.asl.json, rendered as templatefile() does) with
 * the real loader (dist/first-sync.zip, handler loader.handler): the export of a source table
 * with point-in-time recovery, the Distributed Map over its data files, the replicator's
 * mapping paused and resumed. What a user relies on: a run is reported done, exit 0, only when
 * every file is loaded; a file that fails is named with its reason and the exit is non-zero,
 * also when the execution itself says SUCCEEDED.
 */
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIRST_SYNC_BUCKET,
  type FirstSyncStack,
  startFirstSyncStack,
  tableArn,
} from '../support/first-sync-stack.js';
import { assumedRoleDynamoClient, canonicalTable, createTable, scanAll } from '../support/fixtures.js';
import { type CliResult, cli } from './helpers.js';

const BUCKET = FIRST_SYNC_BUCKET;
const SOURCE = 'orders';
const ITEMS = 400;
const TARGET_ACCOUNT = '222222222222';
const TARGET_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/ddbsync-first-sync`;
const target = (tableName: string) => ({ tableName, region: 'eu-west-1', roleArn: TARGET_ROLE });

let stack: FirstSyncStack;
let mappingUuid: string;
const machines: Record<'good' | 'refused' | 'tolerant', string> = { good: '', refused: '', tolerant: '' };

async function loaderMachine(
  name: string,
  targets: object[],
  edit?: (definition: string) => string,
): Promise<string> {
  const loader = await stack.firstSyncFunction(`${name}-loader`, 'loader.handler', {
    REPLICATION_TARGETS: JSON.stringify(targets),
    KEY_ATTRIBUTES: 'pk,sk',
  });
  return stack.stateMachine(
    name,
    {
      source_table_arn: tableArn(stack.region, SOURCE),
      event_source_mapping_uuid: mappingUuid,
      loader_function_arn: loader,
    },
    edit,
  );
}

beforeAll(async () => {
  stack = await startFirstSyncStack();
  // The source, with its stream and point-in-time recovery.
  const streamArn = await stack.sourceTable(SOURCE);
  for (let i = 0; i < ITEMS; i += 25) {
    const batch = Array.from({ length: 25 }, (_, j) => ({
      PutRequest: {
        Item: { pk: { S: `order-${(i + j) % 40}` }, sk: { N: String(i + j) }, n: { S: `#${i + j}` } },
      },
    }));
    await stack.source.send(new BatchWriteItemCommand({ RequestItems: { [SOURCE]: batch } }));
  }
  // The replicator's mapping, created paused (a new pipeline), which the first sync resumes.
  mappingUuid = await stack.replicatorMapping('orders-replicator', streamArn, false);

  // Targets in another account and region, behind an assumed role.
  const targetDb = stack.keep(await assumedRoleDynamoClient(stack.aws.endpoint, 'eu-west-1', TARGET_ROLE));
  for (const t of ['orders-replica', 'orders-ok-1', 'orders-ok-2']) await createTable(targetDb, t);

  machines.good = await loaderMachine('orders-first-sync', [target('orders-replica')]);
  // A loader whose second target does not exist: every file fails, naming it.
  machines.refused = await loaderMachine('orders-first-sync-refused', [
    target('orders-ok-1'),
    target('no-such-table'),
  ]);
  // The same with Maps that tolerate failed files: the execution SUCCEEDS with a file not
  // loaded, and only DescribeMapRun's counts show it.
  machines.tolerant = await loaderMachine(
    'orders-first-sync-tolerant',
    [target('orders-ok-2'), target('no-such-table')],
    (d) => {
      const tolerant = d.replaceAll(
        '"ToleratedFailurePercentage": 0.0',
        '"ToleratedFailurePercentage": 100.0',
      );
      if (tolerant === d) throw new Error('no ToleratedFailurePercentage 0.0 in the definition');
      return tolerant;
    },
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const lastLine = (text: string) => text.trim().split('\n').at(-1) as string;
/** The progress lines: everything before the final summary (which starts with "first sync"). */
const progressLines = (r: CliResult) =>
  r.stdout
    .split('\n')
    .filter((l) => / \| /.test(l) && !l.startsWith('first sync'))
    .map((l) => l.trim());
const executionArnOf = (r: CliResult) => /^execution: (\S+)$/m.exec(r.stdout)?.[1] as string;

let succeededRun: string;
let refusedRun: string;

describe('ddbsync first-sync start', () => {
  it('runs the first sync to the end: every file loaded, every item in the target, the mapping resumed, exit 0', async () => {
    const r = await cli(['first-sync', 'start', '--state-machine-arn', machines.good, '--interval', '0.2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^started arn:aws:states:us-east-1:\d+:execution:orders-first-sync:ddbsync-\d{8}T\d{6}Z\n/,
    );
    const lines = progressLines(r);
    expect(lines.some((l) => l.startsWith('exporting | export IN_PROGRESS') || l.startsWith('loading'))).toBe(
      true,
    );
    // The last progress line: every file done, every item written, the stream budget shown.
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^done \\| export COMPLETED \\| files 1/1 done \\| ${ITEMS}/${ITEMS} items \\| \\d+ items/s \\| stream: 2[34]\\.\\d h of 24 h left$`,
      ),
    );
    expect(r.stdout).toMatch(new RegExp(`\\nfirst sync done: 1/1 files, ${ITEMS} items written, in \\d+s`));
    succeededRun = executionArnOf(r);
    expect(succeededRun).toMatch(/:execution:orders-first-sync:/);

    const targetDb = stack.keep(await assumedRoleDynamoClient(stack.aws.endpoint, 'eu-west-1', TARGET_ROLE));
    expect(canonicalTable(await scanAll(targetDb, 'orders-replica'))).toEqual(
      canonicalTable(await scanAll(stack.source, SOURCE)),
    );
    const mapping = await stack.lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid }));
    expect(mapping.State).toBe('Enabled');
  });

  it('a file that fails ends the run as failed, naming the file and its reason; exit 2', async () => {
    const r = await cli([
      'first-sync',
      'start',
      '--state-machine-arn',
      machines.refused,
      '--interval',
      '0.2',
    ]);
    expect(r.code).toBe(2);
    refusedRun = executionArnOf(r);
    const ex = await stack.sfn.send(new DescribeExecutionCommand({ executionArn: refusedRun }));
    expect({ status: ex.status, error: ex.error }).toEqual({ status: 'FAILED', error: 'LoadFailed' });
    expect(r.stdout).toContain('first sync FAILED after ');
    expect(r.stdout).toContain('the execution FAILED: LoadFailed: Loading the export files failed');
    expect(r.stdout).toContain('files: 0/1 done, 1 failed\nfailed 1 file:\n');
    expect(r.stdout).toMatch(
      new RegExp(
        `\\n  s3://${BUCKET}/first-sync/ddbsync-\\d{8}T\\d{6}Z/AWSDynamoDB/[^/]+/data/[^ ]+\\.json\\.gz: ` +
          'TargetRefusedError: target no-such-table@eu-west-1 as arn:aws:iam::222222222222:role/ddbsync-first-sync refused the item of',
      ),
    );
    expect(progressLines(r).at(-1)).toMatch(
      /^failed \| export COMPLETED \| files 0\/1 done, 1 failed \| .* \| failed: s3:\/\/.*TargetRefusedError/,
    );
  });

  it('a failed file is a failed run even when the execution says SUCCEEDED (a tolerant Map); exit 2', async () => {
    const r = await cli([
      'first-sync',
      'start',
      '--state-machine-arn',
      machines.tolerant,
      '--name',
      'tolerant-1',
      '--interval',
      '0.2',
    ]);
    const ex = await stack.sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(r) }));
    expect(ex.status).toBe('SUCCEEDED');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('first sync FAILED after ');
    expect(r.stdout).toContain(': the execution SUCCEEDED but 1 file failed\n');
    expect(r.stdout).toMatch(
      new RegExp(
        `\\n  s3://${BUCKET}/first-sync/tolerant-1/AWSDynamoDB/[^ ]+: TargetRefusedError: target no-such-table@eu-west-1`,
      ),
    );
  });

  it('--no-wait --json: prints the execution ARN and returns', async () => {
    const r = await cli([
      'first-sync',
      'start',
      '--state-machine-arn',
      machines.good,
      '--name',
      'no-wait-1',
      '--no-wait',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      executionArn: expect.stringMatching(/:execution:orders-first-sync:no-wait-1$/),
    });
    expect(r.stderr).toMatch(/^started arn:.*:no-wait-1\n$/);
    // Let it finish before the next tests look at the newest executions.
    const s = await cli([
      'first-sync',
      'status',
      '--execution-arn',
      JSON.parse(r.stdout).executionArn,
      '--watch',
      '--interval',
      '0.2',
    ]);
    expect(s.code).toBe(0);
  });
});

describe('ddbsync first-sync status', () => {
  it('shows a finished run once: done, exit 0', async () => {
    const r = await cli(['first-sync', 'status', '--execution-arn', succeededRun]);
    expect(r.code).toBe(0);
    expect(progressLines(r)).toHaveLength(1);
    expect(progressLines(r)[0]).toMatch(/^done \| export COMPLETED \| files 1\/1 done \| 400\/400 items/);
    expect(lastLine(r.stdout)).toBe(`execution: ${succeededRun}`);

    // On a terminal the line is drawn in place, then ended before the summary.
    const tty = await cli(['first-sync', 'status', '--execution-arn', succeededRun], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout.startsWith('\r\x1b[Kdone | export COMPLETED | files 1/1 done ')).toBe(true);
    expect(tty.stdout.split('\n')[1]).toMatch(/^first sync done: /);
  });

  it("the newest execution of a state machine; a failed one with its files' reasons as JSON, exit 2", async () => {
    const r = await cli(['first-sync', 'status', '--state-machine-arn', machines.refused, '--json']);
    expect(r.code).toBe(2);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({
      executionArn: refusedRun,
      outcome: 'failed',
      executionStatus: 'FAILED',
      error: 'LoadFailed',
      files: { done: 0, total: 1, failed: 1 },
      itemsExported: ITEMS,
    });
    expect(summary.failedFiles).toEqual([
      {
        key: expect.stringMatching(new RegExp(`^s3://${BUCKET}/first-sync/`)),
        reason: expect.stringMatching(/^TargetRefusedError: target no-such-table@eu-west-1 /),
      },
    ]);
    expect(summary.stream.hoursLeft).toBeGreaterThan(23);
    // The progress line went to stderr, so stdout is JSON only.
    expect(r.stderr).toMatch(/^failed \| export COMPLETED/);
  });

  it('an execution that does not exist: one line, exit 2', async () => {
    const r = await cli([
      'first-sync',
      'status',
      '--execution-arn',
      `${machines.good.replace(':stateMachine:', ':execution:')}:never-started`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ddbsync: execution arn:aws:states:.*:never-started: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
