/**
 * Small Lambda functions for tests of the local AWS: a handler's source bundled (with the
 * AWS SDK clients it imports) into a deployment package, and deployed on moto with an
 * execution role, in any account (moto maps assumed-role credentials to the role's account).
 */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { MOTO_CREDENTIALS } from './fixtures.js';
import { REPO_ROOT } from './terraform-workspace.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A zip holding index.mjs: `source` (an ES module) with its imports bundled in. */
export async function bundleHandler(source: string): Promise<Uint8Array> {
  const out = await build({
    stdin: { contents: source, resolveDir: REPO_ROOT, loader: 'js', sourcefile: 'index.mjs' },
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    // Bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  const code = out.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild produced no output');
  return zipSync({ 'index.mjs': code });
}

/** Credentials acting in `account`, from an AssumeRole of a role there (moto needs no such role). */
export async function accountCredentials(endpoint: string, account: string): Promise<Credentials> {
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  const out = await sts
    .send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${account}:role/test-admin`,
        RoleSessionName: 'test-setup',
      }),
    )
    .finally(() => sts.destroy());
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
    throw new Error(`no credentials for ${account}`);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

export interface TestFunction {
  readonly functionArn: string;
  readonly roleArn: string;
}

/** Creates an execution role and a nodejs22.x function running `zip`, with `credentials`' account. */
export async function deployFunction(options: {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: Credentials;
  readonly name: string;
  readonly zip: Uint8Array;
  readonly handler?: string;
  readonly env?: Record<string, string>;
  readonly timeoutSeconds?: number;
}): Promise<TestFunction> {
  const { endpoint, region, credentials } = options;
  const iam = new IAMClient({ endpoint, region, credentials });
  const lambda = new LambdaClient({ endpoint, region, credentials });
  try {
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: `${options.name}-role`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const roleArn = role.Role?.Arn;
    if (!roleArn) throw new Error(`CreateRole ${options.name}-role returned no ARN`);
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: options.name,
        Runtime: 'nodejs22.x',
        Role: roleArn,
        Handler: options.handler ?? 'index.handler',
        Code: { ZipFile: options.zip },
        Timeout: options.timeoutSeconds ?? 30,
        ...(options.env ? { Environment: { Variables: options.env } } : {}),
      }),
    );
    if (!fn.FunctionArn) throw new Error(`CreateFunction ${options.name} returned no ARN`);
    return { functionArn: fn.FunctionArn, roleArn };
  } finally {
    iam.destroy();
    lambda.destroy();
  }
}
