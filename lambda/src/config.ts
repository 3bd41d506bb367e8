import { ConfigError } from './errors.js';

/** One table that receives every change of the source table. */
export interface TargetConfig {
  readonly tableName: string;
  /** Region of the target table; defaults to the function's own region. */
  readonly region: string;
  /** Role to assume in the target account; absent means the function's own credentials. */
  readonly roleArn?: string;
  readonly externalId?: string;
}

export interface ReplicatorConfig {
  readonly targets: readonly TargetConfig[];
  /** Top-level attributes that are never written to a target. */
  readonly excludeAttributes: ReadonlySet<string>;
  /** When true, REMOVE records made by DynamoDB's TTL process are not applied. */
  readonly skipTtlDeletes: boolean;
  /** Most BatchWriteItem requests in flight per target. */
  readonly maxConcurrency: number;
}

// DynamoDB table names: 3-255 characters of [a-zA-Z0-9_.-]. A table ARN is accepted too.
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// STS ExternalId: 2-1224 characters of [\w+=,.@:/-].
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
// Attribute names may hold any character; only surrounding white space is trimmed.
const TARGET_KEYS = new Set(['tableName', 'region', 'roleArn', 'externalId']);

/**
 * Reads and validates the replicator's settings from the environment.
 * Throws ConfigError naming the setting (and the target index) that is wrong.
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ReplicatorConfig {
  const defaultRegion = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const targets = parseTargets(env.REPLICATION_TARGETS, defaultRegion);
  const excludeAttributes = parseExcludeAttributes(env.EXCLUDE_ATTRIBUTES);
  const skipTtlDeletes = parseBoolean('SKIP_TTL_DELETES', env.SKIP_TTL_DELETES, false);
  const maxConcurrency = parseInteger('MAX_CONCURRENCY', env.MAX_CONCURRENCY, 64, 1, 128);
  return { targets, excludeAttributes, skipTtlDeletes, maxConcurrency };
}

/** Parses a JSON array of targets; `setting` names it in errors (REPLICATION_TARGETS, HEALTH_TARGETS). */
export function parseTargets(
  raw: string | undefined,
  defaultRegion: string | undefined,
  setting = 'REPLICATION_TARGETS',
): TargetConfig[] {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(setting, 'is not set; give a JSON array such as [{"tableName":"orders-replica"}]');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(setting, `is not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError(setting, 'must be a non-empty JSON array of targets');
  }
  const targets = parsed.map((entry, i) => parseTarget(entry, `${setting}[${i}]`, defaultRegion));
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    const id = targetId(t);
    if (seen.has(id)) throw new ConfigError(`${setting}[${i}]`, `duplicates another target (${id})`);
    seen.add(id);
  });
  return targets;
}

function parseTarget(entry: unknown, where: string, defaultRegion: string | undefined): TargetConfig {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(
      where,
      'must be an object like {"tableName": "...", "region": "...", "roleArn": "..."}',
    );
  }
  const obj = entry as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!TARGET_KEYS.has(key)) {
      throw new ConfigError(
        `${where}.${key}`,
        `is not a known field (known: ${[...TARGET_KEYS].join(', ')})`,
      );
    }
  }
  const tableName = requireString(obj.tableName, `${where}.tableName`);
  if (!TABLE_NAME.test(tableName) && !TABLE_ARN.test(tableName)) {
    throw new ConfigError(
      `${where}.tableName`,
      `"${tableName}" is not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -) or table ARN`,
    );
  }
  // A table ARN names its region; the requests must go to that region's endpoint.
  const arnRegion = TABLE_ARN.test(tableName) ? tableName.split(':')[3] : undefined;
  const region =
    obj.region === undefined ? (arnRegion ?? defaultRegion) : requireString(obj.region, `${where}.region`);
  if (region === undefined) {
    throw new ConfigError(`${where}.region`, 'is not set and AWS_REGION is not set either');
  }
  if (!REGION.test(region)) {
    throw new ConfigError(`${where}.region`, `"${region}" is not an AWS region name like eu-west-1`);
  }
  if (arnRegion !== undefined && region !== arnRegion) {
    throw new ConfigError(
      `${where}.region`,
      `"${region}" is not the region of the table ARN in tableName (${arnRegion}); set region to ${arnRegion} or leave it out`,
    );
  }
  const target: { tableName: string; region: string; roleArn?: string; externalId?: string } = {
    tableName,
    region,
  };
  if (obj.roleArn !== undefined) {
    const roleArn = requireString(obj.roleArn, `${where}.roleArn`);
    if (!ROLE_ARN.test(roleArn)) {
      throw new ConfigError(
        `${where}.roleArn`,
        `"${roleArn}" is not an IAM role ARN (arn:aws:iam::123456789012:role/name)`,
      );
    }
    target.roleArn = roleArn;
  }
  if (obj.externalId !== undefined) {
    const externalId = requireString(obj.externalId, `${where}.externalId`);
    if (target.roleArn === undefined) {
      throw new ConfigError(
        `${where}.externalId`,
        'is set but roleArn is not; an external id only applies to an assumed role',
      );
    }
    if (!EXTERNAL_ID.test(externalId)) {
      throw new ConfigError(
        `${where}.externalId`,
        'must be 2-1224 characters of letters, digits and +=,.@:/-_',
      );
    }
    target.externalId = externalId;
  }
  return target;
}

/** The function's region (AWS_REGION, which Lambda always sets). */
export function parseRegion(env: Readonly<Record<string, string | undefined>>): string {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined || !REGION.test(region)) {
    throw new ConfigError(
      'AWS_REGION',
      `must be an AWS region name like eu-west-1, got ${JSON.stringify(region)}`,
    );
  }
  return region;
}

/** A table name (or table ARN) setting; throws ConfigError naming it when missing or malformed. */
export function parseTableName(raw: string | undefined, setting: string): string {
  if (raw === undefined || raw.trim() === '') throw new ConfigError(setting, 'is not set; give a table name');
  const name = raw.trim();
  if (!TABLE_NAME.test(name) && !TABLE_ARN.test(name)) {
    throw new ConfigError(
      setting,
      `"${name}" is not a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -) or table ARN`,
    );
  }
  return name;
}

function requireString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(where, `must be a non-empty string, got ${JSON.stringify(value) ?? 'undefined'}`);
  }
  return value.trim();
}

export function parseExcludeAttributes(raw: string | undefined): Set<string> {
  if (raw === undefined || raw.trim() === '') return new Set();
  const names = raw.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) {
    throw new ConfigError(
      'EXCLUDE_ATTRIBUTES',
      `has an empty name in "${raw}"; use a comma-separated list like "ssn,email"`,
    );
  }
  return new Set(names);
}

export function parseBoolean(setting: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ConfigError(setting, `must be "true" or "false", got "${raw}"`);
}

export function parseInteger(
  setting: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw.trim());
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(setting, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return v;
}

/** A stable, human-readable name of a target for logs and de-duplication. */
export function targetId(t: TargetConfig): string {
  return `${t.tableName}@${t.region}${t.roleArn ? ` as ${t.roleArn}` : ''}`;
}
