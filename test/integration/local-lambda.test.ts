/**
 * The local Lambda runtime with small packages written here: the environment it gives the
 * code, the context, warm state, logs, and how it reports errors, timeouts and crashes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalLambda, type LocalLambdaOptions, startLocalLambda } from '../support/local-lambda.js';

const CODE = `
let invocations = 0;
console.log('init ran');
export const handler = async (event, context) => {
  invocations++;
  console.log('hello from', context.functionName);
  console.error('an error line');
  if (event.action === 'throw') throw new TypeError('bad input: ' + event.why);
  if (event.action === 'hang') await new Promise(() => setTimeout(() => {}, 1e9));
  if (event.action === 'exit') process.exit(3);
  return {
    invocations,
    env: process.env,
    remaining: context.getRemainingTimeInMillis(),
    functionName: context.functionName,
    invokedFunctionArn: context.invokedFunctionArn,
    awsRequestId: context.awsRequestId,
    cwd: process.cwd(),
  };
};
`;

let dir: string;
const running: LocalLambda[] = [];

async function zipOf(files: Record<string, string>): Promise<string> {
  const path = join(
    dir,
    `${Object.keys(files)
      .join('-')
      .replace(/[^\w.-]/g, '_')}-${running.length}.zip`,
  );
  await writeFile(path, zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));
  return path;
}

async function start(files: Record<string, string>, options: Partial<LocalLambdaOptions> = {}) {
  const fn = await startLocalLambda({
    zipPath: await zipOf(files),
    env: { AWS_REGION: 'eu-west-1', MY_SETTING: 'x' },
    timeoutMs: 5_000,
    ...options,
  });
  running.push(fn);
  return fn;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-lambda-test-'));
});

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('startLocalLambda', () => {
  it('runs the handler with exactly the function environment and a Lambda-like context', async () => {
    const saved = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = 'parent-key-must-not-leak';
    const fn = await start({ 'index.mjs': CODE }, { functionName: 'probe', timeoutMs: 4_000 }).finally(() => {
      if (saved === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved;
    });
    const invoked = Date.now();
    const out = await fn.invoke({});
    const took = Date.now() - invoked;
    expect(out.error).toBeUndefined();
    const r = out.result as Record<string, unknown> & { env: Record<string, string> };
    expect(r.env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      MY_SETTING: 'x',
      AWS_LAMBDA_FUNCTION_NAME: 'probe',
      _HANDLER: 'index.handler',
    });
    expect(r.env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(Object.keys(r.env).filter((k) => k.startsWith('VITEST'))).toEqual([]);
    expect(r).toMatchObject({
      functionName: 'probe',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:probe',
      awsRequestId: out.requestId,
      cwd: r.env.LAMBDA_TASK_ROOT,
    });
    // Counted down from the 4 s timeout by at most the time the invocation took (no fixed
    // margin: a busy machine may take long to get the event to the handler).
    expect(r.remaining).toBeGreaterThanOrEqual(4_000 - took);
    expect(r.remaining).toBeLessThanOrEqual(4_000);
    // The first invocation carries the init's lines; stderr lines are in the same stream.
    expect(out.logs).toEqual(['init ran', 'hello from probe', 'an error line']);
    expect(out.coldStart).toBe(true);
  });

  it('keeps module state between invocations of a warm environment', async () => {
    const fn = await start({ 'index.mjs': CODE });
    await fn.invoke({});
    const second = await fn.invoke({});
    expect(second.result).toMatchObject({ invocations: 2 });
    expect(second.coldStart).toBe(false);
    expect(second.logs).toEqual(['hello from ddbsync-local', 'an error line']);
  });

  it('reports a thrown error by name and message and stays warm', async () => {
    const fn = await start({ 'index.mjs': CODE });
    const out = await fn.invoke({ action: 'throw', why: 'nope' });
    expect(out.error).toEqual({ name: 'TypeError', message: 'bad input: nope', phase: 'invoke' });
    expect((await fn.invoke({})).result).toMatchObject({ invocations: 2 });
  });

  it('times out like Lambda and starts a fresh environment for the next invocation', async () => {
    const fn = await start({ 'index.mjs': CODE }, { timeoutMs: 1_000 });
    const out = await fn.invoke({ action: 'hang' });
    expect(out.error).toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'Task timed out after 1.00 seconds',
    });
    expect(out.logs).toContain('hello from ddbsync-local');
    const next = await fn.invoke({});
    expect(next.coldStart).toBe(true);
    expect(next.result).toMatchObject({ invocations: 1 });
    expect(fn.environmentsStarted).toBe(2);
  });

  it('reports a crash of the runtime', async () => {
    const fn = await start({ 'index.mjs': CODE });
    const out = await fn.invoke({ action: 'exit' });
    expect(out.error).toMatchObject({ name: 'Runtime.ExitError' });
    expect(out.error?.message).toContain('code 3');
    expect((await fn.invoke({})).coldStart).toBe(true);
  });

  it('reports init failures: a throwing module, a missing module, a missing export', async () => {
    const throwing = await start({ 'index.mjs': `throw new RangeError('SETTING_X is wrong');` });
    expect((await throwing.invoke({})).error).toEqual({
      name: 'RangeError',
      message: 'SETTING_X is wrong',
      phase: 'init',
    });
    const missing = await start({ 'other.mjs': 'export const handler = () => 1;' });
    expect((await missing.invoke({})).error).toMatchObject({
      name: 'Runtime.ImportModuleError',
      phase: 'init',
    });
    const noExport = await start({ 'index.mjs': 'export const other = () => 1;' });
    expect((await noExport.invoke({})).error).toMatchObject({
      name: 'Runtime.HandlerNotFound',
      phase: 'init',
    });
  });

  it('refuses payloads over 6 MB, as Lambda does', async () => {
    const fn = await start({ 'index.mjs': CODE });
    const out = await fn.invoke({ big: 'x'.repeat(6 * 1024 * 1024) });
    expect(out.error?.name).toBe('RequestEntityTooLargeException');
  });
});
