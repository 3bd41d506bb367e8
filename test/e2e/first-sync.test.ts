/**
 * End to end: the first sync of a table that already holds data, while it keeps changing.
 * A source table in account A (us-east-1) with 20,000 items of every attribute type (some
 * 350 KB) is copied into tables in accounts B (eu-west-1) and C (ap-southeast-2), written
 * through assumed roles, by the first-sync workflow on the local AWS: the state machine
 * rendered from modules/first-sync, the loader from dist/first-sync.zip run by Lambda Invoke,
 * the replicator from dist/replicator.zip behind its stream mapping, created paused at
 * TRIM_HORIZON and delivered by test/support/mapping-follower.ts only while the workflow has
 * it Enabled. A writer races the export, the load and the catch-up with puts, updates and
 * deletes. Afterwards every target must equal the source byte for byte, with no repair.
 * A target that refuses writes ends the run failed, with the reason.
 */
import { join } from 'node:path';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DeployedReplicator, startDeployedReplicator } from '../support/deployed-replicator.js';
import { deployFirstSyncStandIn, type FirstSyncStandIn } from '../support/first-sync-stand-in.js';
import { type RacingRecord, seedTable, startRacingWriter } from '../support/first-sync-workload.js';
import { dynamoClient, MOTO_CREDENTIALS } from '../support/fixtures.js';
import { type LocalAwsWithLambda, startLocalAws } from '../support/local-aws.js';
import { replicaClient, replicaLabel } from '../support/replicate-deployment.js';
import { difference, keySchema, tableSnapshot } from '../support/replication-workload.js';
import { REPO_ROOT } from '../support/terraform-workspace.js';

const SOURCE_REGION = 'us-east-1';
const ACCOUNT_B = '222222222222';
const ACCOUNT_C = '333333333333';
const ITEMS = 20_000;
/** One item in this many carries ~350 KB. */
const LARGE_EVERY = 2_500;
const REPLICATOR_ZIP = join(REPO_ROOT, 'dist', 'replicator.zip');

// Limits: at least three times what each phase took on this machine (2 busy cores). Measured
// with 20,000 items: seeding 41 s, the workflow (export and load into both targets) 49 s, the
// mapping's catch-up of 22,236 records while the writer ran 180 s, the comparison 187 s; the
// whole test 460 s.
const SEED_MS = 6 * 60_000;
const RUN_MS = 10 * 60_000;
const CATCH_UP_MS = 15 * 60_000;
const COMPARE_MS = 15 * 60_000;

let aws: LocalAwsWithLambda;
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
  await aws?.stop();
  console.log(`first-sync e2e timings (ms): ${JSON.stringify(timings)}`);
});

/** Starts the workflow as `ddbsync first-sync start` does and waits for its end. */
async function runFirstSync(
  stack: FirstSyncStandIn,
  input: { action: 'sync' | 'verify'; load: 'map' | 'import'; repair: boolean },
): Promise<DescribeExecutionCommandOutput> {
  const sfn = new SFNClient({
    endpoint: aws.endpoint,
    region: stack.sourceRegion,
    credentials: MOTO_CREDENTIALS,
  });
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stack.stateMachineArn, input: JSON.stringify(input) }),
    );
    const end = Date.now() + RUN_MS;
    for (;;) {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      if (out.status !== 'RUNNING') return out;
      if (Date.now() > end) throw new Error(`the first sync was still running after ${RUN_MS} ms`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    sfn.destroy();
  }
}

/** The failed children of the execution's Map Runs, with their errors and causes. */
async function mapRunFailures(stack: FirstSyncStandIn, execution: DescribeExecutionCommandOutput) {
  const sfn = new SFNClient({
    endpoint: aws.endpoint,
    region: stack.sourceRegion,
    credentials: MOTO_CREDENTIALS,
  });
  try {
    const runs = await sfn.send(new ListMapRunsCommand({ executionArn: execution.executionArn }));
    const failed = [];
    for (const run of runs.mapRuns ?? []) {
      const children = await sfn.send(
        new ListExecutionsCommand({ mapRunArn: run.mapRunArn, statusFilter: 'FAILED' }),
      );
      for (const child of children.executions ?? []) {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: child.executionArn }));
        failed.push({ input: d.input, error: d.error, cause: d.cause });
      }
    }
    return failed;
  } finally {
    sfn.destroy();
  }
}

