import {
  parseBoolean,
  parseExcludeAttributes,
  parseInteger,
  parseRegion,
  parseTableName,
  parseTargets,
  type TargetConfig,
} from '../config.js';
import { ConfigError } from '../errors.js';

export interface DriftConfig {
  /** The function's own region: the source table's. */
  readonly region: string;
  readonly sourceTable: string;
  /** Tables compared with the source, read (and repaired) through the targets' health roles. */
  readonly targets: readonly TargetConfig[];
  /** Attributes the replicator does not copy (its EXCLUDE_ATTRIBUTES): not compared. */
  readonly excludeAttributes: ReadonlySet<string>;
  /** The replicator's SKIP_TTL_DELETES: items only in a target are then expected, not drift. */
  readonly skipTtlDeletes: boolean;
  /** Items read per run from each side (the source, and each target). */
  readonly sampleItems: number;
  /** Parallel Scan segments the sample's segments are picked from at random. */
  readonly sampleTotalSegments: number;
  /** Read capacity units per second, per table read. */
  readonly readCapacity: number;
  /** Pause before the consistent re-check of what the first reads found different. */
  readonly recheckDelayMs: number;
  /** Write the source's item into the target (or delete the extra one) for confirmed drift. */
  readonly repair: boolean;
  /** S3 bucket for the run's JSON report (keys only), if any. */
  readonly reportBucket?: string;
}

// S3 bucket names: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Reads and checks the drift function's settings; throws ConfigError naming the setting that is wrong. */
export function parseDriftConfig(env: Readonly<Record<string, string | undefined>>): DriftConfig {
  const region = parseRegion(env);
  const reportBucket = env.REPORT_BUCKET?.trim() || undefined;
  if (reportBucket !== undefined && !BUCKET.test(reportBucket)) {
    throw new ConfigError(
      'REPORT_BUCKET',
      `"${reportBucket}" is not an S3 bucket name (3-63 of a-z 0-9 . -)`,
    );
  }
  return {
    region,
    sourceTable: parseTableName(env.SOURCE_TABLE, 'SOURCE_TABLE'),
    targets: parseTargets(env.HEALTH_TARGETS, region, 'HEALTH_TARGETS'),
    excludeAttributes: parseExcludeAttributes(env.EXCLUDE_ATTRIBUTES),
    skipTtlDeletes: parseBoolean('SKIP_TTL_DELETES', env.SKIP_TTL_DELETES, false),
    sampleItems: parseInteger('SAMPLE_ITEMS', env.SAMPLE_ITEMS, 1000, 1, 1_000_000),
    sampleTotalSegments: parseInteger('SAMPLE_TOTAL_SEGMENTS', env.SAMPLE_TOTAL_SEGMENTS, 1000, 1, 1_000_000),
    readCapacity: parseInteger('READ_CAPACITY', env.READ_CAPACITY, 100, 1, 100_000),
    recheckDelayMs: parseInteger('RECHECK_DELAY_MS', env.RECHECK_DELAY_MS, 5000, 0, 600_000),
    repair: parseBoolean('REPAIR', env.REPAIR, false),
    ...(reportBucket !== undefined ? { reportBucket } : {}),
  };
}
