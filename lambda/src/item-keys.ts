import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Item, setAttribute } from './attribute-values.js';

/**
 * A string that identifies an item's key: key attributes in name order with their
 * types. Key attributes are S, N or B; anything else is stringified with its type.
 */
export function keyString(key: Item, names: readonly string[] = Object.keys(key).sort()): string {
  let out = '';
  for (const name of names) {
    out += `${JSON.stringify(name)}=${scalar(key[name])};`;
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

/** The key attributes of `item` named by `keyNames`. */
export function pickKey(item: Item, keyNames: readonly string[]): Item {
  const key: Item = {};
  for (const name of keyNames) {
    const v = item[name];
    if (v !== undefined) setAttribute(key, name, v);
  }
  return key;
}
