import type { EventImage } from '../attribute-values.js';
import { parseInteger, parseRegion, parseTableName, parseTargets, type TargetConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { HEARTBEAT_AT, HEARTBEAT_ID, parseHeartbeatKey } from '../heartbeat.js';

export interface CanaryConfig {
  /** The function's own region: the source table's. */
  readonly region: string;
  /** The replicated table, in the function's own account and region. */
  readonly sourceTable: string;
  /** The heartbeat item's full key, in DynamoDB JSON (wire) form. */
  readonly heartbeatKey: EventImage;
  /** Attribute that gets the heartbeat's expiry (epoch seconds), so old heartbeats go away. */
  readonly ttlAttribute?: string;
  readonly ttlSeconds: number;
  /** Tables to look for the heartbeat in, read through the targets' health roles. */
  readonly targets: readonly TargetConfig[];
  /** A heartbeat not seen in a target this long after its write is missing there. */
  readonly missThresholdMs: number;
  /** Pause between consistent reads of a target: the latency's resolution. */
  readonly pollIntervalMs: number;
}

/** Reads and checks the canary's settings; throws ConfigError naming the setting that is wrong. */
export function parseCanaryConfig(env: Readonly<Record<string, string | undefined>>): CanaryConfig {
  const region = parseRegion(env);
  const sourceTable = parseTableName(env.SOURCE_TABLE, 'SOURCE_TABLE');
  const heartbeatKey = parseHeartbeatKey(env.HEARTBEAT_KEY, 'HEARTBEAT_KEY');
  const targets = parseTargets(env.HEALTH_TARGETS, region, 'HEALTH_TARGETS');
  const ttlSeconds = parseInteger('HEARTBEAT_TTL_SECONDS', env.HEARTBEAT_TTL_SECONDS, 3600, 60, 31_536_000);
  const missThresholdMs =
    parseInteger('MISS_THRESHOLD_SECONDS', env.MISS_THRESHOLD_SECONDS, 60, 1, 840) * 1000;
  const pollIntervalMs = parseInteger('POLL_INTERVAL_MS', env.POLL_INTERVAL_MS, 200, 50, 60_000);
  if (pollIntervalMs >= missThresholdMs) {
    throw new ConfigError(
      'POLL_INTERVAL_MS',
      `(${pollIntervalMs}) must be shorter than MISS_THRESHOLD_SECONDS (${missThresholdMs / 1000} s)`,
    );
  }
  const ttlAttribute = env.HEARTBEAT_TTL_ATTRIBUTE?.trim() || undefined;
  if (ttlAttribute !== undefined) {
    if (
      Object.hasOwn(heartbeatKey, ttlAttribute) ||
      ttlAttribute === HEARTBEAT_AT ||
      ttlAttribute === HEARTBEAT_ID
    ) {
      throw new ConfigError(
        'HEARTBEAT_TTL_ATTRIBUTE',
        `"${ttlAttribute}" is a key attribute or one the canary writes itself; name the table's TTL attribute`,
      );
    }
  }
  return {
    region,
    sourceTable,
    heartbeatKey,
    ...(ttlAttribute !== undefined ? { ttlAttribute } : {}),
    ttlSeconds,
    targets,
    missThresholdMs,
    pollIntervalMs,
  };
}
