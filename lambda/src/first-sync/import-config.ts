import { parseConfig, type TargetConfig } from '../config.js';
import { parseStreamReserveSeconds } from './stream-budget.js';

export interface ImporterConfig {
  /** Every target gets its own import: REPLICATION_TARGETS, as the replicator reads it. */
  readonly targets: readonly TargetConfig[];
  /**
   * EXCLUDE_ATTRIBUTES, read only to refuse: ImportTable copies every attribute, so an
   * import would put on the targets what the replicator is told to keep off them.
   */
  readonly excludeAttributes: ReadonlySet<string>;
  /** STREAM_RESERVE_SECONDS (default 3600): an import still running after T0 + 24 h minus this fails. */
  readonly streamReserveSeconds: number;
}

/** Reads the importer's settings; throws ConfigError naming the setting. */
export function parseImporterConfig(env: Readonly<Record<string, string | undefined>>): ImporterConfig {
  const base = parseConfig(env);
  return {
    targets: base.targets,
    excludeAttributes: base.excludeAttributes,
    streamReserveSeconds: parseStreamReserveSeconds(env.STREAM_RESERVE_SECONDS),
  };
}
