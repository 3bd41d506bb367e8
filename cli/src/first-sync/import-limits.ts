/**
 * ImportTable's documented size limit, checked before a `--load import` run starts. The
 * quotas are the importer's own (IMPORT_LIMITS, lambda/src/first-sync/import-limits.ts, which
 * cites AWS's page): 15 TB in us-east-1, us-west-2 and eu-west-1, 1 TB elsewhere, a terabyte
 * being 10^12 bytes.
 *
 * The source table's TableSizeBytes stands in for the export's size: the export is gzip
 * compressed, so it is usually smaller, but its size is known only after the export, which for
 * a large table takes hours. A table over the limit is refused up front; `--load map` has no
 * such limit.
 */
import { IMPORT_LIMITS } from '#core';

const TB = 1e12;

/** Why `--load import` cannot take a table of `sizeBytes` into `regions`, or undefined. */
export function importTooLarge(sizeBytes: number, regions: readonly string[]): string | undefined {
  const over = regions.filter((r) => sizeBytes > IMPORT_LIMITS.maxBytesAtATime(r));
  if (over.length === 0) return undefined;
  const limits = over.map((r) => `${IMPORT_LIMITS.maxBytesAtATime(r) / TB} TB in ${r}`).join(', ');
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
