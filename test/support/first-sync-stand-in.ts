/**
 * A first-sync deployment made with the AWS API on the local AWS, holding what
 * modules/first-sync deploys (the state machine rendered from the module's own ASL file,
 * the loader from dist/first-sync.zip, the export bucket, the execution roles) next to a
 * replicator (dist/replicator.zip) whose stream mapping is created paused at TRIM_HORIZON, as
 * for a new pipeline. It stands in for examples/first-sync until that example is applied by
 * the end-to-end test; the outputs have the example's shape (deploymentFromOutputs).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateContinuousBackupsCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { Replica } from './deployed-replicator.js';
import { renderFirstSyncDefinition } from './first-sync-definition.js';
import type { FirstSyncDeployment } from './first-sync-terraform.js';
import { dynamoClient, MOTO_CREDENTIALS, TABLE_SCHEMA } from './fixtures.js';
import { replicaClient, SOURCE_ACCOUNT } from './replicate-deployment.js';
import { REPO_ROOT } from './terraform-workspace.js';
import { deployFunction } from './test-functions.js';

export interface StandInTarget {
  readonly accountId: string;
  readonly region: string;
  readonly tableName: string;
}

export interface FirstSyncStandIn extends FirstSyncDeployment {
  /** REPLICATION_TARGETS of the replicator and the loader. */
  readonly targets: readonly { tableName: string; region: string; roleArn?: string; externalId?: string }[];
}

export interface StandInOptions {
  readonly endpoint: string;
  readonly name: string;
  readonly sourceRegion: string;
  readonly targets: readonly StandInTarget[];
  /** Create the target tables (the Map path loads existing ones; the import path creates them). */
  readonly createTargetTables: boolean;
  readonly maxConcurrency?: number;
}

async function createKeyedTable(client: DynamoDBClient, tableName: string, stream: boolean): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      ...TABLE_SCHEMA,
      ...(stream
        ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
        : {}),
    }),
  );
}

/** Deploys the stand-in; everything source-side in moto's default account. */
export async function deployFirstSyncStandIn(o: StandInOptions): Promise<FirstSyncStandIn> {
  const { endpoint, name, sourceRegion: region } = o;
  const sourceTableName = `${name}-orders`;
  const source = dynamoClient(endpoint, region);
  const iam = new IAMClient({ endpoint, region, credentials: MOTO_CREDENTIALS });
  const lambda = new LambdaClient({ endpoint, region, credentials: MOTO_CREDENTIALS });
  const s3 = new S3Client({ endpoint, region, credentials: MOTO_CREDENTIALS, forcePathStyle: true });
  const sfn = new SFNClient({ endpoint, region, credentials: MOTO_CREDENTIALS });
  try {
    await createKeyedTable(source, sourceTableName, true);
    await source.send(
      new UpdateContinuousBackupsCommand({
        TableName: sourceTableName,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    );
    const described = await source.send(new DescribeTableCommand({ TableName: sourceTableName }));
    const streamArn = described.Table?.LatestStreamArn as string;

    // The targets: a role per target account (moto enforces no IAM; the ARN routes the writes).
    const targets = o.targets.map((t) => ({
      tableName: t.tableName,
      region: t.region,
      roleArn: `arn:aws:iam::${t.accountId}:role/${name}-first-sync`,
      externalId: `${name}-ext`,
    }));
    if (o.createTargetTables) {
      for (const t of o.targets) {
        const client = await replicaClient(endpoint, t);
        await createKeyedTable(client, t.tableName, false);
        client.destroy();
      }
    }
    const replicationTargets = JSON.stringify(targets);
    const zip = (file: string) => readFile(join(REPO_ROOT, 'dist', file));

    const replicator = await deployFunction({
      endpoint,
      region,
      credentials: MOTO_CREDENTIALS,
      name,
      zip: await zip('replicator.zip'),
      env: { REPLICATION_TARGETS: replicationTargets, MAX_CONCURRENCY: '8' },
      timeoutSeconds: 60,
    });
    const mapping = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: replicator.functionArn,
        EventSourceArn: streamArn,
        Enabled: false, // a new pipeline: paused at TRIM_HORIZON until the first sync enables it
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumRetryAttempts: 2,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    );
    const loader = await deployFunction({
      endpoint,
      region,
      credentials: MOTO_CREDENTIALS,
      name: `${name}-loader`,
      zip: await zip('first-sync.zip'),
      handler: 'loader.handler',
      env: { REPLICATION_TARGETS: replicationTargets, KEY_ATTRIBUTES: 'pk,sk' },
      timeoutSeconds: 900,
    });

    const verifier = await deployFunction({
      endpoint,
      region,
      credentials: MOTO_CREDENTIALS,
      name: `${name}-verifier`,
      zip: await zip('first-sync.zip'),
      handler: 'verifier.handler',
      env: {
        REPLICATION_TARGETS: replicationTargets,
        SOURCE_TABLE_NAME: sourceTableName,
        KEY_ATTRIBUTES: 'pk,sk',
        RECHECK_DELAY_MS: '500',
      },
      timeoutSeconds: 900,
    });

    const importer = await deployFunction({
      endpoint,
      region,
      credentials: MOTO_CREDENTIALS,
      name: `${name}-importer`,
      zip: await zip('first-sync.zip'),
      handler: 'importer.handler',
      env: { REPLICATION_TARGETS: replicationTargets },
      timeoutSeconds: 300,
    });

    const exportBucket = `${name}-exports`;
    await s3.send(
      new CreateBucketCommand({
        Bucket: exportBucket,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    const role = await iam.send(
      new CreateRoleCommand({
        RoleName: `${name}-states`,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        }),
      }),
    );
    const definition = renderFirstSyncDefinition({
      source_table_arn: `arn:aws:dynamodb:${region}:${SOURCE_ACCOUNT}:table/${sourceTableName}`,
      export_bucket: exportBucket,
      export_bucket_owner: SOURCE_ACCOUNT,
      export_prefix: 'first-sync',
      loader_function_arn: loader.functionArn,
      event_source_mapping_uuid: mapping.UUID as string,
      max_concurrency: String(o.maxConcurrency ?? 4),
      export_poll_seconds: '1',
      mapping_poll_seconds: '1',
      loader_stop_seconds: '5',
      verifier_function_arn: verifier.functionArn,
      verify_segments: '2',
      importer_function_arn: importer.functionArn,
      import_poll_seconds: '1',
      report_prefix: 'first-sync/reports',
    });
    const machine = await sfn.send(
      new CreateStateMachineCommand({
        name: `${name}-first-sync`,
        definition,
        roleArn: role.Role?.Arn as string,
      }),
    );
    const replicas: Replica[] = o.targets.map((t) => ({
      tableName: t.tableName,
      region: t.region,
      accountId: t.accountId,
    }));
    return {
      functionName: name,
      sourceTableName,
      sourceRegion: region,
      mappingUuid: mapping.UUID as string,
      replicas,
      stateMachineArn: machine.stateMachineArn as string,
      bucketName: exportBucket,
      targets,
    };
  } finally {
    for (const c of [source, iam, lambda, s3, sfn]) c.destroy();
  }
}
