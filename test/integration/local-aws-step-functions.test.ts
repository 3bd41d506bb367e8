/**
 * Step Functions on the local AWS, as the first sync uses it: state machines run (again and
 * again), and a Distributed Map reads an S3 listing and invokes a Lambda function per object,
 * looping on the same object until the function says it is done. Everything runs in an
 * account other than moto's default, as a state machine acts with its execution role.
 * Stock moto_server fails these tests (LOCAL_AWS_SERVER=moto_server shows it): it executes no
 * state machine unless configured to, then refuses every StartExecution after the first,
 * and cannot run the Lambda function.
 */

import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeMapRunCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAwsWithLambda, startLocalAws } from '../support/local-aws.js';
import {
  accountCredentials,
  bundleHandler,
  type Credentials,
  deployFunction,
  type TestFunction,
} from '../support/test-functions.js';

const REGION = 'eu-central-1';
const ACCOUNT = '222222222222';
const BUCKET = 'first-sync-map-test';
const LINES_PER_CALL = 2;

/** A stand-in for the loader: reads its object from S3 and "loads" LINES_PER_CALL lines per call. */
const LOADER = `
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
const s3 = new S3Client({});
class LoadError extends Error { name = 'LoadError'; }
export const handler = async (event) => {
  if (event.key.includes('poison')) throw new LoadError('cannot load ' + event.key);
  const got = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: event.key }));
  const lines = (await got.Body.transformToString()).split('\\n').filter((l) => l !== '');
  const start = event.startLine ?? 0;
  const end = Math.min(lines.length, start + Number(process.env.LINES_PER_CALL));
  return { key: event.key, done: end >= lines.length, nextLine: end, items: end - start };
};
`;

let aws: LocalAwsWithLambda;
let credentials: Credentials;
let sfn: SFNClient;
let s3: S3Client;
let loader: TestFunction;
let stateMachineRole: string;

beforeAll(async () => {
  aws = await startLocalAws({ localLambda: true });
  credentials = await accountCredentials(aws.endpoint, ACCOUNT);
  sfn = new SFNClient({ endpoint: aws.endpoint, region: REGION, credentials });
  s3 = new S3Client({ endpoint: aws.endpoint, region: REGION, credentials, forcePathStyle: true });
  await s3.send(
    new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
  );
  loader = await deployFunction({
    endpoint: aws.endpoint,
    region: REGION,
    credentials,
    name: 'map-loader',
    zip: await bundleHandler(LOADER),
    env: { LINES_PER_CALL: String(LINES_PER_CALL) },
  });
  const iam = new IAMClient({ endpoint: aws.endpoint, region: REGION, credentials });
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: 'states-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  iam.destroy();
  stateMachineRole = role.Role?.Arn ?? '';
});

afterAll(async () => {
  sfn?.destroy();
  s3?.destroy();
  await aws?.stop();
});

async function createStateMachine(name: string, definition: object): Promise<string> {
  const out = await sfn.send(
    new CreateStateMachineCommand({
      name,
      definition: JSON.stringify(definition),
      roleArn: stateMachineRole,
    }),
  );
  if (!out.stateMachineArn) throw new Error('no state machine ARN');
  return out.stateMachineArn;
}

/** The longest an execution here may run: the slowest took about 5 s on this machine. */
const EXECUTION_LIMIT_MS = 60_000;

