/**
 * The importer's handler as Lambda calls it, against SDK clients answered by
 * aws-sdk-client-mock: one per target (as createTargetClients makes them), the source's
 * and S3's, so every request it sends is checked as DynamoDB and S3 would receive it.
 */
import {
  DescribeImportCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ImportTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lambda/src/errors.js';
import {
  ImporterEventError,
  ImportLimitExceededError,
  ImportStartError,
  StreamBudgetExceededError,
  TargetTableExistsError,
} from '../../../lambda/src/first-sync/errors.js';
import { parseImporterConfig } from '../../../lambda/src/first-sync/import-config.js';
import type {
  DescribeImportsResult,
  StartImportsResult,
} from '../../../lambda/src/first-sync/import-event.js';
import { createImporterHandler, IMPORTER_METRIC } from '../../../lambda/src/first-sync/import-handler.js';
import { IMPORT_LIMITS, type ImportLimits } from '../../../lambda/src/first-sync/import-limits.js';
import { importClientToken } from '../../../lambda/src/first-sync/import-start.js';
import { tableCreationParameters } from '../../../lambda/src/first-sync/import-table-parameters.js';
import { createLogger, createMetrics } from '../../../lambda/src/observability.js';
import { captureOutput } from '../output-capture.js';

const SOURCE_ARN = 'arn:aws:dynamodb:us-east-1:111111111111:table/orders';
const EXPORT_ARN = `${SOURCE_ARN}/export/01700000000000-abcdefgh`;
const BUCKET = 'ddbsync-exports-222222222222';
const PREFIX = 'first-sync/exec-1/AWSDynamoDB/01700000000000-abcdefgh/data/';
const START = {
  action: 'start',
  bucket: BUCKET,
  bucketOwner: '222222222222',
  prefix: PREFIX,
  exportArn: EXPORT_ARN,
};
const TARGETS = [
  { tableName: 'orders-replica', region: 'eu-west-1', roleArn: 'arn:aws:iam::222222222222:role/fs' },
  { tableName: 'orders-replica', region: 'ap-southeast-2', roleArn: 'arn:aws:iam::333333333333:role/fs' },
];
const LABELS = ['222222222222/eu-west-1/orders-replica', '333333333333/ap-southeast-2/orders-replica'];
const importArn = (i: number) =>
  `arn:aws:dynamodb:${TARGETS[i]?.region}:${LABELS[i]?.split('/')[0]}:table/orders-replica/import/0170000000000${i}-abc`;

/** The source: provisioned, a GSI with an INCLUDE projection, encrypted with a customer key. */
const SOURCE: TableDescription = {
  TableName: 'orders',
  TableArn: SOURCE_ARN,
  TableStatus: 'ACTIVE',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'N' },
    { AttributeName: 'status', AttributeType: 'S' },
  ],
  BillingModeSummary: { BillingMode: 'PROVISIONED' },
  ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 50, NumberOfDecreasesToday: 0 },
  GlobalSecondaryIndexes: [
    {
      IndexName: 'by-status',
      KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] },
      ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 },
      IndexStatus: 'ACTIVE',
    },
  ],
  SSEDescription: {
    Status: 'ENABLED',
    SSEType: 'KMS',
    KMSMasterKeyArn: 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  },
  StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
};

const { printed } = captureOutput();

interface Setup {
  env?: Record<string, string>;
  source?: TableDescription;
  files?: number[];
  limits?: ImportLimits;
  now?: number;
}

function setup(o: Setup = {}) {
  const config = parseImporterConfig({
    AWS_REGION: 'us-east-1',
    REPLICATION_TARGETS: JSON.stringify(TARGETS),
    ...o.env,
  });
  const clients = config.targets.map((t) => new DynamoDBClient({ region: t.region }));
  const targets = clients.map((c) => mockClient(c));
  for (const t of targets) {
    t.on(DescribeTableCommand).rejects(
      new ResourceNotFoundException({ message: 'not found', $metadata: {} }),
    );
  }
  targets.forEach((t, i) => {
    t.on(ImportTableCommand).resolves({
      ImportTableDescription: { ImportArn: importArn(i), ImportStatus: 'IN_PROGRESS' },
    });
  });
  const sourceClient = new DynamoDBClient({ region: 'us-east-1' });
  const source = mockClient(sourceClient);
  source.on(DescribeTableCommand, { TableName: SOURCE_ARN }).resolves({ Table: o.source ?? SOURCE });
  const s3Client = new S3Client({ region: 'us-east-1' });
  const s3 = mockClient(s3Client);
  const sizes = o.files ?? [1000, 2000, 3000];
  s3.on(ListObjectsV2Command).resolves({
    Contents: sizes.map((Size, i) => ({ Key: `${PREFIX}part-${i}.json.gz`, Size })),
    IsTruncated: false,
  });
  const handler = createImporterHandler({
    config,
    clients,
    source: sourceClient,
    s3: s3Client,
    logger: createLogger(),
    metrics: createMetrics(),
    ...(o.limits ? { limits: o.limits } : {}),
    now: () => o.now ?? Date.parse('2026-12-01T12:00:00Z'),
  });
  return { handler, targets, source, s3 };
}