async function expectTargetsEqualSource(stack: FirstSyncStandIn, source: DynamoDBClient): Promise<number> {
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

async function syncWhileWriting(name: string, load: 'map' | 'import'): Promise<void> {
  const stack = await timed('deploy', () =>
    deployFirstSyncStandIn({
      endpoint: aws.endpoint,
      name,
      sourceRegion: SOURCE_REGION,
      targets: [
        { accountId: ACCOUNT_B, region: 'eu-west-1', tableName: `${name}-orders-b` },
        { accountId: ACCOUNT_C, region: 'ap-southeast-2', tableName: `${name}-orders-c` },
      ],
      createTargetTables: load === 'map',
    }),
  );
  const source = dynamoClient(aws.endpoint, SOURCE_REGION);
  const keys = await keySchema(source, stack.sourceTableName);
  await timed('seed', () =>
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
    expect(replicator.mapping.State).toBe('Disabled');
    expect(replicator.settings.startingPosition).toBe('TRIM_HORIZON');

    const writer = startRacingWriter(source, stack.sourceTableName, keys, {
      keySpace: ITEMS + 2_000,
      pauseMs: 20,
      largeEvery: LARGE_EVERY,
    });
    let raced: RacingRecord;
    let execution: DescribeExecutionCommandOutput;
    try {
      execution = await timed('workflow', () => runFirstSync(stack, { action: 'sync', load, repair: false }));
      expect(
        execution.status,
        `${execution.error}: ${execution.cause}\n${JSON.stringify(await mapRunFailures(stack, execution))}`,
      ).toBe('SUCCEEDED');
      // The writer goes on while the mapping catches up.
      await timed('catch-up while writing', () => follower.settle(CATCH_UP_MS));
    } finally {
      raced = await writer.stop();
    }
    await timed('drain', () => follower.settle(CATCH_UP_MS));
    console.log(
      `first-sync e2e: racing writer ${JSON.stringify({ ...raced, touched: raced.touched.size })}; ` +
        `mapping ${JSON.stringify(follower.totals)}; states ${follower.stateLog.join(' -> ')}`,
    );
    expect(raced.puts).toBeGreaterThan(0);
    expect(raced.updates).toBeGreaterThan(0);
    expect(raced.deletes).toBeGreaterThan(0);
    // The workflow paused nothing (the mapping was created paused) and enabled it once.
    expect(follower.stateLog).toEqual(['Disabled', 'Enabling', 'Enabled']);
    expect(follower.totals.sentToDlq).toBe(0);
    expect(replicator.outcomes.filter((o) => o.error)).toEqual([]);

    const items = await timed('compare', () => expectTargetsEqualSource(stack, source));
    expect(items).toBeGreaterThan(ITEMS - raced.deletes);

    // The distributed verify agrees: no target differs, and it touched no mapping.
    const verify = await timed('verify', () =>
      runFirstSync(stack, { action: 'verify', load: 'map', repair: false }),
    );
    expect(verify.status, `${verify.error}: ${verify.cause}`).toBe('SUCCEEDED');
    const summary = JSON.parse(verify.output ?? '{}') as {
      differences: number;
      targets: { compared: number; differing: number; missingInTarget: number; onlyInTarget: number }[];
    };
    console.log(`first-sync e2e: verify ${JSON.stringify(summary)}`);
    expect(summary.differences).toBe(0);
    expect(summary.targets).toHaveLength(stack.replicas.length);
    for (const t of summary.targets) expect(t.compared).toBe(items);
  } finally {
    await replicator?.stop();
    source.destroy();
  }
}

describe('first sync, end to end on the local AWS', () => {
  it(
    'loads a live table into existing tables in two other accounts and regions, converging with the stream, with no repair',
    () => syncWhileWriting('fs-map', 'map'),
    SEED_MS + RUN_MS + 2 * CATCH_UP_MS + COMPARE_MS + RUN_MS,
  );

  it(
    'imports a live table into new tables in two other accounts and regions, converging with the stream, with no repair',
    () => syncWhileWriting('fs-import', 'import'),
    SEED_MS + RUN_MS + 2 * CATCH_UP_MS + COMPARE_MS + RUN_MS,
  );

  it(
    'fails, with the reason, when a target refuses writes',
    async () => {
      const stack = await deployFirstSyncStandIn({
        endpoint: aws.endpoint,
        name: 'fs-refused',
        sourceRegion: SOURCE_REGION,
        targets: [
          { accountId: ACCOUNT_B, region: 'eu-west-1', tableName: 'fs-refused-orders-b' },
          { accountId: ACCOUNT_C, region: 'ap-southeast-2', tableName: 'fs-refused-orders-c' },
        ],
        createTargetTables: true,
      });
      const source = dynamoClient(aws.endpoint, SOURCE_REGION);
      try {
        const keys = await keySchema(source, stack.sourceTableName);
        await seedTable(source, stack.sourceTableName, keys, { count: 200, largeEvery: 100 });
        // Account C's table is gone: every write to it is refused.
        const refusing = stack.replicas[1];
        if (!refusing) throw new Error('no second target');
        const c = await replicaClient(aws.endpoint, refusing);
        await c.send(new DeleteTableCommand({ TableName: refusing.tableName }));
        c.destroy();

        const execution = await timed('failing workflow', () =>
          runFirstSync(stack, { action: 'sync', load: 'map', repair: false }),
        );
        expect(execution.status).toBe('FAILED');
        expect(execution.error).toBe('LoadFailed');
        // The reason is the failed file's, in the Map Run (what `first-sync status` shows).
        const failures = await mapRunFailures(stack, execution);
        expect(failures.map((f) => f.cause).join('\n')).toContain(refusing.tableName);
      } finally {
        source.destroy();
      }
    },
    RUN_MS,
  );
});
