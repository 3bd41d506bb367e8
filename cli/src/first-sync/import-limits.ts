/**
 * ImportTable's documented size limit, checked before a `--load import` run starts.
 *
 * Amazon DynamoDB Developer Guide, "Import format quotas and validation"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Validation.html)
 * and "Best practices for importing from Amazon S3 into DynamoDB" (S3DataImport.BestPractices.html):
 * the S3 objects of imports in progress may total 15 TB in us-east-1, us-west-2 and eu-west-1,
 * 1 TB in every other region (raw object sizes), and one import takes at most 50,000 objects.
 *
 * The source table's TableSizeBytes stands in for the export's size: the export is gzip
 * compressed, so it is usually smaller, but its size is known only after the export, which for
 * a large table takes hours. A table over the limit is refused up front; `--load map` has no
 * such limit.
 */
const TB = 1024 ** 4;
const LARGE_IMPORT_REGIONS = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);

export function importLimitBytes(region: string): number {
  return (LARGE_IMPORT_REGIONS.has(region) ? 15 : 1) * TB;
}

/** Why `--load import` cannot take a table of `sizeBytes` into `regions`, or undefined. */
export function importTooLarge(sizeBytes: number, regions: readonly string[]): string | undefined {
  const over = regions.filter((r) => sizeBytes > importLimitBytes(r));
  if (over.length === 0) return undefined;
  const limits = over.map((r) => `${importLimitBytes(r) / TB} TB in ${r}`).join(', ');
  return (
    `the source table holds ${(sizeBytes / TB).toFixed(2)} TB, over ImportTable's documented limit ` +
    `(${limits}); use --load map`
  );
}

/**
 * The source table's ARN as the state machine names it: the export task's TableArn (the
 * definition is the module's, rendered by Terraform).
 */
export function sourceTableArnOf(definition: string | undefined): string | undefined {
  try {
    const d = JSON.parse(definition ?? '') as {
      States?: Record<string, { Parameters?: { TableArn?: unknown } }>;
    };
    const arn = d.States?.ExportTable?.Parameters?.TableArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}
