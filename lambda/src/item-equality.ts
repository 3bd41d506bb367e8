import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type Item, setAttribute } from './attribute-values.js';

/**
 * A canonical text of a value: exact strings and number strings (DynamoDB stores numbers
 * normalised, so equal numbers have equal text, all 38 digits), binaries as their bytes
 * in base64, map keys and set members sorted (DynamoDB does not keep their order).
 */
export function canonicalValue(v: AttributeValue): string {
  if (v.S !== undefined) return `S:${JSON.stringify(v.S)}`;
  if (v.N !== undefined) return `N:${v.N}`;
  if (v.B !== undefined) return `B:${Buffer.from(v.B).toString('base64')}`;
  if (v.BOOL !== undefined) return `BOOL:${v.BOOL}`;
  if (v.NULL !== undefined) return 'NULL';
  if (v.SS !== undefined) return `SS:${JSON.stringify([...v.SS].sort())}`;
  if (v.NS !== undefined) return `NS:${JSON.stringify([...v.NS].sort())}`;
  if (v.BS !== undefined)
    return `BS:${JSON.stringify(v.BS.map((b) => Buffer.from(b).toString('base64')).sort())}`;
  if (v.L !== undefined) return `L:[${v.L.map(canonicalValue).join(',')}]`;
  if (v.M !== undefined) {
    const m = v.M;
    return `M:{${Object.keys(m)
      .sort()
      .map((k) => `${JSON.stringify(k)}=${canonicalValue(m[k] as AttributeValue)}`)
      .join(',')}}`;
  }
  return `?:${JSON.stringify(v)}`;
}

/** Top-level attribute names whose values differ (or exist on one side only), sorted. */
export function differingAttributes(a: Item, b: Item): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const name of names) {
    const x = a[name];
    const y = b[name];
    if (x === undefined || y === undefined || canonicalValue(x) !== canonicalValue(y)) out.push(name);
  }
  return out.sort();
}

/** The item without the top-level attributes in `names` (the item itself when there are none). */
export function withoutAttributes(item: Item, names: ReadonlySet<string>): Item {
  if (names.size === 0) return item;
  const out: Item = {};
  for (const [name, value] of Object.entries(item)) if (!names.has(name)) setAttribute(out, name, value);
  return out;
}
