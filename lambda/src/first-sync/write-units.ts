import type { EventAttributeValue, EventImage } from '../attribute-values.js';

/**
 * Write capacity a put of this item takes: one unit per started KB, at least one, as
 * backfill counts it (cli/src/backfill.ts writeUnits). A target with secondary indexes
 * spends more; the cap is on the table's writes.
 */
export function putWriteUnits(item: EventImage): number {
  return Math.max(1, Math.ceil(wireItemSize(item) / 1024));
}

/**
 * itemSize (attribute-values.ts) for an item in the wire form: binaries counted by their
 * decoded bytes, read off the base64 length; numbers at their 21-byte upper bound.
 */
export function wireItemSize(item: EventImage): number {
  let size = 0;
  for (const name in item) {
    if (Object.hasOwn(item, name))
      size += Buffer.byteLength(name) + valueSize(item[name] as EventAttributeValue);
  }
  return size;
}

function valueSize(v: EventAttributeValue): number {
  if ('S' in v) return Buffer.byteLength(v.S);
  if ('N' in v) return 21;
  if ('B' in v) return base64Bytes(v.B);
  if ('SS' in v) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if ('NS' in v) return v.NS.length * 21;
  if ('BS' in v) return v.BS.reduce((n, b) => n + base64Bytes(b), 0);
  if ('M' in v) {
    let n = 3;
    for (const k in v.M) {
      if (Object.hasOwn(v.M, k)) n += 1 + Buffer.byteLength(k) + valueSize(v.M[k] as EventAttributeValue);
    }
    return n;
  }
  if ('L' in v) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  return 1; // NULL, BOOL
}

/** Decoded length of canonical base64 (checkImage has checked it is). */
function base64Bytes(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}
