/**
 * End to end: the first sync of a table that already holds data, while it keeps changing.
 * A source table in account A (us-east-1) with 20,000 items of every attribute type (some
 * 350 KB) is copied into tables in accounts B (eu-west-1) and C (ap-southeast-2), written
 * through assumed roles, by the first-sync workflow on the local AWS, started with
 * `ddbsync first-sync start`, deployed with Terraform: test/e2e/first-sync-stack (the source
 * table, the replicator with its stream mapping created paused at TRIM_HORIZON,
 * modules/first-sync, and modules/target-access with its first-sync role in each target
 * account; examples/first-sync has one target account). Lambda Invoke runs the deployed loader,
 * importer and verifier here; the replicator's records are delivered by
 * test/support/mapping-follower.ts only while the workflow has it Enabled. A writer races the
 * export, the load and the catch-up with puts, updates and deletes. Afterwards every target
 * must equal the source byte for byte, with no repair, and the distributed verify must report
 * zero differences. A target that refuses writes ends the run failed, with the reason.
 */
import { join } from 'node:path';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, useMoto } from '../cli/helpers.js';
import { type DeployedReplicator, startDeployedReplicator } from '../support/deployed-replicator.js';
import {
  type AppliedFirstSyncStack,
  applyFirstSyncStack,
  type FirstSyncDeployment,
} from '../support/first-sync-terraform.js';
import { type RacingRecord, seedTable, startRacingWriter } from '../support/first-sync-workload.js';
import { dynamoClient, MOTO_CREDENTIALS } from '../support/fixtures.js';
import { type LocalAwsWithLambda, startLocalAws } from '../support/local-aws.js';
import { replicaClient, replicaLabel } from '../support/replicate-deployment.js';
import { difference, keySchema, tableSnapshot } from '../support/replication-workload.js';
import { REPO_ROOT } from '../support/terraform-workspace.js';

const TARGET_B = { accountId: '222222222222', region: 'eu-west-1' };
const TARGET_C = { accountId: '333333333333', region: 'ap-southeast-2' };
const ITEMS = 20_000;
/** One item in this many carries ~350 KB. */
const LARGE_EVERY = 2_500;
const REPLICATOR_ZIP = join(REPO_ROOT, 'dist', 'replicator.zip');

// Limits: at least three times the slowest each phase took on this machine (2 cores). With
// 20,000 items (one in ten tricky) on an idle machine: apply 73-75 s; seed 8 s; the workflow
// 8-16 s; the mapping's catch-up of ~21,000 records while the writer ran 31-34 s; the
// byte-for-byte comparison of three tables 39-44 s; the distributed verify 74-77 s; the whole
// file 10.7 min. With every item tricky and other suites running, the same phases took up to
// 113, 49, 85, 210, 600 and 379 s: the limits below cover those too.
const APPLY_MS = 10 * 60_000;
const SEED_MS = 6 * 60_000;
const RUN_MS = 10 * 60_000;
const CATCH_UP_MS = 15 * 60_000;
const COMPARE_MS = 30 * 60_000;
const VERIFY_MS = 20 * 60_000;

let aws: LocalAwsWithLambda;
const applied: AppliedFirstSyncStack[] = [];
const timings: Record<string, number> = {};

