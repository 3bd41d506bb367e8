/**
 * The first sync's pieces deployed on the local AWS by hand, as modules/first-sync deploys
 * them with Terraform: a source table with its stream and point-in-time recovery, the export
 * bucket, the replicator's stream mapping (its function a stand-in), the first-sync functions
 * from dist/first-sync.zip and the real state machine definition, rendered as templatefile()
 * renders it. The CLI tests run `ddbsync first-sync` against these.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DynamoDBClient, UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { renderFirstSyncDefinition } from './first-sync-definition.js';
import { createTable, dynamoClient, MOTO_CREDENTIALS } from './fixtures.js';
import { type LocalAwsWithLambda, startLocalAws } from './local-aws.js';
import { MOTO_DEFAULT_ACCOUNT } from './moto.js';
import { REPO_ROOT } from './terraform-workspace.js';
import { bundleHandler, deployFunction } from './test-functions.js';

export const FIRST_SYNC_BUCKET = 'ddbsync-first-sync-exports';

export interface FirstSyncStack {
  readonly aws: LocalAwsWithLambda;
  readonly region: string;
  /** Clients of the source account, in the source region. */
  readonly source: DynamoDBClient;
  readonly sfn: SFNClient;
  readonly lambda: LambdaClient;
  readonly s3: S3Client;
  /** Closed by stop(): clients a test made with the stack's endpoint. */
  keep<T extends { destroy(): void }>(client: T): T;
  /** A source table (pk S, sk N) with its stream and point-in-time recovery; its stream ARN. */
  sourceTable(name: string): Promise<string>;
  /** The replicator's mapping on `streamArn` (its function a stand-in that does nothing); its UUID. */
  replicatorMapping(name: string, streamArn: string, enabled: boolean): Promise<string>;
  /** A function of dist/first-sync.zip (loader.handler, importer.handler, verifier.handler); its ARN. */
  firstSyncFunction(name: string, handler: string, env: Record<string, string>): Promise<string>;
  /**
   * The state machine from the real definition; `vars` are templatefile()'s variables over
   * defaults that poll every second. `edit` changes the rendered text (a test's variant).
   */
  stateMachine(
    name: string,
    vars: Record<string, string> & { source_table_arn: string; event_source_mapping_uuid: string },
    edit?: (definition: string) => string,
  ): Promise<string>;
  stop(): Promise<void>;
}

/** The ARN of a table of the default account. */
export function tableArn(region: string, table: string): string {
  return `arn:aws:dynamodb:${region}:${MOTO_DEFAULT_ACCOUNT}:table/${table}`;
}

/**
 * Starts the local AWS (Step Functions and Lambda Invoke included), points this process's
 * SDK at it (the CLI reads the standard environment, as it does for a user) and creates the
 * export bucket and the state machine's role.
 */
export async function startFirstSyncStack(region = 'us-east-1'): Promise<FirstSyncStack> {
  const aws = await startLocalAws({ localLambda: true });
  Object.assign(process.env, aws.env(region));
  const options = { endpoint: aws.endpoint, region, credentials: MOTO_CREDENTIALS };
  const clients: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(client: T): T => {
    clients.push(client);
    return client;
  };
  const source = keep(dynamoClient(aws.endpoint, region));
  const sfn = keep(new SFNClient(options));
  const lambda = keep(new LambdaClient(options));
  const s3 = keep(new S3Client({ ...options, forcePathStyle: true }));
  const iam = keep(new IAMClient(options));
  const zip = new Uint8Array(await readFile(join(REPO_ROOT, 'dist', 'first-sync.zip')));
  await s3.send(new CreateBucketCommand({ Bucket: FIRST_SYNC_BUCKET }));
  const role = await iam.send(
    new CreateRoleCommand({
      RoleName: 'first-sync-states',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
    }),
  );
  const stateMachineRole = role.Role?.Arn as string;
  // Branches a state machine here never takes still need an ARN in their tasks.
  const stand = `arn:aws:lambda:${region}:${MOTO_DEFAULT_ACCOUNT}:function:not-deployed-here`;

  return {
    aws,
    region,
    source,
    sfn,
    lambda,
    s3,
    keep,
    async sourceTable(name) {
      const streamArn = (await createTable(source, name, { stream: true })) as string;
      await source.send(
        new UpdateContinuousBackupsCommand({
          TableName: name,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      );
      return streamArn;
    },
    async replicatorMapping(name, streamArn, enabled) {
      const replicator = await deployFunction({
        ...options,
        name,
        zip: await bundleHandler('export const handler = async () => ({ batchItemFailures: [] });'),
      });
      const mapping = await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: replicator.functionArn,
          EventSourceArn: streamArn,
          StartingPosition: 'TRIM_HORIZON',
          Enabled: enabled,
        }),
      );
      return mapping.UUID as string;
    },
    async firstSyncFunction(name, handler, env) {
      const fn = await deployFunction({ ...options, name, zip, handler, timeoutSeconds: 60, env });
      return fn.functionArn;
    },
    async stateMachine(name, vars, edit = (d) => d) {
      const definition = renderFirstSyncDefinition({
        max_concurrency: '4',
        export_poll_seconds: '1',
        mapping_poll_seconds: '1',
        import_poll_seconds: '1',
        loader_stop_seconds: '1',
        export_prefix: 'first-sync',
        export_bucket: FIRST_SYNC_BUCKET,
        export_bucket_owner: MOTO_DEFAULT_ACCOUNT,
        loader_function_arn: stand,
        importer_function_arn: stand,
        verifier_function_arn: stand,
        verify_segments: '2',
        report_prefix: 'verify-reports',
        ...vars,
      });
      const out = await sfn.send(
        new CreateStateMachineCommand({ name, definition: edit(definition), roleArn: stateMachineRole }),
      );
      return out.stateMachineArn as string;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await aws.stop();
    },
  };
}
