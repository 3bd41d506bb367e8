import { createHash } from 'node:crypto';
import {
  DescribeTableCommand,
  type DynamoDBClient,
  ImportTableCommand,
  type TableCreationParameters,
} from '@aws-sdk/client-dynamodb';
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { TargetConfig } from '../config.js';
import { accountOfArn, targetLabel } from '../target-label.js';
import { ImportLimitExceededError, ImportStartError, TargetTableExistsError } from './errors.js';
import type { StartedImport, StartImportsEvent, StartImportsResult } from './import-event.js';
import { checkImportLimits, type DataFiles, IMPORT_LIMITS, type ImportLimits } from './import-limits.js';
import { tableCreationParameters } from './import-table-parameters.js';

export interface StartDeps {
  readonly targets: readonly TargetConfig[];
  /** One client per target, in the same order (assumed roles: createTargetClients). */
  readonly clients: readonly DynamoDBClient[];
  /** The function's own DynamoDB client, for DescribeTable of the source. */
  readonly source: DynamoDBClient;
  /** Lists the export bucket (the function's role is admitted by the bucket policy). */
  readonly s3: S3Client;
  readonly excludeAttributes: ReadonlySet<string>;
  readonly limits?: ImportLimits;
}

/** The source table's ARN: the export ARN is <table ARN>/export/<id>. */
export function sourceTableArn(exportArn: string): string {
  return exportArn.slice(0, exportArn.lastIndexOf('/export/'));
}

/**
 * ImportTable's ClientToken: the same export and target give the same token, so a start
 * the state machine retries after it ran gets the import already started back instead of
 * a second one (DynamoDB keeps a token 8 hours). UUID-shaped, within any length limit.
 */
export function importClientToken(exportArn: string, target: string): string {
  const h = createHash('sha256').update(`${exportArn}\n${target}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The data files under the prefix: how many, and their stored bytes (what the size quota counts). */
export async function measureDataFiles(
  s3: S3Client,
  bucket: string,
  prefix: string,
  owner: string,
): Promise<DataFiles> {
  let objects = 0;
  let bytes = 0;
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: bucket, Prefix: prefix, ExpectedBucketOwner: owner },
  )) {
    for (const o of page.Contents ?? []) {
      objects++;
      bytes += o.Size ?? 0;
    }
  }
  return { objects, bytes };
}

/** The table's status, or undefined when it does not exist. */
async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus ?? 'ACTIVE';
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/** A table name, or the name part of a table ARN (TableCreationParameters takes a name). */
const nameOf = (tableName: string) => tableName.slice(tableName.lastIndexOf('/') + 1);

/**
 * Starts one ImportTable per target from the export's data files, after checking, for
 * every target and before starting any: that the import can copy the table faithfully
 * (no EXCLUDE_ATTRIBUTES, no local secondary indexes), ImportTable's quotas, and that no
 * target table exists.
 */
export async function startImports(deps: StartDeps, event: StartImportsEvent): Promise<StartImportsResult> {
  if (deps.excludeAttributes.size > 0) {
    throw new ImportLimitExceededError(
      'ImportTable copies every attribute',
      `EXCLUDE_ATTRIBUTES names ${[...deps.excludeAttributes].join(', ')}, which the targets must not get`,
    );
  }
  const tableArn = sourceTableArn(event.exportArn);
  const sourceAccount = accountOfArn(tableArn) ?? '';
  const described = await deps.source.send(new DescribeTableCommand({ TableName: tableArn }));
  if (!described.Table) throw new Error(`DescribeTable of ${tableArn} gave no table`);
  const template = tableCreationParameters(described.Table, 'placeholder');

  const files = await measureDataFiles(deps.s3, event.bucket, event.prefix, event.bucketOwner);
  const plans = deps.targets.map((target, i) => {
    const label = targetLabel(target, sourceAccount);
    return {
      target,
      label,
      client: deps.clients[i] as DynamoDBClient,
      account: label.split('/')[0] as string,
      region: target.region,
    };
  });
  checkImportLimits(files, plans, deps.limits ?? IMPORT_LIMITS);

  // A table being created may be this export's own import, started by a run of this step
  // that the state machine retried: ImportTable with the same token hands it back (and
  // refuses it, ResourceInUseException, when it is someone else's). Any other table is refused.
  const statuses = await Promise.all(plans.map((p) => tableStatus(p.client, p.target.tableName)));
  const existing = plans.filter((_, i) => statuses[i] !== undefined && statuses[i] !== 'CREATING');
  if (existing[0]) throw new TargetTableExistsError(existing[0].label);
  const order = [
    ...plans.filter((_, i) => statuses[i] === 'CREATING'),
    ...plans.filter((_, i) => statuses[i] === undefined),
  ];

  const imports: StartedImport[] = [];
  for (const p of order) {
    const parameters: TableCreationParameters = { ...template, TableName: nameOf(p.target.tableName) };
    try {
      const out = await p.client.send(
        new ImportTableCommand({
          ClientToken: importClientToken(event.exportArn, p.label),
          S3BucketSource: {
            S3Bucket: event.bucket,
            S3BucketOwner: event.bucketOwner,
            S3KeyPrefix: event.prefix,
          },
          InputFormat: 'DYNAMODB_JSON',
          InputCompressionType: 'GZIP',
          TableCreationParameters: parameters,
        }),
      );
      const importArn = out.ImportTableDescription?.ImportArn;
      if (!importArn) throw new Error('ImportTable gave no ImportArn');
      imports.push({ target: p.label, importArn });
    } catch (err) {
      const cause =
        (err as Error).name === 'ResourceInUseException'
          ? new TargetTableExistsError(p.label)
          : (err as Error);
      if (imports.length === 0) throw cause;
      throw new ImportStartError(
        `starting the import into ${p.label} failed (${cause.name}: ${cause.message}) after ${imports.length} ` +
          `import(s) had started, which go on and create their tables: ${imports
            .map((s) => `${s.target} (${s.importArn})`)
            .join(', ')}; delete those tables before starting the first sync again`,
        { cause },
      );
    }
  }
  return { imports, objects: files.objects, bytes: files.bytes };
}