async function timed<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[phase] = Date.now() - started;
    console.log(`first-sync e2e: ${phase} took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

beforeAll(async () => {
  aws = await startLocalAws({ localLambda: true, timeoutMs: 60_000 });
});

afterAll(async () => {
  for (const a of applied) await a.remove();
  await aws?.stop();
  console.log(`first-sync e2e timings (ms): ${JSON.stringify(timings)}`);
}, 3 * APPLY_MS); // three destroys

async function deploy(name: string, newTargetTables: boolean): Promise<FirstSyncDeployment> {
  const a = await timed(`apply ${name}`, () =>
    applyFirstSyncStack({
      endpoint: aws.endpoint,
      name,
      targetB: TARGET_B,
      targetC: TARGET_C,
      newTargetTables,
    }),
  );
  applied.push(a);
  return a.deployment;
}

/** `ddbsync first-sync <command>` as a user runs it (in-process, through the CLI's entry). */
async function firstSync(command: 'start' | 'verify', stack: FirstSyncDeployment, ...more: string[]) {
  useMoto(aws, stack.sourceRegion); // the CLI reads the standard AWS environment
  const r = await cli([
    'first-sync',
    command,
    '--state-machine-arn',
    stack.stateMachineArn,
    '--interval',
    '1',
    ...more,
  ]);
  const executionArn =
    /^execution: (\S+)$/m.exec(r.stdout)?.[1] ?? /"executionArn": "([^"]+)"/.exec(r.stdout)?.[1];
  return { ...r, executionArn };
}

async function describeExecution(stack: FirstSyncDeployment, executionArn: string | undefined) {
  const sfn = new SFNClient({
    endpoint: aws.endpoint,
    region: stack.sourceRegion,
    credentials: MOTO_CREDENTIALS,
  });
  try {
    return await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } finally {
    sfn.destroy();
  }
}

async function expectTargetsEqualSource(stack: FirstSyncDeployment, source: DynamoDBClient): Promise<number> {
  const expected = await tableSnapshot(source, stack.sourceTableName);
  for (const replica of stack.replicas) {
    const client = await replicaClient(aws.endpoint, replica);
    try {
      const got = await tableSnapshot(client, replica.tableName);
      expect(difference(expected, got), replicaLabel(replica)).toBeUndefined();
    } finally {
      client.destroy();
    }
  }
  return expected.length;
}

/**
 * The first sync of a live table: seeded, the replicator's mapping followed, a writer racing
 * the CLI-started workflow and the catch-up; then the writer stopped and the stream drained.
 */
async function syncWhileWriting(stack: FirstSyncDeployment, load: 'map' | 'import') {
  const source = dynamoClient(aws.endpoint, stack.sourceRegion);
  const keys = await keySchema(source, stack.sourceTableName);
  await timed(`seed (${load})`, () =>
    seedTable(source, stack.sourceTableName, keys, { count: ITEMS, largeEvery: LARGE_EVERY }),
  );
  let replicator: DeployedReplicator | undefined;
  try {
    replicator = await startDeployedReplicator({
      endpoint: aws.endpoint,
      deployment: stack,
      zipPath: REPLICATOR_ZIP,
      follow: { pollMs: 200 },
    });
    const follower = replicator.follower;
    if (!follower) throw new Error('the replicator mapping is not followed');
    // A new pipeline: paused at the start of the stream.
    expect(replicator.mapping.State).toBe('Disabled');
    expect(replicator.settings.startingPosition).toBe('TRIM_HORIZON');

    const writer = startRacingWriter(source, stack.sourceTableName, keys, {
      keySpace: ITEMS + 2_000,
      pauseMs: 20,
      largeEvery: LARGE_EVERY,
    });
    let raced: RacingRecord;
    let run: Awaited<ReturnType<typeof firstSync>>;
    let execution: DescribeExecutionCommandOutput;
    try {
      run = await timed(`workflow (${load})`, () => firstSync('start', stack, '--load', load));
      execution = await describeExecution(stack, run.executionArn);
      expect({ code: run.code, status: execution.status }, `${run.stdout}\n${run.stderr}`).toEqual({
        code: 0,
        status: 'SUCCEEDED',
      });
      // The writer goes on while the mapping catches up.
      await timed(`catch-up while writing (${load})`, () => follower.settle(CATCH_UP_MS));
    } finally {
      raced = await writer.stop();
    }
    await timed(`drain (${load})`, () => follower.settle(CATCH_UP_MS));
    console.log(
      `first-sync e2e (${load}): racing writer ${JSON.stringify({ ...raced, touched: raced.touched.size })}; ` +
        `mapping ${JSON.stringify(follower.totals)}; states ${follower.stateLog.join(' -> ')}`,
    );
    expect(raced.puts).toBeGreaterThan(0);
    expect(raced.updates).toBeGreaterThan(0);
    expect(raced.deletes).toBeGreaterThan(0);
    // The workflow found the mapping paused (created so) and enabled it once, after the load.
    expect(follower.stateLog).toEqual(['Disabled', 'Enabling', 'Enabled']);
    expect(follower.totals.sentToDlq).toBe(0);
    expect(replicator.outcomes.filter((o) => o.error)).toEqual([]);

    const items = await timed(`compare (${load})`, () => expectTargetsEqualSource(stack, source));
    expect(items).toBeGreaterThan(ITEMS - raced.deletes);
    return items;
  } finally {
    await replicator?.stop();
    source.destroy();
  }
}

/** `ddbsync first-sync verify`: zero differences in every target, every item compared. */
async function expectVerifyClean(stack: FirstSyncDeployment, items: number): Promise<void> {
  const r = await timed('verify', () => firstSync('verify', stack, '--json'));
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const execution = await describeExecution(stack, r.executionArn);
  expect(execution.status).toBe('SUCCEEDED');
  const summary = JSON.parse(execution.output ?? '{}') as {
    differences: number;
    targets: { compared: number; differing: number; missingInTarget: number; onlyInTarget: number }[];
  };
  console.log(`first-sync e2e: verify ${JSON.stringify(summary)}`);
  expect(summary.differences).toBe(0);
  expect(summary.targets).toHaveLength(stack.replicas.length);
  for (const t of summary.targets) expect(t.compared).toBe(items);
}

const SYNC_LIMIT = APPLY_MS + SEED_MS + RUN_MS + 2 * CATCH_UP_MS + COMPARE_MS + VERIFY_MS;

describe('first sync, end to end on the local AWS', () => {
  it(
    'loads a live table into existing tables in two other accounts and regions, converging with the stream, with no repair',
    async () => {
      const stack = await deploy('fs-map', false);
      const items = await syncWhileWriting(stack, 'map');
      await expectVerifyClean(stack, items);
    },
    SYNC_LIMIT,
  );

  it(
    'imports a live table into new tables in two other accounts and regions, converging with the stream, with no repair',
    async () => {
      const stack = await deploy('fs-import', true);
      const items = await syncWhileWriting(stack, 'import');
      await expectVerifyClean(stack, items);
    },
    SYNC_LIMIT,
  );

  it(
    'ends failed, with the reason, when a target refuses writes; the CLI exits non-zero',
    async () => {
      const stack = await deploy('fs-refused', false);
      const source = dynamoClient(aws.endpoint, stack.sourceRegion);
      try {
        const keys = await keySchema(source, stack.sourceTableName);
        await seedTable(source, stack.sourceTableName, keys, { count: 200, largeEvery: 100 });
      } finally {
        source.destroy();
      }
      // Account C's table is gone: every write to it is refused.
      const refusing = stack.replicas[1];
      if (!refusing) throw new Error('no second target');
      const c = await replicaClient(aws.endpoint, refusing);
      await c.send(new DeleteTableCommand({ TableName: refusing.tableName }));
      c.destroy();

      const r = await timed('failing workflow', () => firstSync('start', stack));
      expect(r.code, r.stdout).toBe(2);
      const execution = await describeExecution(stack, r.executionArn);
      expect({ status: execution.status, error: execution.error }).toEqual({
        status: 'FAILED',
        error: 'LoadFailed',
      });
      expect(r.stdout).toContain('first sync FAILED');
      // The failed file's reason names the refusing table.
      expect(r.stdout).toMatch(
        new RegExp(`TargetRefusedError: target ${refusing.tableName}@${refusing.region}`),
      );
    },
    APPLY_MS + RUN_MS,
  );
});
