import { parseConfig, type TargetConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { parseStreamReserveSeconds } from './stream-budget.js';

export interface LoaderConfig {
  /** Every target gets every item: REPLICATION_TARGETS, as the replicator reads it. */
  readonly targets: readonly TargetConfig[];
  /** Top-level attributes never written to a target (EXCLUDE_ATTRIBUTES). */
  readonly excludeAttributes: ReadonlySet<string>;
  /**
   * Most BatchWriteItem requests (of up to 25 items) in flight per target: MAX_CONCURRENCY,
   * default 64 as for the replicator. The loader is CPU-bound at 20 ms round trips well
   * below that (BENCHMARKS.md); the headroom is for targets in far regions, whose round
   * trips are longer. Memory stays bounded by MAX_IN_FLIGHT_BYTES whatever the items' size.
   */
  readonly maxConcurrency: number;
  /** Write capacity units per second put on each target by one invocation; undefined: no cap. */
  readonly writeCapacity?: number;
  /** The table's key attribute names (KEY_ATTRIBUTES); undefined: read from the first target. */
  readonly keyAttributes?: readonly string[];
  /**
   * Seconds kept for the mapping's catch-up after the load (STREAM_RESERVE_SECONDS, default
   * 3600): an invocation refuses to start after T0 + 24 h minus this.
   */
  readonly streamReserveSeconds: number;
}

/** Generous: DynamoDB's largest on-demand table quota is far below it; it catches typos. */
const MAX_WRITE_CAPACITY = 10_000_000;

/**
 * Reads the loader's settings. The settings it shares with the replicator are read by the
 * replicator's own parser, so the two functions accept and refuse the same values.
 * Throws ConfigError naming the setting.
 */
export function parseLoaderConfig(env: Readonly<Record<string, string | undefined>>): LoaderConfig {
  const base = parseConfig(env);
  const writeCapacity = parseWriteCapacity(env.WRITE_CAPACITY);
  const keyAttributes = parseKeyAttributes(env.KEY_ATTRIBUTES, base.excludeAttributes);
  return {
    targets: base.targets,
    excludeAttributes: base.excludeAttributes,
    maxConcurrency: base.maxConcurrency,
    streamReserveSeconds: parseStreamReserveSeconds(env.STREAM_RESERVE_SECONDS),
    ...(writeCapacity === undefined ? {} : { writeCapacity }),
    ...(keyAttributes === undefined ? {} : { keyAttributes }),
  };
}

function parseWriteCapacity(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw.trim());
  if (!Number.isInteger(v) || v < 1 || v > MAX_WRITE_CAPACITY) {
    throw new ConfigError(
      'WRITE_CAPACITY',
      `must be a whole number of write capacity units per second from 1 to ${MAX_WRITE_CAPACITY}, got "${raw}"`,
    );
  }
  return v;
}

/** One or two names (hash key, then range key if any), comma-separated. */
export function parseKeyAttributes(
  raw: string | undefined,
  exclude: ReadonlySet<string>,
): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const names = raw.split(',').map((s) => s.trim());
  if (names.length > 2 || names.some((n) => n === '') || new Set(names).size !== names.length) {
    throw new ConfigError(
      'KEY_ATTRIBUTES',
      `must name the table's hash key and, if it has one, its range key, like "pk" or "pk,sk"; got "${raw}"`,
    );
  }
  checkKeyNotExcluded(names, exclude);
  return names;
}

/** A key attribute cannot be left out of a put; say so before anything is written. */
export function checkKeyNotExcluded(names: readonly string[], exclude: ReadonlySet<string>): void {
  const excluded = names.find((n) => exclude.has(n));
  if (excluded !== undefined) {
    throw new ConfigError(
      'EXCLUDE_ATTRIBUTES',
      `names "${excluded}", which is part of the table's key; key attributes are always copied, remove it from EXCLUDE_ATTRIBUTES`,
    );
  }
}
