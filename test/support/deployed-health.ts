/**
 * Runs the lag canary or the drift function that Terraform deployed to the local AWS (moto)
 * the way Lambda would run it when its EventBridge Scheduler schedule fires, from what was
 * deployed and nothing else (as test/support/deployed-replicator.ts does for the replicator):
 * - the function's configuration is read back with GetFunction: handler (canary.handler or
 *   drift.handler), runtime, timeout, memory, environment and execution role; its CodeSha256
 *   must be the SHA-256 of the zip that runs here;
 * - it runs with exactly that environment plus what Lambda adds: the region, and temporary
 *   credentials of its execution role (AssumeRole, as Lambda does), so it reaches the targets
 *   through the health roles its HEALTH_TARGETS name.
 * moto stores schedules but never runs them, so a test calls invoke() where the schedule
 * would have; the schedule's own settings are checked from Terraform's state.
 */
import { readFile } from 'node:fs/promises';
import { type FunctionConfiguration, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import {
  type AwsCredentials,
  codeSha256,
  DeploymentError,
  LOCAL_CREDENTIALS,
  runDeployedFunction,
} from './deployed-replicator.js';
import type { InvokeOutcome, LocalLambda } from './local-lambda.js';

export interface DeployedFunctionOptions {
  /** The local AWS the function was deployed to. */
  readonly endpoint: string;
  readonly region: string;
  readonly functionName: string;
  /** The package to run; its SHA-256 must be the deployed function's CodeSha256. */
  readonly zipPath: string;
  /** Credentials of the account the function is deployed in; default moto's default account. */
  readonly credentials?: AwsCredentials;
  /** Where the function's AWS calls go; default `endpoint` (a test may put a watching proxy in between). */
  readonly functionEndpoint?: string;
}

export interface DeployedFunction {
  readonly function: FunctionConfiguration;
  /** The function's environment as deployed (no credentials). */
  readonly environment: Readonly<Record<string, string>>;
  /** Invokes it as its schedule would (EventBridge Scheduler sends the schedule's input, here {}). */
  invoke(event?: unknown): Promise<InvokeOutcome>;
  stop(): Promise<void>;
}

/** Reads the deployed function back and starts running it locally. */
export async function startDeployedFunction(options: DeployedFunctionOptions): Promise<DeployedFunction> {
  const { endpoint, region, functionName } = options;
  const client = { endpoint, region, credentials: options.credentials ?? LOCAL_CREDENTIALS };
  const lambda = new LambdaClient(client);
  const sts = new STSClient(client);
  try {
    const config = (await lambda.send(new GetFunctionCommand({ FunctionName: functionName }))).Configuration;
    if (!config?.FunctionArn || !config.Role || !config.Handler) {
      throw new DeploymentError(`GetFunction ${functionName} returned no ARN, role or handler`);
    }
    if (!config.Runtime?.startsWith('nodejs')) {
      throw new DeploymentError(`${functionName} has runtime ${config.Runtime}; only Node.js runs here`);
    }
    const localSha = codeSha256(await readFile(options.zipPath));
    if (config.CodeSha256 !== localSha) {
      throw new DeploymentError(
        `the deployed code of ${functionName} (CodeSha256 ${config.CodeSha256}) is not ${options.zipPath} (${localSha})`,
      );
    }
    const environment = { ...(config.Environment?.Variables ?? {}) };
    const fn: LocalLambda = await runDeployedFunction(
      sts,
      {
        ...config,
        FunctionName: functionName,
        FunctionArn: config.FunctionArn,
        Role: config.Role,
        Handler: config.Handler,
      },
      { zipPath: options.zipPath, region, awsEndpoint: options.functionEndpoint ?? endpoint },
    );
    return {
      function: config,
      environment,
      invoke: (event = {}) => fn.invoke(event),
      stop: () => fn.stop(),
    };
  } finally {
    lambda.destroy();
    sts.destroy();
  }
}