const failure = async (p: Promise<unknown>) =>
  p.then(
    () => expect.fail('resolved'),
    (e: unknown) => e as Error,
  );

describe('importer start', () => {
  it('starts one ImportTable per target from the data prefix, with the source table shape, and returns the imports', async () => {
    const { handler, targets, s3 } = setup();

    const result = (await handler(START)) as StartImportsResult;

    expect(result).toEqual({
      imports: [
        { target: LABELS[0], importArn: importArn(0) },
        { target: LABELS[1], importArn: importArn(1) },
      ],
      objects: 3,
      bytes: 6000,
    });
    expect(s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Prefix: PREFIX,
      ExpectedBucketOwner: '222222222222',
    });
    targets.forEach((t, i) => {
      const calls = t.commandCalls(ImportTableCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input).toEqual({
        ClientToken: importClientToken(EXPORT_ARN, LABELS[i] as string),
        S3BucketSource: { S3Bucket: BUCKET, S3BucketOwner: '222222222222', S3KeyPrefix: PREFIX },
        InputFormat: 'DYNAMODB_JSON',
        InputCompressionType: 'GZIP',
        TableCreationParameters: {
          TableName: 'orders-replica',
          KeySchema: SOURCE.KeySchema,
          AttributeDefinitions: SOURCE.AttributeDefinitions,
          BillingMode: 'PROVISIONED',
          ProvisionedThroughput: { ReadCapacityUnits: 100, WriteCapacityUnits: 50 },
          GlobalSecondaryIndexes: [
            {
              IndexName: 'by-status',
              KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
              Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] },
              ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 },
            },
          ],
          // The source's customer key is in its own account: only the type is copied.
          SSESpecification: { Enabled: true, SSEType: 'KMS' },
        },
      });
    });
    expect(printed().find((l) => l.message === 'imports started')).toMatchObject({
      level: 'INFO',
      objects: 3,
    });
  });

  it('derives one client token per export and target, the same on every retry', () => {
    const a = importClientToken(EXPORT_ARN, LABELS[0] as string);
    expect(a).toBe(importClientToken(EXPORT_ARN, LABELS[0] as string));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a).not.toBe(importClientToken(EXPORT_ARN, LABELS[1] as string));
    expect(a).not.toBe(
      importClientToken(`${SOURCE_ARN}/export/01700000000001-zzzzzzzz`, LABELS[0] as string),
    );
  });

  it('refuses when a target table exists, before starting any import', async () => {
    const { handler, targets } = setup();
    targets[1]
      ?.on(DescribeTableCommand)
      .resolves({ Table: { TableName: 'orders-replica', TableStatus: 'ACTIVE' } });

    const err = await failure(handler(START));

    expect(err).toBeInstanceOf(TargetTableExistsError);
    expect(err.message).toBe(
      `ImportTable creates a new table; ${LABELS[1]} exists; delete it, or use --load map (which writes into an existing table)`,
    );
    for (const t of targets) expect(t.commandCalls(ImportTableCommand)).toEqual([]);
  });

  it("takes back its own import from a retried start (a table being created, the same client token), and refuses someone else's", async () => {
    const { handler, targets } = setup();
    targets[0]
      ?.on(DescribeTableCommand)
      .resolves({ Table: { TableName: 'orders-replica', TableStatus: 'CREATING' } });
    const result = (await handler(START)) as StartImportsResult;
    expect(result.imports.map((i) => i.importArn)).toEqual([importArn(0), importArn(1)]);

    const other = setup();
    other.targets[0]?.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'CREATING' } });
    other.targets[0]
      ?.on(ImportTableCommand)
      .rejects(new ResourceInUseException({ message: 'Table already exists', $metadata: {} }));
    const err = await failure(other.handler(START));
    expect(err).toBeInstanceOf(TargetTableExistsError);
    // The table being created was tried first: nothing else was started.
    expect(other.targets[1]?.commandCalls(ImportTableCommand)).toEqual([]);
  });

  it('names the imports already started when a later one fails to start, so their tables can be deleted', async () => {
    const { handler, targets } = setup();
    const limit = Object.assign(new Error('Too many imports'), { name: 'LimitExceededException' });
    targets[1]?.on(ImportTableCommand).rejects(limit);

    const err = await failure(handler(START));

    expect(err).toBeInstanceOf(ImportStartError);
    expect(err.message).toContain(`starting the import into ${LABELS[1]} failed (LimitExceededException`);
    expect(err.message).toContain(`${LABELS[0]} (${importArn(0)})`);
    expect(err.message).toContain('delete those tables');
  });

  const small: ImportLimits = {
    maxObjectsPerImport: 2,
    maxConcurrentImports: 1,
    maxBytesAtATime: (region) => (region === 'eu-west-1' ? 10_000 : 5_000),
  };

  it.each([
    [
      'S3 objects per import',
      { limits: small, files: [1, 1, 1] },
      'ImportTable takes at most 2 S3 objects per import: the export has 3 data files',
    ],
    [
      'bytes at a time in a small region',
      { limits: small, files: [3000, 3000] },
      'ImportTable imports at most 5000 bytes of source objects at a time in ap-southeast-2 (15 TB only in us-east-1, us-west-2, eu-west-1): 1 import of 6000 bytes',
    ],
    [
      'imports at once in one account and region',
      {
        limits: small,
        files: [1],
        env: {
          REPLICATION_TARGETS: JSON.stringify([
            { tableName: 'a-replica', region: 'eu-west-1' },
            { tableName: 'b-replica', region: 'eu-west-1' },
          ]),
        },
      },
      'ImportTable runs at most 1 imports at once per account and region: 2 targets are in 111111111111/eu-west-1',
    ],
    [
      'the documented 50,000 objects',
      { files: Array.from({ length: 50_001 }, () => 1) },
      'ImportTable takes at most 50000 S3 objects per import: the export has 50001 data files',
    ],
  ])(
    'refuses an export over %s before starting anything, saying to use --load map',
    async (_, o, message) => {
      const { handler, targets } = setup(o as Setup);
      const err = await failure(handler(START));
      expect(err).toBeInstanceOf(ImportLimitExceededError);
      expect(err.message).toContain(message);
      expect(err.message).toMatch(/nothing was imported; use --load map$/);
      for (const t of targets) expect(t.commandCalls(ImportTableCommand)).toEqual([]);
    },
  );

  it('uses the documented size quotas: 15 TB in us-east-1, us-west-2 and eu-west-1, 1 TB elsewhere, over every import at once', async () => {
    expect(IMPORT_LIMITS.maxBytesAtATime('eu-west-1')).toBe(15e12);
    expect(IMPORT_LIMITS.maxBytesAtATime('ap-southeast-2')).toBe(1e12);
    // 0.6 TB per import: one fits in ap-southeast-2; two targets in eu-west-1 make 1.2 TB, which fits there.
    const fits = setup({
      files: [0.6e12],
      env: {
        REPLICATION_TARGETS: JSON.stringify([
          { tableName: 'a-replica', region: 'eu-west-1' },
          { tableName: 'b-replica', region: 'eu-west-1' },
          { tableName: 'c-replica', region: 'ap-southeast-2' },
        ]),
      },
    });
    await expect(fits.handler(START)).resolves.toMatchObject({ bytes: 0.6e12 });
    const over = setup({
      files: [0.6e12],
      env: {
        REPLICATION_TARGETS: JSON.stringify([
          { tableName: 'a-replica', region: 'ap-southeast-2' },
          { tableName: 'b-replica', region: 'ap-southeast-2' },
        ]),
      },
    });
    const err = await failure(over.handler(START));
    expect(err.message).toContain('at most 1 TB of source objects at a time in ap-southeast-2');
    expect(err.message).toContain('2 imports of 600.00 GB');
  });

  it('counts the data files over every ListObjectsV2 page (1,000 keys each): 50,001 files are refused before any import starts', async () => {
    const s = setup();
    const total = 50_001;
    s.s3.on(ListObjectsV2Command).callsFake((input: { ContinuationToken?: string }) => {
      const from = Number(input.ContinuationToken ?? '0');
      const to = Math.min(total, from + 1000);
      return {
        Contents: Array.from({ length: to - from }, (_, i) => ({
          Key: `${PREFIX}part-${from + i}.json.gz`,
          Size: 10,
        })),
        IsTruncated: to < total,
        ...(to < total ? { NextContinuationToken: String(to) } : {}),
      };
    });
    const err = await failure(s.handler(START));
    expect(err).toBeInstanceOf(ImportLimitExceededError);
    expect(err.message).toContain('the export has 50001 data files');
    expect(s.s3.commandCalls(ListObjectsV2Command)).toHaveLength(51);
    for (const t of s.targets) expect(t.commandCalls(ImportTableCommand)).toEqual([]);
  });

  it('refuses a source with local secondary indexes, and EXCLUDE_ATTRIBUTES, which an import cannot honour', async () => {
    const withLsi = setup({
      source: {
        ...SOURCE,
        LocalSecondaryIndexes: [
          { IndexName: 'by-date', KeySchema: [], Projection: { ProjectionType: 'KEYS_ONLY' } },
        ],
      },
    });
    const lsi = await failure(withLsi.handler(START));
    expect(lsi).toBeInstanceOf(ImportLimitExceededError);
    expect(lsi.message).toContain('ImportTable cannot create local secondary indexes');
    expect(lsi.message).toContain('(by-date)');

    const excluding = setup({ env: { EXCLUDE_ATTRIBUTES: 'ssn' } });
    const ex = await failure(excluding.handler(START));
    expect(ex).toBeInstanceOf(ImportLimitExceededError);
    expect(ex.message).toContain('ImportTable copies every attribute: EXCLUDE_ATTRIBUTES names ssn');
    for (const t of [...withLsi.targets, ...excluding.targets])
      expect(t.commandCalls(ImportTableCommand)).toEqual([]);
  });

  it.each([
    [{ ...START, action: 'go' }, 'event.action'],
    [{ ...START, bucket: 'Bad_Bucket' }, 'event.bucket'],
    [{ ...START, bucketOwner: '2222' }, 'event.bucketOwner'],
    [{ ...START, prefix: 'no-slash' }, 'event.prefix'],
    [{ ...START, exportArn: SOURCE_ARN }, 'event.exportArn'],
    [{ action: 'describe', imports: [] }, 'event.imports'],
    [{ action: 'describe', imports: [{ target: 'x', importArn: 'arn' }] }, 'event.imports[0].importArn'],
    [
      { action: 'describe', imports: [{ target: LABELS[0], importArn: importArn(0) }], exportTime: 'now' },
      'event.exportTime',
    ],
    [null, 'event.(event)'],
  ])('refuses the event %j naming %s', async (event, field) => {
    const err = await failure(setup().handler(event));
    expect(err).toBeInstanceOf(ImporterEventError);
    expect(err.message.startsWith(`${field}:`)).toBe(true);
  });
});

