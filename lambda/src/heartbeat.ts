import type { EventAttributeValue, EventImage, Item } from './attribute-values.js';
import { ConfigError } from './errors.js';

/**
 * S key values of canary heartbeat items start with this; it is reserved, a user's items
 * must not use it. The drift function and `ddbsync verify` recognise heartbeats by it and
 * leave them out of their comparisons (a heartbeat is rewritten every minute, so a copy is
 * nearly always a little behind).
 */
export const HEARTBEAT_PREFIX = '__ddbsync_heartbeat__';

/** Attributes the canary writes besides the key (and the optional TTL attribute). */
export const HEARTBEAT_AT = 'ddbsync_heartbeat_at';
export const HEARTBEAT_ID = 'ddbsync_heartbeat_id';

/** True when a key attribute of the item is a string starting with the reserved prefix. */
export function isHeartbeatKey(item: Item, keyNames: readonly string[]): boolean {
  return keyNames.some((name) => item[name]?.S?.startsWith(HEARTBEAT_PREFIX) === true);
}

/**
 * Parses a heartbeat key given as DynamoDB JSON, e.g. {"pk":{"S":"__ddbsync_heartbeat__"}}:
 * one or two key attributes (S, N or B), at least one a string with the reserved prefix,
 * so that the heartbeat can never be a user's item. Throws ConfigError naming `setting`.
 */
export function parseHeartbeatKey(raw: string | undefined, setting: string): EventImage {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(
      setting,
      `is not set; give the heartbeat item's key as DynamoDB JSON, e.g. {"pk":{"S":"${HEARTBEAT_PREFIX}"}}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(setting, `is not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(setting, 'must be a JSON object of key attributes, e.g. {"pk":{"S":"..."}}');
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length < 1 || entries.length > 2) {
    throw new ConfigError(setting, `must hold the table's 1 or 2 key attributes, has ${entries.length}`);
  }
  const key: EventImage = {};
  for (const [name, value] of entries) {
    key[name] = keyValue(value, `${setting}.${name}`);
  }
  const reserved = Object.values(key).some((v) => 'S' in v && v.S.startsWith(HEARTBEAT_PREFIX));
  if (!reserved) {
    throw new ConfigError(
      setting,
      `no key attribute is a string starting with the reserved prefix "${HEARTBEAT_PREFIX}"; ` +
        'without it the heartbeat could overwrite a real item',
    );
  }
  return key;
}

function keyValue(value: unknown, where: string): EventAttributeValue {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (Object.keys(v).length === 1) {
      if (typeof v.S === 'string' && v.S !== '') return { S: v.S };
      if (typeof v.N === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.N)) return { N: v.N };
      if (typeof v.B === 'string' && v.B !== '' && /^[A-Za-z0-9+/]+={0,2}$/.test(v.B)) return { B: v.B };
    }
  }
  throw new ConfigError(where, 'must be a key attribute value: {"S":"..."}, {"N":"..."} or {"B":"<base64>"}');
}
