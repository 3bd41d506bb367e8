import { parseConfig, parseInteger, type TargetConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { parseKeyAttributes } from './loader-config.js';

export interface VerifierConfig {
  /** The tables compared with the source: REPLICATION_TARGETS, as the loader reads it. */
  readonly targets: readonly TargetConfig[];
  /** Attributes never copied, so never compared (EXCLUDE_ATTRIBUTES). */
  readonly excludeAttributes: ReadonlySet<string>;
  /** The source table (name or ARN), read with the function's own credentials: SOURCE_TABLE_NAME. */
  readonly sourceTable: string;
  /** KEY_ATTRIBUTES; undefined: read from the source's key schema. */
  readonly keyAttributes?: readonly string[];
  /**
   * RECHECK_DELAY_MS (default 2,000): how long a difference found against the source's
   * current item is given to be replicated before the target is read again. The
   * replicator's lag is usually well under a second; 0 re-reads at once.
   */
  readonly recheckDelayMs: number;
  /** VERIFY_CONCURRENCY (default 8): batches of 100 keys compared at once per invocation. */
  readonly concurrency: number;
  /**
   * READ_CAPACITY: read capacity units per second one invocation puts on each table it
   * reads (the source and every target, each its own cap), paced from the units DynamoDB
   * says each read took; undefined (unset): no cap, for on-demand tables.
   */
  readonly readCapacity?: number;
}

/**
 * One consistent BatchGetItem of 100 keys takes 100 units at least: a cap below that would
 * make every batch wait longer than the invocation keeps for its last batches.
 */
export const MIN_READ_CAPACITY = 100;
/** Generous, as the loader's WRITE_CAPACITY: far above any table's quota; it catches typos. */
const MAX_READ_CAPACITY = 10_000_000;

const TABLE =
  /^([a-zA-Z0-9_.-]{3,255}|arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255})$/;

/** Reads the verifier's settings; the shared ones with the replicator's own parser. Throws ConfigError. */
export function parseVerifierConfig(env: Readonly<Record<string, string | undefined>>): VerifierConfig {
  const base = parseConfig(env);
  const sourceTable = env.SOURCE_TABLE_NAME?.trim() ?? '';
  if (!TABLE.test(sourceTable)) {
    throw new ConfigError(
      'SOURCE_TABLE_NAME',
      `must be the source table's name or ARN, got ${JSON.stringify(env.SOURCE_TABLE_NAME ?? null)}`,
    );
  }
  const keyAttributes = parseKeyAttributes(env.KEY_ATTRIBUTES, base.excludeAttributes);
  const readCapacity = parseReadCapacity(env.READ_CAPACITY);
  return {
    targets: base.targets,
    excludeAttributes: base.excludeAttributes,
    sourceTable,
    ...(keyAttributes === undefined ? {} : { keyAttributes }),
    recheckDelayMs: parseInteger('RECHECK_DELAY_MS', env.RECHECK_DELAY_MS, 2_000, 0, 60_000),
    concurrency: parseInteger('VERIFY_CONCURRENCY', env.VERIFY_CONCURRENCY, 8, 1, 64),
    ...(readCapacity === undefined ? {} : { readCapacity }),
  };
}

function parseReadCapacity(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw.trim());
  if (!Number.isInteger(v) || v < MIN_READ_CAPACITY || v > MAX_READ_CAPACITY) {
    throw new ConfigError(
      'READ_CAPACITY',
      `must be a whole number of read capacity units per second per table from ${MIN_READ_CAPACITY} to ${MAX_READ_CAPACITY} (unset: no cap), got "${raw}"`,
    );
  }
  return v;
}