describe('importer describe', () => {
  const IMPORTS = [
    { target: LABELS[0], importArn: importArn(0) },
    { target: LABELS[1], importArn: importArn(1) },
  ];
  const DESCRIBE = {
    action: 'describe',
    imports: IMPORTS,
    expectedItems: 1000,
    exportTime: '2026-12-01T10:00:00Z',
  };

  function answering(o: Setup, ...descriptions: Record<string, unknown>[]) {
    const s = setup(o);
    s.targets.forEach((t, i) => {
      t.on(DescribeImportCommand, { ImportArn: importArn(i) }).resolves({
        ImportTableDescription: { ImportArn: importArn(i), ...descriptions[i] },
      });
    });
    return s;
  }
  const completed = {
    ImportStatus: 'COMPLETED',
    ProcessedItemCount: 1000,
    ImportedItemCount: 1000,
    ErrorCount: 0,
  };

  it('is not done while an import runs, and done with the item counts when all completed', async () => {
    const running = answering({}, completed, { ImportStatus: 'IN_PROGRESS', ProcessedItemCount: 10 });
    await expect(running.handler(DESCRIBE)).resolves.toMatchObject({
      done: false,
      failed: [],
      items: { processed: 1010, imported: 1000, errors: 0 },
      message: '1 of 2 imports completed, 1000 items imported',
    });

    const done = answering({}, completed, completed);
    const result = (await done.handler(DESCRIBE)) as DescribeImportsResult;
    expect(result).toEqual({
      done: true,
      failed: [],
      items: { processed: 2000, imported: 2000, errors: 0 },
      imports: [
        { target: LABELS[0], status: 'COMPLETED', imported: 1000 },
        { target: LABELS[1], status: 'COMPLETED', imported: 1000 },
      ],
      message: '2 of 2 imports completed, 2000 items imported',
    });
    expect(printed().find((l) => '_aws' in l)?.[IMPORTER_METRIC.itemsImported]).toBe(2000);
  });

  it('fails an import that FAILED, one that completed with item errors, and one short of the export, naming each target', async () => {
    const failedOne = answering(
      {},
      { ImportStatus: 'FAILED', FailureCode: 'S3AccessDenied', FailureMessage: 'Access Denied' },
      { ImportStatus: 'IN_PROGRESS' },
    );
    const r1 = (await failedOne.handler(DESCRIBE)) as DescribeImportsResult;
    expect(r1.done).toBe(true);
    expect(r1.failed).toEqual([
      {
        target: LABELS[0],
        importArn: importArn(0),
        status: 'FAILED',
        failureCode: 'S3AccessDenied',
        failureMessage: 'Access Denied',
      },
    ]);
    expect(r1.message).toBe(
      `Import failed: ${LABELS[0]}: FAILED S3AccessDenied: Access Denied (${importArn(0)}). Delete the tables these imports created before starting the first sync again.`,
    );

    const partial = answering(
      {},
      {
        ...completed,
        ImportedItemCount: 998,
        ErrorCount: 2,
        CloudWatchLogGroupArn: 'arn:aws:logs:x:1:log-group:imports',
      },
      { ...completed, ImportedItemCount: 999 },
    );
    const r2 = (await partial.handler(DESCRIBE)) as DescribeImportsResult;
    expect(r2.failed.map((f) => [f.target, f.failureCode, f.failureMessage])).toEqual([
      [
        LABELS[0],
        'ItemErrors',
        '2 of 1000 items could not be imported (the log group arn:aws:logs:x:1:log-group:imports names them)',
      ],
      [LABELS[1], 'ItemCountMismatch', 'imported 999 items; the export holds 1000'],
    ]);
  });

  it('fails imports still running past T0 + 24 h - STREAM_RESERVE_SECONDS', async () => {
    const late = answering({ now: Date.parse('2026-12-02T09:00:00.001Z') }, completed, {
      ImportStatus: 'IN_PROGRESS',
    });
    const err = await failure(late.handler(DESCRIBE));
    expect(err).toBeInstanceOf(StreamBudgetExceededError);
    expect(err.message).toContain(
      "the import is past its stream budget: the export's time T0 is 2026-12-01T10:00:00.000Z",
    );
    // Imports that have all ended are past the budget's concern.
    const ended = answering({ now: Date.parse('2026-12-02T09:00:00.001Z') }, completed, completed);
    await expect(ended.handler(DESCRIBE)).resolves.toMatchObject({ done: true, failed: [] });
  });

  it('refuses an import whose target is not configured', async () => {
    const s = answering({}, completed, completed);
    const err = await failure(
      s.handler({
        ...DESCRIBE,
        imports: [{ target: '444444444444/eu-west-1/other', importArn: importArn(0) }],
      }),
    );
    expect(err).toBeInstanceOf(ImporterEventError);
    expect(err.message).toContain('444444444444/eu-west-1/other is not one of REPLICATION_TARGETS');
  });
});

