/**
 * End to end: examples/health applied to moto, then the lag canary, drift detection, alarms
 * and dashboard exercised through what Terraform deployed. moto stores the schedules but
 * never runs them, extracts no metrics from logs and evaluates no alarm, so, as documented
 * in the support files:
 * - the functions are invoked where their schedules would (test/support/deployed-health.ts:
 *   the deployed zip, handler, environment and execution role), and the replicator's stream
 *   is delivered by the mapping emulator with the deployed mapping's settings (deployed-replicator.ts);
 *   "paused" means nothing is delivered, which is what a disabled mapping does;
 * - the functions' EMF log lines become metric data (emf-metrics.ts), and the alarms Terraform
 *   created are evaluated by CloudWatch's rules and set with SetAlarmState (alarm-evaluator.ts).
 */
import { join } from 'node:path';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_METRIC, METRIC, TARGET_DIMENSION } from '#core';
import { evaluateAlarms } from '../support/alarm-evaluator.js';
import { type DeployedFunction, startDeployedFunction } from '../support/deployed-health.js';
import {
  type DeployedReplicator,
  type Deployment,
  deploymentFromOutputs,
  LOCAL_CREDENTIALS,
  startDeployedReplicator,
} from '../support/deployed-replicator.js';
import { publishEmfLogs } from '../support/emf-metrics.js';
import { applyStack, type ExampleStack, localExampleVars } from '../support/example-stack.js';
import type { SdkItem } from '../support/fixtures.js';
import { startLocalAws } from '../support/local-aws.js';
import type { InvokeOutcome } from '../support/local-lambda.js';
import type { MotoServer } from '../support/moto.js';
import { deployerRoleArn, replicaClient } from '../support/replicate-deployment.js';
import { keySchema, tableSnapshot, tricky } from '../support/replication-workload.js';
import { batchGetOf, startRequestWatch } from '../support/request-watch.js';
import { apply, localAwsEnv, runTerraform, type TerraformVar } from '../support/terraform.js';
import { createTerraformWorkspace, type TerraformWorkspace } from '../support/terraform-workspace.js';
import { rolePolicies, type Statement } from './deployed-iam.js';

const TARGET_ACCOUNT = '222222222222';
// Short enough for a test, long enough for the replicator to deliver on two loaded cores.
const MISS_THRESHOLD_S = 10;
const RECHECK_DELAY_S = 10;
const BIG = '12345678901234567890123456789012345678';
const SETUP_TIMEOUT_MS = 10 * 60_000;
const RUN_TIMEOUT_MS = 4 * 60_000;

const VARS: Record<string, TerraformVar> = {
  ...localExampleVars({ accountId: TARGET_ACCOUNT, roleArn: deployerRoleArn(TARGET_ACCOUNT) }),
  canary_miss_threshold_seconds: MISS_THRESHOLD_S,
  canary_latency_alarm_ms: 5000,
  // The test table is small: one segment is the whole table, so every planted item is sampled.
  drift_sample_segments: 1,
  drift_recheck_delay_seconds: RECHECK_DELAY_S,
  reports_force_destroy: true,
};

let moto: MotoServer;
let workspace: TerraformWorkspace;
let stack: ExampleStack | undefined;
let outputs: Record<string, unknown>;
let deployment: Deployment;
let zipPath: string;
/** The canary's and drift detection's package. */
let healthZipPath: string;
let replicator: DeployedReplicator;
let canary: DeployedFunction;
let drift: DeployedFunction | undefined;
let source: DynamoDBClient;
let replica: DynamoDBClient;
let cloudwatch: CloudWatchClient;
let s3: S3Client;
let label: string;
const published: string[][] = [];
const setupStarted = Date.now();
const timings: Record<string, number> = {};

function out(name: string): string {
  const v = outputs[name];
  if (typeof v !== 'string') throw new Error(`output ${name} is ${JSON.stringify(v)}`);
  return v;
}

function alarmName(key: string): string {
  const arns = outputs.alarm_arns as Record<string, string>;
  const arn = arns[key];
  if (!arn) throw new Error(`no alarm ${key} in ${Object.keys(arns).join(', ')}`);
  return arn.slice(arn.indexOf(':alarm:') + ':alarm:'.length);
}

