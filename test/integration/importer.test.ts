/**
 * The built bundle's first-sync importer (handler "importer.handler"), run as Lambda runs
 * it, over a real DynamoDB export on the local AWS (moto, with the repository's export and
 * ImportTable patches): it starts ImportTable in two other accounts through assumed roles,
 * from a bucket a third account owns, and the imported tables equal the source byte for
 * byte. A target table that exists is refused, and ImportTable's quotas are checked (with
 * small limits injected into the handler's core, rather than 50,000 files made here).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportLimitExceededError } from '../../lambda/src/first-sync/errors.js';
import { parseImporterConfig } from '../../lambda/src/first-sync/import-config.js';
import type { DescribeImportsResult, StartImportsResult } from '../../lambda/src/first-sync/import-event.js';
import { createImporterHandler } from '../../lambda/src/first-sync/import-handler.js';
import { createLogger, createMetrics } from '../../lambda/src/observability.js';
import { buildZip } from '../../scripts/build-lambda.js';
import { renderFirstSyncDefinition } from '../support/first-sync-definition.js';
import {
  assumedRoleDynamoClient,
  assumedRoleSessions,
  assumeRoleCredentials,
  canonicalTable,
  createTable,
  dynamoClient,
  largeAttributes,
  MOTO_CREDENTIALS,
  type SdkItem,
  SECRET_MARKER,
  s3Client,
  scanAll,
  trickyItems,
} from '../support/fixtures.js';
import { type LocalAwsWithLambda, startLocalAws } from '../support/local-aws.js';
import { type InvokeOutcome, type LocalLambda, startLocalLambda } from '../support/local-lambda.js';
import { MOTO_DEFAULT_ACCOUNT } from '../support/moto.js';
import { enablePointInTimeRecovery, exportTable } from '../support/table-export.js';
import { bundleHandler, deployFunction } from '../support/test-functions.js';
import { captureOutput } from '../unit/output-capture.js';

const REGION = 'us-east-1';
const BUCKET = 'ddbsync-first-sync-exports';
/** The bucket's account, as the module usually puts it in a target account. */
const BUCKET_OWNER = '444444444444';
const FUNCTION_NAME = 'ddbsync-orders-importer';
const target = (account: string, region: string, tableName: string) => ({
  tableName,
  region,
  roleArn: `arn:aws:iam::${account}:role/ddbsync-first-sync`,
  externalId: `ext-${account}`,
});
const label = (t: ReturnType<typeof target>) => `${t.roleArn.split(':')[4]}/${t.region}/${t.tableName}`;

let moto: LocalAwsWithLambda;
let zipPath: string;
let source: DynamoDBClient;
let sourceItems: SdkItem[];
let exportArn: string;
let exportItemCount: number;
let dataPrefix: string;
const running: LocalLambda[] = [];
// The in-process handler's Powertools output, read by the test instead of printed.
const { output } = captureOutput();

async function startImporter(targets: object[]): Promise<LocalLambda> {
  const fn = await startLocalLambda({
    zipPath,
    handler: 'importer.handler',
    functionName: FUNCTION_NAME,
    timeoutMs: 60_000,
    env: { ...moto.env(REGION), REPLICATION_TARGETS: JSON.stringify(targets) },
  });
  running.push(fn);
  return fn;
}

const startEvent = () => ({
  action: 'start',
  bucket: BUCKET,
  bucketOwner: BUCKET_OWNER,
  prefix: dataPrefix,
  exportArn,
});

