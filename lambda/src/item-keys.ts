import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AttributeValueError, checkBase64, type Item, setAttribute } from './attribute-values.js';

/**
 * A string that identifies an item's key: key attributes in name order with their
 * types. Key attributes are S, N or B; anything else is stringified with its type.
 */
export function keyString(key: Item, names: readonly string[] = Object.keys(key).sort()): string {
  let out = '';
  for (const name of names) {
    out += `${quotedName(name)}=${scalar(key[name])};`;
  }
  return out;
}

function scalar(v: AttributeValue | undefined): string {
  if (v === undefined) return '-';
  if (v.S !== undefined) return `S${JSON.stringify(v.S)}`;
  if (v.N !== undefined) return `N${v.N}`;
  if (v.B !== undefined) return `B${Buffer.from(v.B).toString('base64')}`;
  return JSON.stringify(v);
}

/**
 * keyString of a stream event's Keys, without converting them to the SDK's form.
 * Key attributes are S, N or B; anything else is not a key and throws. Runs for every
 * record of a batch, so it allocates little: no arrays per attribute, names quoted once.
 */
export function eventKeyString(keys: Record<string, unknown>): string {
  const names = Object.keys(keys);
  if (names.length > 1) names.sort();
  let out = '';
  for (const name of names) out += `${quotedName(name)}=${eventKeyScalar(keys[name], name)};`;
  return out;
}

function eventKeyScalar(value: unknown, name: string): string {
  if (typeof value === 'object' && value !== null && hasOneKey(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.S === 'string') return `S${JSON.stringify(v.S)}`;
    if (typeof v.N === 'string') return `N${v.N}`;
    if (v.B !== undefined) {
      checkBase64(v.B, `Keys.${name}`);
      // Decoded and encoded again: the same bytes read back from DynamoDB give this text.
      return `B${Buffer.from(v.B, 'base64').toString('base64')}`;
    }
  }
  throw new AttributeValueError(`Keys.${name}`, 'is not a key attribute value (S, N or B)');
}

function hasOneKey(value: object): boolean {
  let n = 0;
  for (const k in value) if (Object.hasOwn(value, k) && ++n > 1) return false;
  return n === 1;
}

// A table has one or two key attribute names; a few more entries cover malformed input.
const quoted = new Map<string, string>();
function quotedName(name: string): string {
  let q = quoted.get(name);
  if (q === undefined) {
    q = JSON.stringify(name);
    if (quoted.size < 16) quoted.set(name, q);
  }
  return q;
}

/** The key attributes of `item` named by `keyNames`. */
export function pickKey(item: Item, keyNames: readonly string[]): Item {
  const key: Item = {};
  for (const name of keyNames) {
    const v = item[name];
    if (v !== undefined) setAttribute(key, name, v);
  }
  return key;
}
