/**
 * The dashboard modules/replicator renders, checked against what the functions publish:
 * the module is planned (against moto, for its table lookup) with the canary, drift
 * detection with repair, and two targets (one in another account through a health role,
 * one in the function's own account); the dashboard body comes from the plan. Every metric
 * on it must be one the code publishes, in the namespace and with exactly the dimensions
 * it publishes with: the replicator's metrics (METRIC) with `service`; the canary's and
 * drift detection's (HEALTH_METRIC) with `service` and TARGET_DIMENSION, whose values are
 * the labels targetLabel() gives the planned HEALTH_TARGETS; AWS/Lambda and AWS/SQS
 * metrics of the planned functions and queue. test/e2e/health.test.ts checks the same
 * dashboard against the metrics actually extracted from the deployed functions' logs.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_METRIC, METRIC, parseTargets, TARGET_DIMENSION, targetLabel } from '#core';
import { LOCAL_CREDENTIALS } from '../support/deployed-replicator.js';
import { createTable, dynamoClient } from '../support/fixtures.js';
import { writeLocalAwsOverride } from '../support/local-aws-override.js';
import type { MotoServer } from '../support/moto.js';
import { startMoto } from '../support/moto.js';
import { init, localAwsEnv, runTerraform } from '../support/terraform.js';
import { REPLICATOR_ZIP, REPO_ROOT } from '../support/terraform-workspace.js';

const HEALTH_ZIP = join(REPO_ROOT, 'dist', 'health.zip');

const ACCOUNT = '123456789012'; // moto's default account: the function's own
const NAME = 'orders-sync';

// The metrics AWS publishes for these resources that the dashboard may show.
const LAMBDA_METRICS = [
  'IteratorAge',
  'Errors',
  'Throttles',
  'Duration',
  'Invocations',
  'ConcurrentExecutions',
];
const SQS_METRICS = ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage'];

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; region?: string };
}

interface PlannedResource {
  address: string;
  type: string;
  change: { after: Record<string, unknown> };
}

let moto: MotoServer;
let dir: string;
let planned: PlannedResource[];

function config(): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region = "us-east-1"
}

module "replicator" {
  source            = ${JSON.stringify(join(REPO_ROOT, 'modules', 'replicator'))}
  name              = "${NAME}"
  source_table_name = "orders"
  lambda_zip_path   = ${JSON.stringify(REPLICATOR_ZIP)}
  health_lambda_zip_path = ${JSON.stringify(HEALTH_ZIP)}
  targets = [
    {
      table_name      = "orders-replica"
      region          = "eu-west-1"
      role_arn        = "arn:aws:iam::222222222222:role/orders-sync-writer"
      external_id     = "shared-secret"
      health_role_arn = "arn:aws:iam::222222222222:role/orders-sync-health"
    },
    { table_name = "orders-copy", region = "us-west-2" },
  ]
  canary = {
    enabled       = true
    heartbeat_key = jsonencode({ pk = { S = "__ddbsync_heartbeat__" }, sk = { N = "0" } })
  }
  drift_detection = { enabled = true, repair = true }
}
`;
}

beforeAll(async () => {
  moto = await startMoto();
  const dynamodb = dynamoClient(moto.endpoint, 'us-east-1', LOCAL_CREDENTIALS);
  await createTable(dynamodb, 'orders', { stream: true });
  dynamodb.destroy();

  dir = await mkdtemp(join(tmpdir(), 'ddbsync-dashboard-'));
  await writeFile(join(dir, 'main.tf'), config());
  await writeLocalAwsOverride(dir, moto.endpoint);
  const run = { env: localAwsEnv() };
  await init(dir, run);
  await runTerraform(dir, ['plan', '-input=false', '-no-color', '-out=plan.bin'], run);
  const { stdout } = await runTerraform(dir, ['show', '-json', '-no-color', 'plan.bin'], run);
  planned = (JSON.parse(stdout) as { resource_changes: PlannedResource[] }).resource_changes;
}, 240_000);

afterAll(async () => {
  await moto?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function resource(address: string): Record<string, unknown> {
  const found = planned.find((r) => r.address === address);
  if (!found) throw new Error(`${address} is not in the plan`);
  return found.change.after;
}

function environment(address: string): Record<string, string> {
  return ((resource(address).environment as { variables: Record<string, string> }[])[0]?.variables ??
    {}) as Record<string, string>;
}

function widgets(): Widget[] {
  const body = resource('module.replicator.aws_cloudwatch_dashboard.this[0]').dashboard_body;
  expect(typeof body, 'the dashboard body is known when planning').toBe('string');
  return (JSON.parse(body as string) as { widgets: Widget[] }).widgets;
}

/** A metric row: namespace, name, then dimension name/value pairs, then an optional options object. */
function parseRow(row: unknown[]): { namespace: string; name: string; dimensions: Record<string, string> } {
  const [namespace, name, ...rest] = row;
  const dimensions: Record<string, string> = {};
  let i = 0;
  for (; i + 1 < rest.length && typeof rest[i] === 'string'; i += 2) {
    dimensions[rest[i] as string] = rest[i + 1] as string;
  }
  expect(
    rest.slice(i).every((r) => typeof r === 'object' && r !== null),
    `row ${JSON.stringify(row)}`,
  ).toBe(true);
  return { namespace: namespace as string, name: name as string, dimensions };
}