describe('importer configuration and table shape', () => {
  it('reads STREAM_RESERVE_SECONDS, naming it when wrong', () => {
    const env = { AWS_REGION: 'us-east-1', REPLICATION_TARGETS: '[{"tableName":"t-replica"}]' };
    expect(parseImporterConfig(env).streamReserveSeconds).toBe(3600);
    expect(parseImporterConfig({ ...env, STREAM_RESERVE_SECONDS: '600' }).streamReserveSeconds).toBe(600);
    const err = (() => {
      try {
        parseImporterConfig({ ...env, STREAM_RESERVE_SECONDS: 'soon' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.setting).toBe('STREAM_RESERVE_SECONDS');
  });

  it('copies an on-demand table with its maximums, keeps only key attributes, and no encryption for an owned key', () => {
    expect(
      tableCreationParameters(
        {
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [
            { AttributeName: 'id', AttributeType: 'S' },
            { AttributeName: 'lsiOnly', AttributeType: 'S' },
          ],
          BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
          ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
          OnDemandThroughput: { MaxReadRequestUnits: -1, MaxWriteRequestUnits: 4000 },
        },
        'copy',
      ),
    ).toEqual({
      TableName: 'copy',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      OnDemandThroughput: { MaxWriteRequestUnits: 4000 },
    });
  });
});
