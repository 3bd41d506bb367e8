/**
 * Runs a replicator that Terraform deployed to the local AWS (moto) the way Lambda would
 * run it, from what was deployed and nothing else:
 * - the function's configuration is read back from the Lambda API (GetFunction): handler,
 *   runtime, timeout, memory, environment variables, execution role; its CodeSha256 must
 *   be the SHA-256 of the zip that runs here;
 * - the function runs with exactly that environment plus what Lambda adds (region,
 *   endpoint of the local AWS, and temporary credentials of its execution role, obtained
 *   with AssumeRole as Lambda does), so it reaches its targets through the roles named in
 *   its REPLICATION_TARGETS;
 * - the stream records are delivered with the settings of the event source mapping
 *   Terraform created (GetEventSourceMapping: batch size, starting position, retries,
 *   bisection, maximum record age, on-failure destination).
 *
 * By default the mapping must be disabled, and drain() delivers when the test says so. With
 * `follow`, the mapping may be in any state and is followed (test/support/mapping-follower.ts):
 * records are delivered only while it is Enabled in the local AWS, as whoever changes it (the
 * first-sync workflow) expects. Either way moto itself delivers nothing (the launcher,
 * test/support/moto_server.py, stops it), so the records are delivered here, once.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  type DrainStats,
  type EsmSettings,
  LocalEventSourceMapping,
  settingsFromMapping,
} from './event-source-mapping.js';
import { type InvokeOutcome, type LocalLambda, startLocalLambda } from './local-lambda.js';
import { MappingFollower } from './mapping-follower.js';

/** Credentials that act in moto's default account (123456789012). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A replica table, as the examples' `replicas` output lists them. */
export interface Replica {
  readonly tableName: string;
  readonly region: string;
  readonly accountId: string;
}

/** What an applied example says it deployed (its outputs). */
export interface Deployment {
  readonly functionName: string;
  readonly sourceTableName: string;
  readonly sourceRegion: string;
  readonly mappingUuid: string;
  readonly replicas: readonly Replica[];
}

export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
}

function stringOutput(outputs: Record<string, unknown>, name: string): string {
  const value = outputs[name];
  if (typeof value !== 'string' || value === '') {
    throw new DeploymentError(
      `the example's output "${name}" is ${JSON.stringify(value)}; expected a non-empty string`,
    );
  }
  return value;
}

/** Reads the outputs every example provides (function_name, source_table_name, ..., replicas). */
export function deploymentFromOutputs(outputs: Record<string, unknown>): Deployment {
  const replicas = outputs.replicas;
  if (!Array.isArray(replicas) || replicas.length === 0) {
    throw new DeploymentError(
      `the example's output "replicas" is ${JSON.stringify(replicas)}; expected a list of {table_name, region, account_id}`,
    );
  }
  return {
    functionName: stringOutput(outputs, 'function_name'),
    sourceTableName: stringOutput(outputs, 'source_table_name'),
    sourceRegion: stringOutput(outputs, 'source_region'),
    mappingUuid: stringOutput(outputs, 'event_source_mapping_uuid'),
    replicas: replicas.map((r, i) => {
      const o = (r ?? {}) as Record<string, unknown>;
      const field = (k: string) => {
        if (typeof o[k] !== 'string' || o[k] === '') {
          throw new DeploymentError(
            `replicas[${i}].${k} is ${JSON.stringify(o[k])}; expected a non-empty string`,
          );
        }
        return o[k] as string;
      };
      return { tableName: field('table_name'), region: field('region'), accountId: field('account_id') };
    }),
  };
}

/** Lambda's CodeSha256: the base64 SHA-256 of the deployment package. */
export function codeSha256(zip: Uint8Array): string {
  return createHash('sha256').update(zip).digest('base64');
}

export interface DeployedReplicatorOptions {
  readonly endpoint: string;
  readonly deployment: Deployment;
  /** The package to run; its SHA-256 must be the deployed function's CodeSha256. */
  readonly zipPath: string;
  /** Credentials of the account the function is deployed in; default moto's default account. */
  readonly credentials?: AwsCredentials;
  /** Deliver by the mapping's state in the local AWS (see the file comment) instead of on drain(). */
  readonly follow?: { readonly pollMs?: number };
}

export interface DeployedReplicator {
  readonly function: FunctionConfiguration;
  readonly mapping: EventSourceMappingConfiguration;
  readonly settings: EsmSettings;
  /** The function's environment as deployed (no credentials). */
  readonly environment: Readonly<Record<string, string>>;
  /** Every invocation's outcome, in order. */
  readonly outcomes: readonly InvokeOutcome[];
  /** Delivers every record written so far, as the mapping would (not with `follow`). */
  drain(): Promise<DrainStats>;
  /** With `follow`: what delivers the records while the mapping is Enabled. */
  readonly follower?: MappingFollower;
  stop(): Promise<void>;
}

async function executionRoleCredentials(
  sts: STSClient,
  roleArn: string,
  functionName: string,
): Promise<AwsCredentials> {
  // Lambda assumes the execution role with the function's name as the session name.
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: functionName }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new DeploymentError(`AssumeRole of the execution role ${roleArn} returned no credentials`);
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

/**
 * Runs a deployed function (its GetFunction configuration) locally as Lambda would: its own
 * environment, plus the region and its execution role's temporary credentials, plus where
 * the local AWS is (`awsEndpoint`, which the function's clients reach through AWS_ENDPOINT_URL).
 */
