/**
 * End to end: every example under examples/ (cdktf aside) is applied to its own moto,
 * then the product's main job runs through what was deployed, as `make demo` does
 * (test/support/replicate-deployment.ts): changes to the source table in rounds, the
 * stream delivered with the settings of the mapping Terraform created to the deployed
 * zip running with the deployed environment and execution role. Every replica must equal
 * the source byte for byte; the IAM policies read back from moto must be exactly least
 * privilege; destroy must leave nothing behind.
 *
 * Examples run two at a time (each is mostly Terraform waiting on the provider).
 */
import { join } from 'node:path';
import { GetFunctionCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { type Deployment, deploymentFromOutputs, LOCAL_CREDENTIALS } from '../support/deployed-replicator.js';
import { applyStack, type ExampleStack, localExampleVars } from '../support/example-stack.js';
import { startLocalAws } from '../support/local-aws.js';
import {
  deployerRoleArn,
  type ReplicationReport,
  replicateDeployment,
  SOURCE_ACCOUNT,
} from '../support/replicate-deployment.js';
import type { TerraformVar } from '../support/terraform.js';
import { createTerraformWorkspace, exampleNames } from '../support/terraform-workspace.js';
import { accountOf, asList, expectedGrants, grants, rolePolicies, type Statement } from './deployed-iam.js';

const TARGET_ACCOUNT = '222222222222';
const TARGET = { accountId: TARGET_ACCOUNT, roleArn: deployerRoleArn(TARGET_ACCOUNT) };
// One example's own work (apply, replicate, check, destroy), counted from when it gets one of
// the two slots: 1.5 to 4.7 min each on 2 loaded cores, so 15 min is at least three times that.
const EXAMPLE_WORK_MS = 15 * 60_000;
// vitest's limit counts from the file's start, queueing included (six examples, two at a time:
// 11.6 min at worst measured); it only backs up the limit above.
const EXAMPLE_TIMEOUT_MS = 45 * 60_000;

/** Rejects when `work` takes longer than `ms`, naming the example. */
async function withinTime<T>(name: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`examples/${name} took over ${ms / 60_000} min once started`)),
      ms,
    );
  });
  try {
    return await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One `terraform apply`: a directory under examples/, its variables given the previous stage's outputs. */
interface Stage {
  readonly dir: string;
  vars(previous: Record<string, unknown>): Record<string, TerraformVar>;
}

/** How each example is applied; the last stage's outputs describe the deployment. */
const STAGES: Record<string, Stage[]> = {
  'cross-account': [{ dir: 'cross-account', vars: () => localExampleVars(TARGET) }],
  'cross-region': [{ dir: 'cross-region', vars: () => localExampleVars() }],
  'fan-out': [{ dir: 'fan-out', vars: () => localExampleVars(TARGET) }],
  // The first-sync workflow is deployed alongside; the replication check is the same.
  'first-sync': [{ dir: 'first-sync', vars: () => localExampleVars(TARGET) }],
  health: [{ dir: 'health', vars: () => localExampleVars(TARGET) }],
  // The target team applies first, naming the execution role the source team will create
  // (its name is the source stage's `name`); the source team then gets the role ARN.
  'separate-pipelines': [
    {
      dir: 'separate-pipelines/target-account',
      vars: () => ({
        ...localExampleVars(TARGET),
        replicator_role_arn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/ddbsync-pipelines`,
      }),
    },
    {
      dir: 'separate-pipelines/source-account',
      vars: (target) => ({
        ...localExampleVars(),
        name: 'ddbsync-pipelines',
        target_role_arn: target.role_arn as string,
        target_table_name: target.table_name as string,
        target_region: target.region as string,
      }),
    },
  ],
};

const WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:PutItem',
];

interface TargetSetting {
  tableName: string;
  region: string;
  roleArn?: string;
  externalId?: string;
}

/** At most `limit` examples at a time. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
const twoAtATime = limiter(2);

function tableArn(region: string, account: string, table: string): string {
  return `arn:aws:dynamodb:${region}:${account}:table/${table}`;
}

/** A statement's shape, with single values as lists, for exact comparison. */
function normalized(s: Statement): Record<string, unknown> {
  const principal =
    typeof s.Principal === 'object'
      ? Object.fromEntries(Object.entries(s.Principal).map(([k, v]) => [k, asList(v).sort()]))
      : s.Principal;
  const condition = s.Condition
    ? Object.fromEntries(
        Object.entries(s.Condition).map(([test, vars]) => [
          test,
          Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, asList(v).sort()])),
        ]),
      )
    : undefined;
  return { Effect: s.Effect, Action: asList(s.Action).sort(), Principal: principal, Condition: condition };
}

async function expectLeastPrivilege(endpoint: string, report: ReplicationReport, deployment: Deployment) {
  const fn = report.replicator.function;
  const settings = report.replicator.settings;
  const region = deployment.sourceRegion;
  const account = accountOf(fn.FunctionArn as string);
  const targets = JSON.parse(report.replicator.environment.REPLICATION_TARGETS as string) as TargetSetting[];

  // Every replica the example lists is a target of the function, reached in its own account.
  for (const r of deployment.replicas) {
    const t = targets.find((x) => x.tableName === r.tableName && x.region === r.region);
    expect(t, `replica ${r.tableName} (${r.region}) in REPLICATION_TARGETS`).toBeDefined();
    expect(t?.roleArn ? accountOf(t.roleArn) : account, `account of ${r.tableName}`).toBe(r.accountId);
  }

  // The execution role: Lambda may assume it; it may read that stream, write its own logs,
  // send to its DLQ, assume exactly the target roles, write exactly the same-account targets.
  const exec = await rolePolicies(endpoint, fn.Role as string);
  expect(exec.attached, 'managed policies on the execution role').toEqual([]);
  expect(exec.trust.map(normalized)).toEqual([
    expect.objectContaining({
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Principal: { Service: ['lambda.amazonaws.com'] },
    }),
  ]);
  const roleArns = [...new Set(targets.flatMap((t) => (t.roleArn ? [t.roleArn] : [])))];
  const direct = targets.filter((t) => !t.roleArn).map((t) => tableArn(t.region, account, t.tableName));
  expect(settings.onFailureDestination, 'the mapping has an on-failure queue').toMatch(/^arn:aws:sqs:/);
  const expected = expectedGrants([
    [['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], [settings.streamArn]],
    // ListStreams has no resource-level permission in IAM: "*" is the only form it takes.
    [['dynamodb:ListStreams'], ['*']],
    [
      ['logs:CreateLogStream', 'logs:PutLogEvents'],
      [`arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${fn.FunctionName}:*`],
    ],
    [['sqs:SendMessage'], [settings.onFailureDestination as string]],
    ...(roleArns.length > 0 ? [[['sts:AssumeRole'], roleArns] as [string[], string[]]] : []),
    ...(direct.length > 0 ? [[WRITE_ACTIONS, direct] as [string[], string[]]] : []),
  ]);
  const granted = grants(exec.inline);
  expect(granted, `execution role ${exec.roleArn}`).toEqual(expected);
  for (const [action, resources] of Object.entries(granted)) {
    expect(action, 'no wildcard action').not.toMatch(/\*/);
    if (action !== 'dynamodb:ListStreams')
      expect(resources, `${action} on named resources`).not.toContain('*');
  }

  // Each target role: only the execution role, with the ExternalId, may assume it; it may
  // write exactly its replica tables.
  for (const roleArn of roleArns) {
    const mine = targets.filter((t) => t.roleArn === roleArn);
    const role = await rolePolicies(endpoint, roleArn);
    expect(role.attached, `managed policies on ${roleArn}`).toEqual([]);
    const externalIds = [...new Set(mine.map((t) => t.externalId))];
    expect(externalIds, `one ExternalId for ${roleArn}`).toHaveLength(1);
    expect(role.trust.map(normalized), `trust policy of ${roleArn}`).toEqual([
      {
        Effect: 'Allow',
        Action: ['sts:AssumeRole'],
        Principal: { AWS: [fn.Role] },
        Condition: { StringEquals: { 'sts:ExternalId': externalIds } },
      },
    ]);
    expect(grants(role.inline), `permissions of ${roleArn}`).toEqual(
      expectedGrants([[WRITE_ACTIONS, mine.map((t) => tableArn(t.region, accountOf(roleArn), t.tableName))]]),
    );
  }
}

async function functionExists(endpoint: string, deployment: Deployment): Promise<boolean> {
  const lambda = new LambdaClient({
    endpoint,
    region: deployment.sourceRegion,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await lambda.send(new GetFunctionCommand({ FunctionName: deployment.functionName }));
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  } finally {
    lambda.destroy();
  }
}

async function runExample(name: string): Promise<void> {
  const stages = STAGES[name];
  if (!stages)
    throw new Error(
      `examples/${name} has no entry in STAGES in test/e2e/examples.test.ts; add how to apply it`,
    );
  const moto = await startLocalAws();
  const workspace = await createTerraformWorkspace(`ddbsync-e2e-${name}-`);
  try {
    const applied: ExampleStack[] = [];
    let outputs: Record<string, unknown> = {};
    for (const stage of stages) {
      const stack = await applyStack(workspace.example(stage.dir), {
        endpoint: moto.endpoint,
        vars: stage.vars(outputs),
      });
      applied.push(stack);
      outputs = stack.outputs;
    }
    const deployment = deploymentFromOutputs(outputs);

    const report = await replicateDeployment({
      endpoint: moto.endpoint,
      deployment,
      zipPath: join(workspace.root, 'dist', 'replicator.zip'),
    });
    expect(report.sourceItems).toBeGreaterThan(0);
    expect(report.differences, 'every replica equals the source').toEqual(
      deployment.replicas.map(() => undefined),
    );
    for (const round of report.rounds) {
      expect(round.drain.records, round.title).toBe(round.changes);
      expect([round.functionErrors, round.reportedFailures, round.drain.sentToDlq], round.title).toEqual([
        0, 0, 0,
      ]);
      expect(round.replicaItems, round.title).toEqual(deployment.replicas.map(() => round.sourceItems));
    }
    expect(report.ok).toBe(true);

    await expectLeastPrivilege(moto.endpoint, report, deployment);

    for (const stack of applied.reverse()) await stack.destroy();
    expect(await functionExists(moto.endpoint, deployment), 'the function after destroy').toBe(false);
  } finally {
    // A failed example leaves its resources to the moto server, which goes away here.
    await moto.stop();
    await workspace.remove();
  }
}

const names = await exampleNames();

describe('examples applied to moto replicate through what they deployed', () => {
  it('lists the examples present', () => {
    expect(names.length).toBeGreaterThan(0);
  });
  for (const name of names) {
    it.concurrent(
      `examples/${name}`,
      () => twoAtATime(() => withinTime(name, EXAMPLE_WORK_MS, () => runExample(name))),
      EXAMPLE_TIMEOUT_MS,
    );
  }
});