async function describeAlarm(name: string): Promise<MetricAlarm> {
  const found = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
  if (!found) throw new Error(`alarm ${name} not found`);
  return found;
}

/** Runs `task` while delivering the stream every 100 ms, as an enabled mapping would. */
async function whileReplicating<T>(task: Promise<T>): Promise<T> {
  let done = false;
  const finished = task.finally(() => {
    done = true;
  });
  while (!done) {
    await replicator.drain();
    await Promise.race([finished.catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
  }
  return task;
}

/** The function's metrics, put as CloudWatch Logs would from its EMF lines. */
async function publish(outcome: InvokeOutcome): Promise<void> {
  published.push(outcome.logs);
  await publishEmfLogs(cloudwatch, outcome.logs);
}

function jsonLines(outcome: InvokeOutcome): Record<string, unknown>[] {
  return outcome.logs.flatMap((l) => {
    try {
      const v: unknown = JSON.parse(l);
      return typeof v === 'object' && v !== null ? [v as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

async function metricMax(name: string, since: number): Promise<number | undefined> {
  const res = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: 'ddbsync',
      MetricName: name,
      Dimensions: [
        { Name: 'service', Value: deployment.functionName },
        { Name: TARGET_DIMENSION, Value: label },
      ],
      StartTime: new Date(since - 1000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 60,
      Statistics: ['Maximum'],
    }),
  );
  const values = (res.Datapoints ?? []).map((d) => d.Maximum as number);
  return values.length === 0 ? undefined : Math.max(...values);
}

const key = (n: number): SdkItem => ({ pk: { S: `order#${n}` }, sk: { S: 'v1' } });

beforeAll(async () => {
  moto = await startLocalAws();
  workspace = await createTerraformWorkspace('ddbsync-e2e-health-');
  zipPath = join(workspace.root, 'dist', 'replicator.zip');
  healthZipPath = join(workspace.root, 'dist', 'health.zip');
  const t0 = Date.now();
  stack = await applyStack(workspace.example('health'), { endpoint: moto.endpoint, vars: VARS });
  timings.applySeconds = (Date.now() - t0) / 1000;
  outputs = stack.outputs;
  deployment = deploymentFromOutputs(outputs);
  const [target] = deployment.replicas;
  if (!target) throw new Error('the example lists no replica');
  label = `${target.accountId}/${target.region}/${target.tableName}`;

  const client = { endpoint: moto.endpoint, region: deployment.sourceRegion, credentials: LOCAL_CREDENTIALS };
  source = new DynamoDBClient(client);
  cloudwatch = new CloudWatchClient(client);
  s3 = new S3Client({ ...client, forcePathStyle: true });
  replica = await replicaClient(moto.endpoint, target);
  replicator = await startDeployedReplicator({ endpoint: moto.endpoint, deployment, zipPath });
  canary = await startDeployedFunction({
    endpoint: moto.endpoint,
    region: deployment.sourceRegion,
    functionName: out('canary_function_name'),
    zipPath: healthZipPath,
  });

  // Items of every attribute type, one with a 38-digit number, replicated before anything else.
  const keys = await keySchema(source, deployment.sourceTableName);
  for (let n = 0; n < 20; n++) {
    await source.send(
      new PutItemCommand({ TableName: deployment.sourceTableName, Item: { ...tricky(keys, n), ...key(n) } }),
    );
  }
  await source.send(
    new PutItemCommand({
      TableName: deployment.sourceTableName,
      Item: { ...key(100), amount: { N: BIG }, note: { S: 'not for logs' } },
    }),
  );
  await replicator.drain();
  expect(await tableSnapshot(replica, target.tableName)).toEqual(
    await tableSnapshot(source, deployment.sourceTableName),
  );
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await canary?.stop();
  await drift?.stop();
  await replicator?.stop();
  for (const c of [source, replica, cloudwatch, s3]) c?.destroy();
  const t0 = Date.now();
  try {
    await stack?.destroy();
    timings.destroySeconds = (Date.now() - t0) / 1000;
  } finally {
    await moto?.stop();
    await workspace?.remove();
    timings.totalSeconds = (Date.now() - setupStarted) / 1000;
    console.info(`health e2e timings: ${JSON.stringify(timings)}`);
  }
}, SETUP_TIMEOUT_MS);

describe('examples/health on moto: what Terraform deployed', () => {
  it('schedules each health function through the scheduler role, which may invoke exactly those two', async () => {
    const { stdout } = await runTerraform(workspace.example('health'), ['show', '-json', '-no-color'], {
      env: localAwsEnv(),
    });
    type Res = { type: string; values: Record<string, unknown> };
    type Mod = { resources?: Res[]; child_modules?: Mod[] };
    const all = (m: Mod): Res[] => [...(m.resources ?? []), ...(m.child_modules ?? []).flatMap(all)];
    const state = JSON.parse(stdout) as { values: { root_module: Mod } };
    const schedules = all(state.values.root_module).filter((r) => r.type === 'aws_scheduler_schedule');
    const canaryArn = canary.function.FunctionArn as string;
    const driftArn = canaryArn.replace(/-canary$/, '-drift');
    const targets = schedules.map((s) => {
      const t = (s.values.target as { arn: string; role_arn: string }[])[0];
      return [s.values.schedule_expression, t?.arn, t?.role_arn];
    });
    const schedulerRole = `arn:aws:iam::${canaryArn.split(':')[4]}:role/${deployment.functionName}-scheduler`;
    expect(targets.sort()).toEqual([
      ['rate(1 hour)', driftArn, schedulerRole],
      ['rate(1 minute)', canaryArn, schedulerRole],
    ]);
    const scheduler = await rolePolicies(moto.endpoint, schedulerRole);
    expect(scheduler.inline.map(({ Sid: _s, ...s }) => s)).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: expect.arrayContaining([canaryArn, driftArn]),
      },
    ]);
    expect([scheduler.inline[0]?.Resource].flat()).toHaveLength(2);
  });

  it('lets the canary write only its heartbeat, and read the target only through the health role', async () => {
    const policies = await rolePolicies(moto.endpoint, canary.function.Role as string);
    expect(policies.attached).toEqual([]);
    const write = policies.inline.find((s) => s.Sid === 'WriteHeartbeat') as Statement;
    expect(write).toMatchObject({ Effect: 'Allow', Action: 'dynamodb:PutItem' });
    expect(write.Resource).toBe(
      `arn:aws:dynamodb:${deployment.sourceRegion}:${canary.function.FunctionArn?.split(':')[4]}:table/${deployment.sourceTableName}`,
    );
    const condition = write.Condition?.['ForAllValues:StringEquals'] ?? {};
    expect(condition['dynamodb:LeadingKeys']).toBe('__ddbsync_heartbeat__');
    expect([...(condition['dynamodb:Attributes'] as string[])].sort()).toEqual([
      'ddbsync_heartbeat_at',
      'ddbsync_heartbeat_id',
      'expires_at',
      'pk',
      'sk',
    ]);
    const health = await rolePolicies(moto.endpoint, out('target_health_role_arn'));
    expect(health.trust).toHaveLength(1);
    expect(health.trust[0]?.Condition).toEqual({
      StringEquals: { 'sts:ExternalId': 'ddbsync-example-external-id' },
    });
    const principals = health.trust[0]?.Principal as { AWS: string | string[] };
    expect([principals.AWS].flat().sort()).toEqual(
      [canary.function.Role, canary.function.Role?.replace(/-canary$/, '-drift')].sort(),
    );
    expect(health.inline.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeTable',
      'dynamodb:GetItem',
      'dynamodb:Scan',
    ]);
  });
});

describe('the lag canary, invoked as its schedule would', () => {
  it(
    'with replication working, reports a latency for the target and no miss; the alarms stay OK',
    async () => {
      const started = Date.now();
      const outcome = await whileReplicating(canary.invoke({}));
      timings.canaryHealthySeconds = (Date.now() - started) / 1000;
      expect(outcome.error).toBeUndefined();
      const result = outcome.result as {
        targets: { target: string; arrived: boolean; latencyMs?: number }[];
      };
      expect(result.targets).toEqual([
        { target: label, arrived: true, latencyMs: expect.any(Number), reads: expect.any(Number) },
      ]);
      const latency = result.targets[0]?.latencyMs as number;
      expect(latency).toBeGreaterThanOrEqual(0);
      expect(latency).toBeLessThan(MISS_THRESHOLD_S * 1000);

      await publish(outcome);
      expect(await metricMax(HEALTH_METRIC.heartbeatMissing, started)).toBe(0);
      expect(await metricMax(HEALTH_METRIC.endToEndLatency, started)).toBe(latency);

      await evaluateAlarms({ cloudwatch, now: new Date() });
      const missing = await describeAlarm(
        alarmName(`heartbeat-missing-${deployment.replicas[0]?.region}/${deployment.replicas[0]?.tableName}`),
      );
      // The alarm watches the very label the function published.
      expect(missing.Dimensions?.find((d) => d.Name === TARGET_DIMENSION)?.Value).toBe(label);
      expect(missing.StateValue).toBe('OK');
      const slow = await describeAlarm(
        alarmName(
          `end-to-end-latency-${deployment.replicas[0]?.region}/${deployment.replicas[0]?.tableName}`,
        ),
      );
      expect(slow.StateValue).toBe('OK');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'with nothing delivered, publishes HeartbeatMissing 1 and the alarm goes to ALARM within the threshold; delivery resumed, the heartbeat arrives',
    async () => {
      const name = alarmName(
        `heartbeat-missing-${deployment.replicas[0]?.region}/${deployment.replicas[0]?.tableName}`,
      );
      const outcome = await canary.invoke({});
      expect(outcome.error).toBeUndefined();
      const result = outcome.result as { writtenAt: string; targets: { target: string; arrived: boolean }[] };
      expect(result.targets).toEqual([expect.objectContaining({ target: label, arrived: false })]);
      const written = Date.parse(result.writtenAt);
      await publish(outcome);
      const [evaluation] = await evaluateAlarms({ cloudwatch, now: new Date(), alarmNames: [name] });
      const alarmedAfterMs = Date.now() - written;
      timings.missToAlarmSeconds = alarmedAfterMs / 1000;
      expect(evaluation).toMatchObject({ previous: 'OK', state: 'ALARM', changed: true });
      expect((await describeAlarm(name)).StateValue).toBe('ALARM');
      expect(await metricMax(HEALTH_METRIC.heartbeatMissing, written)).toBe(1);
      // The miss is declared at the threshold, not before, and the alarm follows at once.
      expect(alarmedAfterMs).toBeGreaterThanOrEqual(MISS_THRESHOLD_S * 1000);
      expect(alarmedAfterMs).toBeLessThan(MISS_THRESHOLD_S * 1000 + 15_000);

      // Delivery resumes: the next run sees its heartbeat. (The alarm clears with the first
      // period whose maximum is 0; this run shares its minute with the miss.)
      const next = await whileReplicating(canary.invoke({}));
      expect((next.result as { targets: { arrived: boolean }[] }).targets[0]?.arrived).toBe(true);
      expect(jsonLines(next).find((l) => '_aws' in l)).toMatchObject({ HeartbeatMissing: 0, Target: label });
      await publish(next);
    },
    RUN_TIMEOUT_MS,
  );
});

describe('drift detection, invoked as its schedule would', () => {
  const CHANGED = key(3);
  const MISSING = key(5);
  const EXTRA = key(900);
  const NUMBER = key(100);

  async function startDrift(functionEndpoint?: string): Promise<DeployedFunction> {
    await drift?.stop();
    drift = await startDeployedFunction({
      endpoint: moto.endpoint,
      region: deployment.sourceRegion,
      functionName: out('drift_function_name'),
      zipPath: healthZipPath,
      ...(functionEndpoint ? { functionEndpoint } : {}),
    });
    return drift;
  }

  /** The keys of the "drifted item" log lines, as pk values with their kind. */
  function driftedKeys(outcome: InvokeOutcome): string[] {
    return jsonLines(outcome)
      .filter((l) => l.message === 'drifted item')
      .map((l) => `${(l.key as { pk: { S: string } }).pk.S} ${l.kind as string}`)
      .sort();
  }

  const PLANTED = ['order#100 different', 'order#3 different', 'order#5 missing', 'order#900 extra'];

  it(
    'finds drift planted in the target (changed attribute, extra, missing, 38th digit), logs and reports its keys, counts it, alarms',
    async () => {
      const table = deployment.replicas[0]?.tableName as string;
      await replica.send(
        new UpdateItemCommand({
          TableName: table,
          Key: CHANGED,
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'tampered' } },
        }),
      );
      await replica.send(new DeleteItemCommand({ TableName: table, Key: MISSING }));
      await replica.send(new PutItemCommand({ TableName: table, Item: { ...EXTRA, note: { S: 'stray' } } }));
      await replica.send(
        new UpdateItemCommand({
          TableName: table,
          Key: NUMBER,
          UpdateExpression: 'SET amount = :a',
          ExpressionAttributeValues: { ':a': { N: `${BIG.slice(0, 37)}9` } },
        }),
      );

      const check = await startDrift();
      const started = Date.now();
      const outcome = await check.invoke({});
      timings.driftRunSeconds = (Date.now() - started) / 1000;
      expect(outcome.error).toBeUndefined();
      const summary = outcome.result as {
        wholeTable: boolean;
        targets: { target: string; drifted: number }[];
        report?: string;
      };
      expect(summary.wholeTable).toBe(true);
      expect(summary.targets).toEqual([expect.objectContaining({ target: label, drifted: 4 })]);
      expect(driftedKeys(outcome)).toEqual(PLANTED);
      // Keys only: no attribute value of an item reaches the log.
      expect(outcome.logs.join('\n')).not.toContain('not for logs');
      expect(outcome.logs.join('\n')).not.toContain('tampered');

      const bucket = out('drift_report_bucket');
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'drift/' }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual([summary.report?.replace(`s3://${bucket}/`, '')]);
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: listed.Contents?.[0]?.Key }));
      const text = (await object.Body?.transformToString()) ?? '';
      expect(text).not.toContain('not for logs');
      expect(text).not.toContain('tampered');
      const report = JSON.parse(text) as {
        targets: {
          target: string;
          drifted: number;
          items?: { key: { pk: { S: string } }; kind: string }[];
        }[];
      };
      const reported = report.targets[0];
      expect(reported?.target).toBe(label);
      expect(reported?.drifted).toBe(4);
      expect(JSON.stringify(reported)).toContain('order#900');

      await publish(outcome);
      expect(await metricMax(HEALTH_METRIC.driftedItems, started)).toBe(4);
      const name = alarmName(`drifted-items-${deployment.replicas[0]?.region}/${table}`);
      await evaluateAlarms({ cloudwatch, now: new Date(), alarmNames: [name] });
      expect((await describeAlarm(name)).StateValue).toBe('ALARM');

      // Repair is off: the target keeps its drift.
      const changed = await replica.send(
        new GetItemCommand({ TableName: table, Key: CHANGED, ConsistentRead: true }),
      );
      expect(changed.Item?.status?.S).toBe('tampered');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'repairs it once Terraform turns repair on, and the next run finds nothing',
    async () => {
      const t0 = Date.now();
      await apply(workspace.example('health'), { env: localAwsEnv(), vars: { ...VARS, drift_repair: true } });
      timings.reapplySeconds = (Date.now() - t0) / 1000;
      const health = await rolePolicies(moto.endpoint, out('target_health_role_arn'));
      expect(health.inline.flatMap((s) => [s.Action].flat()).sort()).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:DescribeTable',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Scan',
      ]);

      const check = await startDrift();
      expect(check.environment.REPAIR).toBe('true');
      const started = Date.now();
      const repaired = await check.invoke({});
      expect(repaired.error).toBeUndefined();
      expect((repaired.result as { targets: unknown[] }).targets).toEqual([
        expect.objectContaining({ target: label, drifted: 4, repaired: 4 }),
      ]);
      expect(driftedKeys(repaired)).toEqual(PLANTED);
      await publish(repaired);
      expect(await metricMax(HEALTH_METRIC.driftRepairedItems, started)).toBe(4);
      const table = deployment.replicas[0]?.tableName as string;
      expect(await tableSnapshot(replica, table)).toEqual(
        await tableSnapshot(source, deployment.sourceTableName),
      );

      const after = await check.invoke({});
      expect((after.result as { targets: unknown[] }).targets).toEqual([
        expect.objectContaining({ target: label, drifted: 0, repaired: 0 }),
      ]);
      expect(jsonLines(after).find((l) => '_aws' in l)).toMatchObject({ DriftedItems: 0, Target: label });
      await publish(after);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'does not report a change in flight: written to the source, replicated during the re-check delay',
    async () => {
      const watch = await startRequestWatch(moto.endpoint);
      try {
        const check = await startDrift(watch.endpoint);
        const flying = key(7);
        await source.send(
          new UpdateItemCommand({
            TableName: deployment.sourceTableName,
            Key: flying,
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':s': { S: 'shipped' } },
          }),
        );
        const run = check.invoke({});
        // After the function's first read of the target, before its re-check: replicate.
        const table = deployment.replicas[0]?.tableName as string;
        await watch.waitFor(batchGetOf(table));
        const firstReadAt = Date.now();
        const delivered = await replicator.drain();
        expect(delivered.records).toBeGreaterThanOrEqual(1);
        timings.inFlightReplicatedAfterMs = Date.now() - firstReadAt;
        const outcome = await run;
        expect(outcome.error).toBeUndefined();
        expect((outcome.result as { targets: unknown[] }).targets).toEqual([
          expect.objectContaining({ target: label, drifted: 0, settledOnRecheck: 1 }),
        ]);
        expect(driftedKeys(outcome)).toEqual([]);
        await publish(outcome);
      } finally {
        await watch.close();
      }
    },
    RUN_TIMEOUT_MS,
  );
});