export async function runDeployedFunction(
  sts: STSClient,
  config: FunctionConfiguration & { FunctionArn: string; Role: string; Handler: string },
  options: { zipPath: string; region: string; awsEndpoint: string },
): Promise<LocalLambda> {
  const functionName = config.FunctionName ?? config.FunctionArn.split(':').at(-1) ?? 'function';
  const role = await executionRoleCredentials(sts, config.Role, functionName);
  return startLocalLambda({
    zipPath: options.zipPath,
    handler: config.Handler,
    functionName,
    functionArn: config.FunctionArn,
    timeoutMs: (config.Timeout ?? 3) * 1000,
    memoryMb: config.MemorySize ?? 128,
    env: {
      ...(config.Environment?.Variables ?? {}),
      // What Lambda adds: the region, and the execution role's temporary credentials.
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_ACCESS_KEY_ID: role.accessKeyId,
      AWS_SECRET_ACCESS_KEY: role.secretAccessKey,
      AWS_SESSION_TOKEN: role.sessionToken ?? '',
      // What only the local AWS needs: where AWS is.
      AWS_ENDPOINT_URL: options.awsEndpoint,
    },
  });
}

/** Reads the deployed function and mapping back and starts running them locally. */
export async function startDeployedReplicator(
  options: DeployedReplicatorOptions,
): Promise<DeployedReplicator> {
  const { endpoint, deployment } = options;
  const region = deployment.sourceRegion;
  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const client = { endpoint, region, credentials };
  const lambda = new LambdaClient(client);
  const sts = new STSClient(client);
  const dynamodb = new DynamoDBClient(client);
  const streams = new DynamoDBStreamsClient(client);
  const sqs = new SQSClient(client);
  const clients = [lambda, sts, dynamodb, streams, sqs];
  let fn: LocalLambda | undefined;
  try {
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: deployment.functionName }));
    const config = got.Configuration;
    if (!config?.FunctionArn || !config.Role || !config.Handler) {
      throw new DeploymentError(`GetFunction ${deployment.functionName} returned no ARN, role or handler`);
    }
    if (!config.Runtime?.startsWith('nodejs')) {
      throw new DeploymentError(
        `${deployment.functionName} has runtime ${config.Runtime}; only Node.js runs here`,
      );
    }
    const zip = await readFile(options.zipPath);
    const localSha = codeSha256(zip);
    if (config.CodeSha256 !== localSha) {
      throw new DeploymentError(
        `the deployed code of ${deployment.functionName} (CodeSha256 ${config.CodeSha256}) is not ${options.zipPath} ` +
          `(${localSha}); apply the example again with that zip`,
      );
    }

    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: deployment.mappingUuid }));
    if (mapping.FunctionArn !== config.FunctionArn) {
      throw new DeploymentError(
        `mapping ${deployment.mappingUuid} invokes ${mapping.FunctionArn}, not ${config.FunctionArn}`,
      );
    }
    const table = await dynamodb.send(new DescribeTableCommand({ TableName: deployment.sourceTableName }));
    if (mapping.EventSourceArn !== table.Table?.LatestStreamArn) {
      throw new DeploymentError(
        `mapping ${deployment.mappingUuid} reads ${mapping.EventSourceArn}, not the stream of ` +
          `${deployment.sourceTableName} (${table.Table?.LatestStreamArn})`,
      );
    }
    if (!options.follow && mapping.State !== 'Disabled') {
      throw new DeploymentError(
        `mapping ${deployment.mappingUuid} is ${mapping.State}; apply with mapping_enabled = false so that ` +
          'the local AWS does not consume the stream (its own delivery needs Docker and discards the records)',
      );
    }
    const settings = settingsFromMapping(mapping);

    const environment = { ...(config.Environment?.Variables ?? {}) };
    fn = await runDeployedFunction(
      sts,
      {
        ...config,
        FunctionName: deployment.functionName,
        FunctionArn: config.FunctionArn,
        Role: config.Role,
        Handler: config.Handler,
      },
      {
        zipPath: options.zipPath,
        region,
        awsEndpoint: endpoint,
      },
    );
    const running = fn;
    const outcomes: InvokeOutcome[] = [];
    const esm = new LocalEventSourceMapping({
      settings,
      streams,
      sqs,
      invoke: async (event) => {
        const outcome = await running.invoke(event);
        outcomes.push(outcome);
        return outcome;
      },
    });
    let follower: MappingFollower | undefined;
    if (options.follow) {
      follower = new MappingFollower({
        esm,
        lambda,
        uuid: deployment.mappingUuid,
        endpoint,
        ...(options.follow.pollMs ? { pollMs: options.follow.pollMs } : {}),
      });
      await follower.start();
    } else {
      // Creating the mapping fixes a LATEST starting position: records written from now on.
      await esm.start();
    }
    const following = follower;
    return {
      function: config,
      mapping,
      settings,
      environment,
      outcomes,
      drain: () => {
        if (following)
          throw new DeploymentError('a followed mapping delivers by its state; use follower.settle()');
        return esm.drain();
      },
      ...(following ? { follower: following } : {}),
      stop: async () => {
        await following?.stop().catch(() => undefined);
        await running.stop();
        for (const c of clients) c.destroy();
      },
    };
  } catch (err) {
    await fn?.stop();
    for (const c of clients) c.destroy();
    throw err;
  }
}
