/**
 * `ddbsync first-sync verify`, the `--load import` size check and stopping a watch, with Step Functions and
 * DynamoDB answering as the AWS API documents (mocked clients: the verify branch of the state
 * machine is not built yet, and no local table reaches ImportTable's terabyte limits). What a
 * user relies on: the input sent, the table per target and the report, and the exit code that
 * tells zero differences (0), differences left (1) and a failed run (2) apart.
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cli, useMockedDynamo } from './helpers.js';

const MACHINE = 'arn:aws:states:eu-central-1:111111111111:stateMachine:orders-first-sync';
const EXECUTION = 'arn:aws:states:eu-central-1:111111111111:execution:orders-first-sync:v1';
const MAP_RUN = 'arn:aws:states:eu-central-1:111111111111:mapRun:orders-first-sync/VerifyFile:1';

const dynamo = useMockedDynamo();
const sfn = mockClient(SFNClient);
afterAll(() => sfn.restore());
beforeEach(() => sfn.reset());

const started = new Date('2026-12-02T04:00:00Z');
const stopped = new Date('2026-12-02T04:10:00Z');

function verifyRun(status: string, output: object | undefined, failedFiles = 0) {
  sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: started });
  sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION }).resolves({
    executionArn: EXECUTION,
    status: status as 'SUCCEEDED',
    startDate: started,
    stopDate: stopped,
    input: JSON.stringify({ action: 'verify', load: 'map', repair: false }),
    ...(output ? { output: JSON.stringify(output) } : {}),
    ...(status === 'FAILED' ? { error: 'VerifyFailed', cause: 'a target could not be read' } : {}),
  });
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      {
        id: 1,
        type: 'MapRunStarted',
        timestamp: started,
        mapRunStartedEventDetails: { mapRunArn: MAP_RUN },
      },
    ],
  });
  sfn.on(DescribeMapRunCommand).resolves({
    mapRunArn: MAP_RUN,
    startDate: started,
    stopDate: stopped,
    itemCounts: {
      total: 4,
      pending: 0,
      running: 0,
      succeeded: 4 - failedFiles,
      failed: failedFiles,
      timedOut: 0,
      aborted: 0,
      resultsWritten: 4 - failedFiles,
    },
  } as never);
  sfn.on(ListExecutionsCommand).resolves({ executions: [] });
}

const result = (differing: number, repaired: number) => ({
  targets: [
    { target: 'orders@eu-west-1', compared: 1000, differing, missingInTarget: 0, onlyInTarget: 0, repaired },
  ],
  differences: differing,
  report: 's3://exports/verify/v1/report.json',
});

describe('ddbsync first-sync verify', () => {
  it('sends action verify with --repair, prints the table and the report; all repaired: exit 0', async () => {
    verifyRun('SUCCEEDED', result(2, 2));
    const r = await cli(['first-sync', 'verify', '--state-machine-arn', MACHINE, '--repair', '--name', 'v1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start).toEqual({
      stateMachineArn: MACHINE,
      name: 'v1',
      input: JSON.stringify({ action: 'verify', load: 'map', repair: true }),
    });
    expect(r.stdout).toContain('verify done: 4/4 files, 0 items compared, in 10m 00s');
    expect(r.stdout).toContain(
      'orders@eu-west-1     1,000          2                  0               0         2\n',
    );
    expect(r.stdout).toContain(
      'every target equals the source\nreport (differing keys): s3://exports/verify/v1/report.json\n',
    );
  });

  it('differences left unrepaired: exit 1', async () => {
    verifyRun('SUCCEEDED', result(3, 0));
    const r = await cli(['first-sync', 'verify', '--state-machine-arn', MACHINE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('3 differences not repaired (run again with --repair to repair them)');
  });

  it('a failed run, or a failed file under a SUCCEEDED execution: exit 2, no table', async () => {
    verifyRun('FAILED', undefined);
    const failed = await cli(['first-sync', 'verify', '--state-machine-arn', MACHINE, '--json']);
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout)).toMatchObject({ outcome: 'failed', error: 'VerifyFailed' });

    sfn.reset();
    verifyRun('SUCCEEDED', result(0, 0), 1);
    const partial = await cli(['first-sync', 'verify', '--state-machine-arn', MACHINE]);
    expect(partial.code).toBe(2);
    expect(partial.stdout).toContain(
      'verify FAILED after 10m 00s: the execution SUCCEEDED but 1 file failed',
    );
    expect(partial.stdout).not.toContain('every target equals the source');
  });
});

describe('ddbsync first-sync start --load import', () => {
  const definition = JSON.stringify({
    StartAt: 'ExportTable',
    States: {
      ExportTable: {
        Type: 'Task',
        Parameters: { TableArn: 'arn:aws:dynamodb:eu-central-1:111111111111:table/orders' },
        End: true,
      },
    },
  });

  it("refuses a source table over ImportTable's limit in a target region, saying to use --load map", async () => {
    sfn.on(DescribeStateMachineCommand).resolves({ definition } as never);
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableSizeBytes: 2 * 1024 ** 4 } });
    const r = await cli([
      'first-sync',
      'start',
      '--state-machine-arn',
      MACHINE,
      '--load',
      'import',
      '--target-regions',
      'us-east-1,eu-central-1',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "ddbsync: --load import: the source table holds 2.20 TB, over ImportTable's documented limit (1 TB in eu-central-1); use --load map\n",
    );
    expect(dynamo.commandCalls(DescribeTableCommand)[0]?.args[0].input).toEqual({
      TableName: 'arn:aws:dynamodb:eu-central-1:111111111111:table/orders',
    });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('starts an import that fits (15 TB regions take 2 TB)', async () => {
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableSizeBytes: 2 * 1024 ** 4 } });
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: started });
    const r = await cli([
      'first-sync',
      'start',
      '--state-machine-arn',
      MACHINE,
      '--load',
      'import',
      '--source-table',
      'orders',
      '--target-regions',
      'us-east-1,eu-west-1',
      '--no-wait',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '')).toEqual({
      action: 'sync',
      load: 'import',
      repair: false,
    });
  });
});

describe('ddbsync first-sync status --watch', () => {
  it('Ctrl-C stops the watch, not the execution: it says how to watch again, exit 130', async () => {
    verifyRun('RUNNING', undefined);
    const controller = new AbortController();
    let draws = 0;
    sfn.on(DescribeMapRunCommand).callsFake(() => {
      draws += 1;
      if (draws === 2) controller.abort();
      return {
        mapRunArn: MAP_RUN,
        startDate: started,
        itemCounts: { total: 4, pending: 2, running: 2, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 },
      };
    });
    const r = await cli(
      ['first-sync', 'status', '--execution-arn', EXECUTION, '--watch', '--interval', '0.05'],
      {
        signal: controller.signal,
      },
    );
    expect(r.code).toBe(130);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('verifying | files 0/4 done'))).toHaveLength(2);
    expect(r.stderr).toBe(
      `stopped watching; the execution goes on (ddbsync first-sync status --execution-arn ${EXECUTION} --watch)\n`,
    );
  });
});