/** Polls until the execution leaves RUNNING (moto runs it in a thread). */
async function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  const deadline = Date.now() + EXECUTION_LIMIT_MS;
  for (;;) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (out.status !== 'RUNNING') return out;
    if (Date.now() > deadline)
      throw new Error(`${executionArn} still RUNNING after ${EXECUTION_LIMIT_MS} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function onlyMapRun(executionArn: string | undefined) {
  const runs = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns ?? [];
  expect(runs).toHaveLength(1);
  return sfn.send(new DescribeMapRunCommand({ mapRunArn: runs[0]?.mapRunArn }));
}

async function run(stateMachineArn: string, input: object, name?: string) {
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }),
  );
  return finished(started.executionArn ?? '');
}

/** The first sync's shape: a Distributed Map over an S3 listing, each child looping on its object until done. */
function loadStateMachine(prefix: string) {
  return {
    StartAt: 'Load',
    States: {
      Load: {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:listObjectsV2',
          Parameters: { Bucket: BUCKET, Prefix: prefix },
        },
        ItemSelector: { bucket: BUCKET, 'key.$': '$$.Map.Item.Value.Key', startLine: 0 },
        MaxConcurrency: 2,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'LoadFile',
          States: {
            LoadFile: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: loader.functionArn, 'Payload.$': '$' },
              ResultSelector: { 'out.$': '$.Payload' },
              ResultPath: '$.result',
              Next: 'Done?',
            },
            'Done?': {
              Type: 'Choice',
              Choices: [{ Variable: '$.result.out.done', BooleanEquals: true, Next: 'FileLoaded' }],
              Default: 'Continue',
            },
            Continue: {
              Type: 'Pass',
              Parameters: {
                'bucket.$': '$.bucket',
                'key.$': '$.key',
                'startLine.$': '$.result.out.nextLine',
              },
              Next: 'LoadFile',
            },
            FileLoaded: { Type: 'Pass', OutputPath: '$.result.out', End: true },
          },
        },
        End: true,
      },
    },
  };
}

async function putObjects(objects: Record<string, number>): Promise<void> {
  for (const [key, lines] of Object.entries(objects)) {
    const body = Array.from({ length: lines }, (_, i) => `{"line":${i}}\n`).join('');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
}

describe('Step Functions on the local AWS', () => {
  it('runs a state machine again and again, with and without execution names', async () => {
    const arn = await createStateMachine('echo', {
      StartAt: 'Echo',
      States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$.n' }, End: true } },
    });
    const outcomes = [];
    for (const [n, name] of [
      [1, 'first'],
      [2, 'second'],
      [3, undefined],
      [4, undefined],
    ] as const) {
      const out = await run(arn, { n }, name);
      outcomes.push({ status: out.status, output: JSON.parse(out.output ?? 'null') });
      if (name) expect(out.executionArn).toMatch(new RegExp(`:${name}$`));
    }
    expect(outcomes).toEqual([1, 2, 3, 4].map((n) => ({ status: 'SUCCEEDED', output: { got: n } })));
  });

  it('runs a Distributed Map over S3 objects, invoking the Lambda per object until it is done', async () => {
    const objects = {
      'load/data/a.json': 5,
      'load/data/b.json': 1,
      'load/data/c.json': 4,
      'load/data/d.json': 0,
    };
    await putObjects({ ...objects, 'load/manifest.json': 3 });
    const arn = await createStateMachine('load', loadStateMachine('load/data/'));
    const before = aws.lambda.invocations.length;

    const out = await run(arn, {});

    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output ?? 'null')).toEqual(
      Object.entries(objects).map(([key, lines]) => ({
        key,
        done: true,
        nextLine: lines,
        items: lines === 0 ? 0 : lines - LINES_PER_CALL * (Math.ceil(lines / LINES_PER_CALL) - 1),
      })),
    );
    // Each object was continued where the previous call stopped, and only the listed ones.
    const calls = aws.lambda.invocations
      .slice(before)
      .map((i) => i.event as { key: string; startLine: number });
    for (const [key, lines] of Object.entries(objects)) {
      const starts = calls.filter((c) => c.key === key).map((c) => c.startLine);
      const expected =
        lines === 0 ? [0] : Array.from({ length: Math.ceil(lines / LINES_PER_CALL) }, (_, i) => i * 2);
      expect(starts, key).toEqual(expected);
    }
    expect(calls.every((c) => c.key.startsWith('load/data/'))).toBe(true);
    const mapRun = await onlyMapRun(out.executionArn);
    expect(mapRun.status).toBe('SUCCEEDED');
    expect(mapRun.itemCounts).toMatchObject({ total: 4, succeeded: 4, failed: 0, running: 0 });
  });

  it('fails the run when a child fails, naming the child and its error, as AWS does by default', async () => {
    await putObjects({ 'tainted/data/a.json': 3, 'tainted/data/poison.json': 2, 'tainted/data/z.json': 1 });
    const arn = await createStateMachine('tainted', loadStateMachine('tainted/data/'));

    const out = await run(arn, {});

    expect({ status: out.status, error: out.error }).toEqual({
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
    });
    const mapRun = await onlyMapRun(out.executionArn);
    expect(mapRun.status).toBe('FAILED');
    expect(mapRun.itemCounts).toMatchObject({ failed: 1, running: 0 });
    expect(mapRun.executionCounts).toMatchObject({ failed: 1, running: 0 });
    const failed = await sfn.send(
      new ListExecutionsCommand({ mapRunArn: mapRun.mapRunArn, statusFilter: 'FAILED' }),
    );
    expect(failed.executions).toHaveLength(1);
    const child = await sfn.send(
      new DescribeExecutionCommand({ executionArn: failed.executions?.[0]?.executionArn }),
    );
    expect(JSON.parse(child.input ?? '{}')).toMatchObject({ key: 'tainted/data/poison.json', startLine: 0 });
    expect(child.error).toBe('LoadError');
    expect(JSON.parse(child.cause ?? '{}')).toEqual({
      errorType: 'LoadError',
      errorMessage: 'cannot load tainted/data/poison.json',
    });
  });

  it("succeeds within ToleratedFailureCount, the failure showing only in DescribeMapRun's counts", async () => {
    await putObjects({
      'tolerated/data/a.json': 3,
      'tolerated/data/poison.json': 2,
      'tolerated/data/z.json': 1,
    });
    const definition = loadStateMachine('tolerated/data/');
    const arn = await createStateMachine('tolerated', {
      ...definition,
      States: { Load: { ...definition.States.Load, ToleratedFailureCount: 1 } },
    });

    const out = await run(arn, {});

    expect(out.status).toBe('SUCCEEDED');
    const mapRun = await onlyMapRun(out.executionArn);
    expect(mapRun.status).toBe('SUCCEEDED');
    expect(mapRun.itemCounts).toMatchObject({ total: 3, succeeded: 2, failed: 1, running: 0 });
    const all = await sfn.send(new ListExecutionsCommand({ mapRunArn: mapRun.mapRunArn }));
    expect(all.executions?.map((e) => e.status).sort()).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it("gives an SDK response's datetimes as ISO 8601 text in a child's input and in the execution's output", async () => {
    await putObjects({ 'dated/a.jsonl': 1 });
    const arn = await createStateMachine('dated', {
      StartAt: 'List',
      States: {
        // An AWS SDK integration's answer holds datetimes (here LastModified; DescribeExport's ExportTime too).
        List: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:listObjectsV2',
          Parameters: { Bucket: BUCKET, Prefix: 'dated/' },
          ResultPath: '$.listing',
          Next: 'EachObject',
        },
        EachObject: {
          Type: 'Map',
          ItemsPath: '$.listing.Contents',
          ItemSelector: { 'key.$': '$$.Map.Item.Value.Key', 'modified.$': '$$.Map.Item.Value.LastModified' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
            StartAt: 'Seen',
            States: { Seen: { Type: 'Pass', End: true } },
          },
          ResultPath: null,
          End: true,
        },
      },
    });
    const out = await run(arn, {});
    expect(out.status, `${out.error}: ${out.cause}`).toBe('SUCCEEDED');
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;
    const output = JSON.parse(out.output ?? '{}') as { listing: { Contents: { LastModified: string }[] } };
    expect(output.listing.Contents[0]?.LastModified).toMatch(iso);
    const mapRun = await onlyMapRun(out.executionArn);
    const children = await sfn.send(new ListExecutionsCommand({ mapRunArn: mapRun.mapRunArn }));
    const child = await sfn.send(
      new DescribeExecutionCommand({ executionArn: children.executions?.[0]?.executionArn }),
    );
    expect(JSON.parse(child.input ?? '{}')).toEqual({
      key: 'dated/a.jsonl',
      modified: expect.stringMatching(iso),
    });
  });
});