describe('the dashboard', () => {
  it('names only metrics the functions published, with their namespace and exact dimensions, and the module alarms', async () => {
    // The replicator's own metrics, from every batch it applied.
    await publishEmfLogs(
      cloudwatch,
      replicator.outcomes.flatMap((o) => o.logs),
    );
    const body = (await cloudwatch.send(new GetDashboardCommand({ DashboardName: out('dashboard_name') })))
      .DashboardBody;
    const widgets = (
      JSON.parse(body ?? '{}') as {
        widgets: { type: string; properties: { metrics?: unknown[][]; alarms?: string[] } }[];
      }
    ).widgets;

    const lambdaFunctions = [
      deployment.functionName,
      out('canary_function_name'),
      out('drift_function_name'),
    ];
    const queue = out('dlq_url').split('/').pop();
    const seen = new Set<string>();
    for (const row of widgets.flatMap((w) => (w.type === 'metric' ? (w.properties.metrics ?? []) : []))) {
      const [namespace, name, ...rest] = row;
      const dims: { Name: string; Value: string }[] = [];
      for (let i = 0; i + 1 < rest.length && typeof rest[i] === 'string'; i += 2) {
        dims.push({ Name: rest[i] as string, Value: rest[i + 1] as string });
      }
      seen.add(String(name));
      if (namespace === 'AWS/Lambda') {
        expect(dims.map((d) => d.Name)).toEqual(['FunctionName']);
        expect(lambdaFunctions).toContain(dims[0]?.Value);
        continue;
      }
      if (namespace === 'AWS/SQS') {
        expect(dims).toEqual([{ Name: 'QueueName', Value: queue }]);
        continue;
      }
      expect(namespace).toBe(replicator.environment.POWERTOOLS_METRICS_NAMESPACE);
      expect([...Object.values(METRIC), ...Object.values(HEALTH_METRIC)]).toContain(name);
      const listed = await cloudwatch.send(
        new ListMetricsCommand({
          Namespace: namespace as string,
          MetricName: name as string,
          Dimensions: dims,
        }),
      );
      const exact = (listed.Metrics ?? []).filter((m) => (m.Dimensions ?? []).length === dims.length);
      expect(exact, `${String(name)} with ${JSON.stringify(dims)} was published`).not.toHaveLength(0);
    }
    for (const wanted of [
      METRIC.recordsReceived,
      METRIC.itemsPut,
      METRIC.itemsDeleted,
      METRIC.failedRecords,
      METRIC.replicationLatency,
      ...Object.values(HEALTH_METRIC),
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
      'Duration',
    ]) {
      expect(seen, `a widget shows ${wanted}`).toContain(wanted);
    }

    const alarmWidget = widgets.find((w) => w.type === 'alarm');
    const arns = (
      await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: deployment.functionName }))
    ).MetricAlarms?.map((a) => a.AlarmArn);
    expect([...(alarmWidget?.properties.alarms ?? [])].sort()).toEqual([...(arns ?? [])].sort());
  });
});
