/**
 * Lambda's Invoke API on the local AWS runs the deployed function's own code with its
 * execution role's credentials (test/support/local-lambda-service.ts, forwarded to by the
 * moto launcher). Stock moto_server fails every test here: it runs functions in Docker,
 * absent here, and answers "error running docker" (LOCAL_AWS_SERVER=moto_server shows it).
 */
import { createHash } from 'node:crypto';
import {
  GetFunctionCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAwsWithLambda, startLocalAws } from '../support/local-aws.js';
import {
  accountCredentials,
  bundleHandler,
  deployFunction,
  type TestFunction,
} from '../support/test-functions.js';

const REGION = 'eu-west-2';
/** Not moto's default account, so that "runs in its account" means something. */
const ACCOUNT = '111111111111';

const HANDLER = `
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
const sts = new STSClient({});
let calls = 0;
export const handler = async (event, context) => {
  calls++;
  console.log('call', calls, 'of', context.functionName);
  if (event.fail) throw new RangeError('asked to fail: ' + event.fail);
  const me = await sts.send(new GetCallerIdentityCommand({}));
  return {
    calls,
    event,
    account: me.Account,
    arn: me.Arn,
    setting: process.env.MY_SETTING,
    region: process.env.AWS_REGION,
    functionName: context.functionName,
  };
};
`;

let aws: LocalAwsWithLambda;
let lambda: LambdaClient;
let fn: TestFunction;

beforeAll(async () => {
  aws = await startLocalAws({ localLambda: true });
  const credentials = await accountCredentials(aws.endpoint, ACCOUNT);
  lambda = new LambdaClient({ endpoint: aws.endpoint, region: REGION, credentials });
  fn = await deployFunction({
    endpoint: aws.endpoint,
    region: REGION,
    credentials,
    name: 'whoami',
    zip: await bundleHandler(HANDLER),
    env: { MY_SETTING: 'first' },
  });
});

afterAll(async () => {
  lambda?.destroy();
  await aws?.stop();
});

function payloadOf(out: InvokeCommandOutput): unknown {
  return JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'));
}

async function invoke(payload: unknown, more: { LogType?: 'Tail' } = {}) {
  return lambda.send(
    new InvokeCommand({ FunctionName: 'whoami', Payload: JSON.stringify(payload), ...more }),
  );
}

describe('Lambda Invoke on the local AWS', () => {
  it('runs the deployed code with its execution role, in its account and region', async () => {
    const out = await invoke({ hello: 'world' }, { LogType: 'Tail' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(payloadOf(out)).toMatchObject({
      event: { hello: 'world' },
      account: ACCOUNT,
      // Lambda's session of the role is named after the function.
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/whoami-role/whoami`,
      setting: 'first',
      region: REGION,
      functionName: 'whoami',
    });
    expect(Buffer.from(out.LogResult ?? '', 'base64').toString()).toMatch(/call \d+ of whoami/);
  });

  it('reports a thrown error as FunctionError Unhandled with its type and message', async () => {
    const out = await invoke({ fail: 'on purpose' });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(payloadOf(out)).toEqual({ errorType: 'RangeError', errorMessage: 'asked to fail: on purpose' });
  });

  it('accepts an Event invocation at once and runs it in the same warm environment', async () => {
    const before = (payloadOf(await invoke({})) as { calls: number }).calls;
    const started = aws.lambda.environmentsStarted;
    const accepted = await lambda.send(
      new InvokeCommand({ FunctionName: 'whoami', InvocationType: 'Event', Payload: '{"async":true}' }),
    );
    expect(accepted.StatusCode).toBe(202);
    await aws.lambda.settled();
    const after = (payloadOf(await invoke({})) as { calls: number }).calls;
    expect(after).toBe(before + 2);
    expect(aws.lambda.environmentsStarted).toBe(started);
    expect(aws.lambda.invocations.some((i) => i.invocationType === 'Event')).toBe(true);
  });

  it('starts a new environment with the new configuration after an update', async () => {
    const started = aws.lambda.environmentsStarted;
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'whoami',
        Environment: { Variables: { MY_SETTING: 'second' } },
      }),
    );
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: 'whoami' });
    const out = payloadOf(await invoke({})) as { calls: number; setting: string };
    expect(out).toMatchObject({ calls: 1, setting: 'second' });
    expect(aws.lambda.environmentsStarted).toBe(started + 1);
  });

  it("serves the stored package at GetFunction's Code.Location, matching CodeSha256", async () => {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: fn.functionArn }));
    const res = await fetch(got.Code?.Location ?? 'http://invalid.invalid/');
    expect(res.status).toBe(200);
    const sha = createHash('sha256')
      .update(new Uint8Array(await res.arrayBuffer()))
      .digest('base64');
    expect(sha).toBe(got.Configuration?.CodeSha256);
  });
});