describe('the dashboard of modules/replicator', () => {
  it('names only metrics the functions publish, in their namespace, with exactly their dimensions', () => {
    const replicator = environment('module.replicator.aws_lambda_function.this');
    const canary = environment('module.replicator.aws_lambda_function.canary[0]');
    const drift = environment('module.replicator.aws_lambda_function.drift[0]');
    // All three functions publish to one namespace and service.
    for (const env of [canary, drift]) {
      expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe(replicator.POWERTOOLS_METRICS_NAMESPACE);
      expect(env.POWERTOOLS_SERVICE_NAME).toBe(replicator.POWERTOOLS_SERVICE_NAME);
      expect(env.HEALTH_TARGETS).toBe(canary.HEALTH_TARGETS);
    }
    const namespace = replicator.POWERTOOLS_METRICS_NAMESPACE as string;
    const service = replicator.POWERTOOLS_SERVICE_NAME as string;
    // The labels the functions put in the Target dimension, by their own code.
    const labels = parseTargets(canary.HEALTH_TARGETS, 'us-east-1', 'HEALTH_TARGETS').map((t) =>
      targetLabel(t, ACCOUNT),
    );
    expect(labels).toEqual(['222222222222/eu-west-1/orders-replica', `${ACCOUNT}/us-west-2/orders-copy`]);

    const functions = ['this', 'canary[0]', 'drift[0]'].map(
      (r) => resource(`module.replicator.aws_lambda_function.${r}`).function_name as string,
    );
    const queue = resource('module.replicator.aws_sqs_queue.dlq[0]').name as string;
    const replicatorMetrics: string[] = Object.values(METRIC);
    const healthMetrics: string[] = Object.values(HEALTH_METRIC);
    const shown = new Map<string, Set<string>>();

    const rows = widgets().flatMap((w) => (w.type === 'metric' ? (w.properties.metrics ?? []) : []));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const { namespace: ns, name, dimensions } = parseRow(row);
      const where = `${ns} ${name} ${JSON.stringify(dimensions)}`;
      if (ns === 'AWS/Lambda') {
        expect(LAMBDA_METRICS, where).toContain(name);
        expect(Object.keys(dimensions), where).toEqual(['FunctionName']);
        expect(functions, where).toContain(dimensions.FunctionName);
      } else if (ns === 'AWS/SQS') {
        expect(SQS_METRICS, where).toContain(name);
        expect(dimensions, where).toEqual({ QueueName: queue });
      } else if (replicatorMetrics.includes(name)) {
        expect(ns, where).toBe(namespace);
        expect(dimensions, where).toEqual({ service });
      } else {
        expect(healthMetrics, `${where} is a metric the code publishes`).toContain(name);
        expect(ns, where).toBe(namespace);
        expect(Object.keys(dimensions).sort(), where).toEqual([TARGET_DIMENSION, 'service'].sort());
        expect(dimensions.service, where).toBe(service);
        expect(labels, where).toContain(dimensions[TARGET_DIMENSION]);
      }
      const targets = shown.get(name) ?? new Set<string>();
      targets.add(dimensions[TARGET_DIMENSION] ?? '');
      shown.set(name, targets);
    }

    // What the issue asks for is all there, and each per-target metric for every target.
    for (const name of [
      METRIC.recordsReceived,
      METRIC.itemsPut,
      METRIC.itemsDeleted,
      METRIC.failedRecords,
      METRIC.replicationLatency,
      'IteratorAge',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
      'Throttles',
      'Duration',
    ]) {
      expect(shown.has(name), `a widget shows ${name}`).toBe(true);
    }
    for (const name of healthMetrics) {
      expect([...(shown.get(name) ?? [])].sort(), `${name} per target`).toEqual([...labels].sort());
    }
  });

  it('lays the widgets out on a 24-column grid without overlaps, in the module region', () => {
    const all = widgets();
    const cells = new Set<string>();
    for (const w of all) {
      expect(w.x + w.width, w.properties.title).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          const cell = `${x},${y}`;
          expect(cells.has(cell), `${w.properties.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
      if (w.type === 'metric') expect(w.properties.region).toBe('us-east-1');
    }
  });

  it('shows every alarm of the module on its alarm widget', () => {
    const names = planned
      .filter((r) => r.type === 'aws_cloudwatch_metric_alarm')
      .map((r) => r.change.after.alarm_name as string);
    expect(names.length).toBe(3 + 1 + 2 + 2 * 2 + 2);
    const alarmWidget = widgets().find((w) => w.type === 'alarm');
    expect([...(alarmWidget?.properties.alarms ?? [])].sort()).toEqual(
      names.map((n) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${n}`).sort(),
    );
  });
});