beforeAll(async () => {
  // The repository's launcher: stock moto_server neither exports nor imports as AWS does,
  // nor runs state machines and their Lambda tasks.
  moto = await startLocalAws({ localLambda: true });
  if (process.env.REPLICATOR_ZIP) {
    zipPath = process.env.REPLICATOR_ZIP;
  } else {
    zipPath = join(tmpdir(), `first-sync-importer-${process.pid}-${Date.now()}.zip`);
    await writeFile(zipPath, await buildZip('first-sync'));
  }
  source = dynamoClient(moto.endpoint, REGION);
  // The source has a global secondary index, which each imported table must have too.
  await source.send(
    new CreateTableCommand({
      TableName: 'orders',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'status', AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'by-status',
          KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  await enablePointInTimeRecovery(source, 'orders');
  sourceItems = [
    ...trickyItems('tricky'),
    { pk: { S: 'large' }, sk: { N: '350' }, ...largeAttributes(350_000) },
    { pk: { S: 'empty-map' }, sk: { N: '1' }, m: { M: {} }, after: { S: 'kept' } },
  ];
  for (const item of sourceItems) await source.send(new PutItemCommand({ TableName: 'orders', Item: item }));
  for (let i = 0; i < 500; i += 25) {
    const batch = Array.from({ length: 25 }, (_, j) => ({
      PutRequest: {
        Item: {
          pk: { S: `plain-${(i + j) % 40}` },
          sk: { N: String(i + j) },
          status: { S: (i + j) % 3 === 0 ? 'open' : 'closed' },
          note: { S: `#${i + j} ${SECRET_MARKER}` },
        },
      },
    }));
    await source.send(new BatchWriteItemCommand({ RequestItems: { orders: batch } }));
  }

  const ownerS3 = s3Client(
    moto.endpoint,
    REGION,
    await assumeRoleCredentials(moto.endpoint, REGION, `arn:aws:iam::${BUCKET_OWNER}:role/admin`),
  );
  await ownerS3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  ({ exportArn, itemCount: exportItemCount } = await exportTable({
    client: source,
    s3: ownerS3,
    tableArn: `arn:aws:dynamodb:${REGION}:${MOTO_DEFAULT_ACCOUNT}:table/orders`,
    bucket: BUCKET,
    bucketOwner: BUCKET_OWNER,
    prefix: 'first-sync/exec-1',
  }));
  ownerS3.destroy();
  // As the state machine's FindDataFiles builds it.
  dataPrefix = `first-sync/exec-1/AWSDynamoDB/${exportArn.split('/').pop()}/data/`;
});

afterAll(async () => {
  await Promise.all(running.map((fn) => fn.stop()));
  source?.destroy();
  await moto?.stop();
});

/** Invokes describe as the state machine's poll loop does, until the imports are done. */
async function untilDone(fn: LocalLambda, imports: StartImportsResult['imports'], outcomes: InvokeOutcome[]) {
  for (let i = 0; i < 600; i++) {
    const out = await fn.invoke({
      action: 'describe',
      imports,
      expectedItems: exportItemCount,
      exportTime: new Date().toISOString(),
    });
    outcomes.push(out);
    expect(out.error, JSON.stringify(out.error)).toBeUndefined();
    const result = out.result as DescribeImportsResult;
    if (result.done) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the imports were not done after 600 polls');
}

describe('first-sync importer on a real export', () => {
  it('imports the export into new tables in two other accounts, byte-equal to the source, with its index, logging no item contents', async () => {
    const targets = [
      target('222222222222', 'eu-west-1', 'orders-imported'),
      target('333333333333', 'us-west-2', 'orders-imported'),
    ];
    const fn = await startImporter(targets);
    const outcomes: InvokeOutcome[] = [];

    const start = await fn.invoke(startEvent());
    outcomes.push(start);
    expect(start.error, JSON.stringify(start.error)).toBeUndefined();
    const started = start.result as StartImportsResult;
    expect(started.objects).toBe(1);
    expect(started.bytes).toBeGreaterThan(0);
    expect(started.imports.map((i) => i.target)).toEqual(targets.map(label));
    started.imports.forEach((imp, i) => {
      const t = targets[i] as ReturnType<typeof target>;
      expect(imp.importArn).toMatch(
        new RegExp(`^arn:aws:dynamodb:${t.region}:${t.roleArn.split(':')[4]}:table/orders-imported/import/`),
      );
    });

    const done = await untilDone(fn, started.imports, outcomes);
    expect(done).toMatchObject({
      done: true,
      failed: [],
      items: { imported: 2 * sourceItems.length + 1000, errors: 0 },
    });

    const expected = canonicalTable(await scanAll(source, 'orders'));
    expect(expected.length).toBe(exportItemCount);
    for (const t of targets) {
      const client = await assumedRoleDynamoClient(moto.endpoint, t.region, t.roleArn);
      expect(canonicalTable(await scanAll(client, t.tableName))).toEqual(expected);
      const table = (await client.send(new DescribeTableCommand({ TableName: t.tableName }))).Table;
      expect(table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(table?.GlobalSecondaryIndexes?.map((g) => [g.IndexName, g.Projection?.ProjectionType])).toEqual([
        ['by-status', 'KEYS_ONLY'],
      ]);
      client.destroy();
    }

    // Each role assumed by the function's own session; no item contents in any log line.
    const sessions = (await assumedRoleSessions(moto.endpoint)).filter(
      (s) => s.sessionName === `ddbsync-${FUNCTION_NAME}`,
    );
    expect([...new Set(sessions.map((s) => s.accountId))].sort()).toEqual(['222222222222', '333333333333']);
    const logs = outcomes.flatMap((o) => o.logs).join('\n');
    expect(logs).toContain('"message":"imports started"');
    expect(logs).toContain('"FirstSyncItemsImported"');
    for (const forbidden of [SECRET_MARKER, 'héllo', '日本語']) expect(logs).not.toContain(forbidden);
  });

  it('refuses a target whose table exists, starting no import at all', async () => {
    const fresh = target('222222222222', 'eu-west-1', 'orders-not-started');
    const existing = target('333333333333', 'eu-west-1', 'orders-existing');
    const existingClient = await assumedRoleDynamoClient(moto.endpoint, existing.region, existing.roleArn);
    await createTable(existingClient, existing.tableName);
    const fn = await startImporter([fresh, existing]);

    const out = await fn.invoke(startEvent());

    expect(out.error?.name).toBe('TargetTableExistsError');
    expect(out.error?.message).toBe(
      `ImportTable creates a new table; ${label(existing)} exists; delete it, or use --load map (which writes into an existing table)`,
    );
    const freshClient = await assumedRoleDynamoClient(moto.endpoint, fresh.region, fresh.roleArn);
    await expect(
      freshClient.send(new DescribeTableCommand({ TableName: fresh.tableName })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await scanAll(existingClient, existing.tableName)).toEqual([]);
    existingClient.destroy();
    freshClient.destroy();
  });

  it("checks ImportTable's quotas against the export's real data files before starting anything", async () => {
    const t = target('222222222222', 'eu-west-1', 'orders-over-limit');
    const config = parseImporterConfig({ AWS_REGION: REGION, REPLICATION_TARGETS: JSON.stringify([t]) });
    const targetClient = await assumedRoleDynamoClient(moto.endpoint, t.region, t.roleArn);
    const s3 = s3Client(moto.endpoint, REGION);
    const handler = (limits: Parameters<typeof createImporterHandler>[0]['limits']) =>
      createImporterHandler({
        config,
        clients: [targetClient],
        source,
        s3,
        logger: createLogger(),
        metrics: createMetrics(),
        ...(limits ? { limits } : {}),
      });

    const objects = await handler({
      maxObjectsPerImport: 0,
      maxConcurrentImports: 50,
      maxBytesAtATime: () => 1e12,
    })(startEvent()).catch((e: unknown) => e as Error);
    expect(objects).toBeInstanceOf(ImportLimitExceededError);
    expect((objects as Error).message).toBe(
      'ImportTable takes at most 0 S3 objects per import: the export has 1 data files; nothing was imported; use --load map',
    );

    const size = await handler({
      maxObjectsPerImport: 50_000,
      maxConcurrentImports: 50,
      maxBytesAtATime: () => 100,
    })(startEvent()).catch((e: unknown) => e as Error);
    expect(size).toBeInstanceOf(ImportLimitExceededError);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: dataPrefix }));
    const bytes = (listed.Contents ?? []).reduce((n, o) => n + (o.Size ?? 0), 0);
    expect(bytes).toBeGreaterThan(100);
    expect((size as Error).message).toBe(
      `ImportTable imports at most 100 bytes of source objects at a time in eu-west-1: 1 import of ${bytes} bytes of data files into 222222222222/eu-west-1 make ${bytes} bytes; nothing was imported; use --load map`,
    );
    // What the function logged says which limit, never what an item holds.
    const logged = output.join('');
    expect(logged).toContain('"name":"ImportLimitExceededError"');
    expect(logged).not.toContain(SECRET_MARKER);

    await expect(
      targetClient.send(new DescribeTableCommand({ TableName: t.tableName })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    targetClient.destroy();
    s3.destroy();
  });
});

// ---------------------------------------------------------------------------------------
// The state machine's import branch, run by the local AWS's Step Functions

/** The longest an execution here may run: about 10 s on this machine. */
const EXECUTION_LIMIT_MS = 120_000;

describe('the first-sync state machine, import path, on the local AWS', () => {
  let sfn: SFNClient;
  let lambda: LambdaClient;
  let stateMachineArn: string;
  let refusingArn: string;
  let mappingUuid: string;

  /** As templatefile() renders it; placeholders of states these runs never reach (the verify branch) get "1". */
  const stand = `arn:aws:lambda:${REGION}:${MOTO_DEFAULT_ACCOUNT}:function:not-deployed-here`;
  const definition = (vars: Record<string, string>): string =>
    // The verify branch and the failed-load wait are not run here.
    renderFirstSyncDefinition({
      verifier_function_arn: stand,
      verify_segments: '1',
      report_prefix: 'verify-reports',
      loader_stop_seconds: '1',
      ...vars,
    });

  async function execute(stateMachineArn: string, name: string): Promise<DescribeExecutionCommandOutput> {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name,
        input: JSON.stringify({ action: 'sync', load: 'import', repair: false }),
      }),
    );
    const deadline = Date.now() + EXECUTION_LIMIT_MS;
    for (;;) {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      if (out.status !== 'RUNNING') return out;
      if (Date.now() > deadline) throw new Error(`${name} still RUNNING after ${EXECUTION_LIMIT_MS} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const targets = [
    target('222222222222', 'eu-west-1', 'orders-by-sfn'),
    target('333333333333', 'us-west-2', 'orders-by-sfn'),
  ];
  const existing = target('333333333333', 'us-west-2', 'orders-sfn-existing');

  beforeAll(async () => {
    const options = { endpoint: moto.endpoint, region: REGION, credentials: MOTO_CREDENTIALS };
    sfn = new SFNClient(options);
    lambda = new LambdaClient(options);
    const zip = new Uint8Array(await readFile(zipPath));
    const importer = await deployFunction({
      ...options,
      name: 'ddbsync-sfn-importer',
      zip,
      handler: 'importer.handler',
      env: { REPLICATION_TARGETS: JSON.stringify(targets), STREAM_RESERVE_SECONDS: '3600' },
      timeoutSeconds: 60,
    });
    const refusing = await deployFunction({
      ...options,
      name: 'ddbsync-sfn-importer-existing',
      zip,
      handler: 'importer.handler',
      env: { REPLICATION_TARGETS: JSON.stringify([existing]) },
      timeoutSeconds: 60,
    });
    // The replicator's mapping, created paused as for a new pipeline (its function is a stand-in).
    const replicator = await deployFunction({
      ...options,
      name: 'replicator-stand-in',
      zip: await bundleHandler('export const handler = async () => ({});'),
    });
    const streamArn = (await createTable(source, 'mapping-source', { stream: true })) as string;
    const mapping = await lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: replicator.functionArn,
        EventSourceArn: streamArn,
        StartingPosition: 'TRIM_HORIZON',
        Enabled: false,
      }),
    );
    mappingUuid = mapping.UUID as string;
    const iam = new IAMClient(options);
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
    iam.destroy();
    const vars = {
      source_table_arn: `arn:aws:dynamodb:${REGION}:${MOTO_DEFAULT_ACCOUNT}:table/orders`,
      export_bucket: BUCKET,
      export_bucket_owner: BUCKET_OWNER,
      export_prefix: 'first-sync',
      event_source_mapping_uuid: mappingUuid,
      max_concurrency: '2',
      export_poll_seconds: '1',
      mapping_poll_seconds: '1',
      import_poll_seconds: '1',
      loader_function_arn: replicator.functionArn,
    };
    const create = async (name: string, importerArn: string) =>
      (
        await sfn.send(
          new CreateStateMachineCommand({
            name,
            definition: definition({ ...vars, importer_function_arn: importerArn }),
            roleArn: role.Role?.Arn as string,
          }),
        )
      ).stateMachineArn as string;
    stateMachineArn = await create('first-sync', importer.functionArn);
    refusingArn = await create('first-sync-refusing', refusing.functionArn);
  });

  afterAll(() => {
    sfn?.destroy();
    lambda?.destroy();
  });

  it('exports, imports into a new table per target, waits for the imports, then enables the mapping', async () => {
    const out = await execute(stateMachineArn, 'import-1');

    expect(out.status, out.cause).toBe('SUCCEEDED');
    const state = JSON.parse(out.output ?? '{}');
    expect(state.importStatus).toMatchObject({ done: true, failedCount: 0 });
    expect(state.importStatus.items.imported).toBe(2 * exportItemCount);
    const expected = canonicalTable(await scanAll(source, 'orders'));
    for (const t of targets) {
      const client = await assumedRoleDynamoClient(moto.endpoint, t.region, t.roleArn);
      expect(canonicalTable(await scanAll(client, t.tableName))).toEqual(expected);
      client.destroy();
    }
    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: mappingUuid }));
    expect(['Enabled', 'Enabling']).toContain(mapping.State);
  });

  it('fails the run, naming the target and what to do, when a target table exists', async () => {
    const client = await assumedRoleDynamoClient(moto.endpoint, existing.region, existing.roleArn);
    await createTable(client, existing.tableName);
    client.destroy();
    const out = await execute(refusingArn, 'import-refused');

    expect(out.status).toBe('FAILED');
    expect(out.error).toBe('ImportFailed');
    expect(out.cause).toContain('TargetTableExistsError');
    expect(out.cause).toContain(
      `ImportTable creates a new table; ${label(existing)} exists; delete it, or use --load map`,
    );
  });
});
