import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AttributeValueError, checkBase64, type Item, setAttribute } from './attribute-values.js';

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

/**
 * keyString of a stream event's Keys, without converting them to the SDK's form.
 * Key attributes are S, N or B; anything else is not a key and throws.
 */
export function eventKeyString(keys: Record<string, unknown>): string {
  let out = '';
  for (const name of Object.keys(keys).sort()) {
    const v = keys[name] as Record<string, unknown> | null;
    const path = `Keys.${name}`;
    let scalarText: string;
    if (typeof v !== 'object' || v === null || Object.keys(v).length !== 1) {
      throw new AttributeValueError(path, 'is not a key attribute value (S, N or B)');
    } else if (typeof v.S === 'string') scalarText = `S${JSON.stringify(v.S)}`;
    else if (typeof v.N === 'string') scalarText = `N${v.N}`;
    else if (v.B !== undefined) {
      checkBase64(v.B, path);
      // Decoded and encoded again: the same bytes read back from DynamoDB give this text.
      scalarText = `B${Buffer.from(v.B, 'base64').toString('base64')}`;
    } else throw new AttributeValueError(path, 'is not a key attribute value (S, N or B)');
    out += `${JSON.stringify(name)}=${scalarText};`;
  }
  return out;
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
