/**
 * A full DynamoDB export to S3 on the local AWS, as the first sync's state machine starts
 * it: point-in-time recovery on, ExportTableToPointInTime, DescribeExport until it leaves
 * IN_PROGRESS, then the data files AWS writes under <prefix>/AWSDynamoDB/<export id>/data/.
 */
import {
  DescribeExportCommand,
  type DynamoDBClient,
  ExportTableToPointInTimeCommand,
  UpdateContinuousBackupsCommand,
} from '@aws-sdk/client-dynamodb';
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

/** The export ended in a status other than COMPLETED, or did not end in time. */
export class ExportNotCompletedError extends Error {
  override readonly name = 'ExportNotCompletedError';
  constructor(
    readonly exportArn: string,
    readonly status: string | undefined,
  ) {
    super(`export ${exportArn} ended ${status ?? 'with no status'}, not COMPLETED`);
  }
}

export interface TableExportRequest {
  /** The source table's client: it starts and describes the export. */
  client: DynamoDBClient;
  /** A client that may list the bucket. */
  s3: S3Client;
  tableArn: string;
  bucket: string;
  /** When the bucket is another account's, as the module usually puts it. */
  bucketOwner?: string;
  prefix: string;
  /** Describe polls before giving up, 100 ms apart (moto exports in a thread). */
  maxPolls?: number;
}

export interface TableExport {
  exportArn: string;
  itemCount: number;
  /** The keys of the export's data files, in listing order. */
  dataFiles: string[];
}

/** Export needs point-in-time recovery on the table. */
export async function enablePointInTimeRecovery(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new UpdateContinuousBackupsCommand({
      TableName: tableName,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    }),
  );
}

export async function exportTable(request: TableExportRequest): Promise<TableExport> {
  const { client, s3, tableArn, bucket, bucketOwner, prefix, maxPolls = 600 } = request;
  const started = await client.send(
    new ExportTableToPointInTimeCommand({
      TableArn: tableArn,
      S3Bucket: bucket,
      ...(bucketOwner ? { S3BucketOwner: bucketOwner } : {}),
      S3Prefix: prefix,
      ExportFormat: 'DYNAMODB_JSON',
      ExportType: 'FULL_EXPORT',
    }),
  );
  const exportArn = started.ExportDescription?.ExportArn as string;
  let description = started.ExportDescription;
  for (let i = 0; i < maxPolls && description?.ExportStatus === 'IN_PROGRESS'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    description = (await client.send(new DescribeExportCommand({ ExportArn: exportArn }))).ExportDescription;
  }
  if (description?.ExportStatus !== 'COMPLETED')
    throw new ExportNotCompletedError(exportArn, description?.ExportStatus);

  const dataFiles: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: `${prefix}/` })) {
    for (const o of page.Contents ?? []) if (o.Key?.includes('/data/')) dataFiles.push(o.Key);
  }
  return { exportArn, itemCount: description.ItemCount ?? -1, dataFiles };
}
