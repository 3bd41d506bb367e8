import { ImportLimitExceededError } from './errors.js';

/**
 * ImportTable's documented quotas, "Import format quotas and validation":
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Validation.html
 * (and "Best practices for importing from Amazon S3", S3DataImport.BestPractices.html):
 * - at most 50,000 S3 objects per import, in every region;
 * - at most 50 imports running at once per account and region;
 * - at most 15 TB of source objects (their stored, here gzip, size) imported at a time in
 *   us-east-1, us-west-2 and eu-west-1, 1 TB in every other region.
 * The size quota counts every import running at once, so N targets in one account and
 * region need N times the export's size. Imports others run in the account at the same
 * time are not counted here (ImportTable's LimitExceededException then says so).
 */
export interface ImportLimits {
  readonly maxObjectsPerImport: number;
  readonly maxConcurrentImports: number;
  /** Source bytes importable at a time in a region. */
  readonly maxBytesAtATime: (region: string) => number;
}

/** A terabyte as AWS's quotas count it; 10^12, the smaller reading, so the check never lets too much through. */
const TB = 1e12;
export const LARGE_IMPORT_REGIONS: ReadonlySet<string> = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);

export const IMPORT_LIMITS: ImportLimits = {
  maxObjectsPerImport: 50_000,
  maxConcurrentImports: 50,
  maxBytesAtATime: (region) => (LARGE_IMPORT_REGIONS.has(region) ? 15 * TB : 1 * TB),
};

/** What ListObjectsV2 found under the export's data prefix. */
export interface DataFiles {
  readonly objects: number;
  readonly bytes: number;
}

/** One import to be started: its target's account and region decide which quotas it shares. */
export interface PlannedImport {
  readonly account: string;
  readonly region: string;
}

/** Throws ImportLimitExceededError naming the first quota the planned imports would exceed. */
export function checkImportLimits(
  files: DataFiles,
  planned: readonly PlannedImport[],
  limits: ImportLimits = IMPORT_LIMITS,
): void {
  if (files.objects > limits.maxObjectsPerImport) {
    throw new ImportLimitExceededError(
      `ImportTable takes at most ${limits.maxObjectsPerImport} S3 objects per import`,
      `the export has ${files.objects} data files`,
    );
  }
  const groups = new Map<string, number>();
  for (const p of planned) {
    const key = `${p.account}/${p.region}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  for (const [key, count] of groups) {
    const region = key.split('/')[1] as string;
    if (count > limits.maxConcurrentImports) {
      throw new ImportLimitExceededError(
        `ImportTable runs at most ${limits.maxConcurrentImports} imports at once per account and region`,
        `${count} targets are in ${key}`,
      );
    }
    const max = limits.maxBytesAtATime(region);
    if (count * files.bytes > max) {
      throw new ImportLimitExceededError(
        `ImportTable imports at most ${bytes(max)} of source objects at a time in ${region}` +
          (LARGE_IMPORT_REGIONS.has(region)
            ? ''
            : ` (15 TB only in ${[...LARGE_IMPORT_REGIONS].join(', ')})`),
        `${count} import${count === 1 ? '' : 's'} of ${bytes(files.bytes)} of data files into ${key} make ${bytes(count * files.bytes)}`,
      );
    }
  }
}

function bytes(n: number): string {
  if (n >= TB) return `${(n / TB).toFixed(n % TB === 0 ? 0 : 2)} TB`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} MB`;
  return `${n} bytes`;
}
