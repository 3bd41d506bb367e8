import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DdbsyncError } from './errors.js';

/**
 * An attribute value as it appears in a Lambda stream event: JSON, so binary
 * values (B, BS) are base64 strings and numbers (N, NS) are decimal strings.
 */
export type EventAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, EventAttributeValue> }
  | { L: EventAttributeValue[] }
  | { NULL: boolean }
  | { BOOL: boolean };

export type EventImage = Record<string, EventAttributeValue>;
export type Item = Record<string, AttributeValue>;

/**
 * Thrown for a value that is not a DynamoDB attribute value; `path` names where. The path
 * goes into logs, so it holds only what describes the item's shape: the top-level
 * attribute name, list indexes as `[i]`, and nested map keys as `.#i` (the map's i-th
 * entry), never by name, because a nested map's keys are often data (emails, ids).
 */
export class AttributeValueError extends DdbsyncError {
  override readonly name = 'AttributeValueError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`attribute ${path}: ${detail}`);
  }
}

// Canonical base64 (the alphabet DynamoDB and Lambda use); Buffer.from would skip bad characters silently.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Throws AttributeValueError naming `path` when `value` is not a canonical base64 string. */
export function checkBase64(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string' || !BASE64.test(value)) {
    throw new AttributeValueError(path, 'binary value is not a base64 string');
  }
}

function checkStringArray(value: unknown, path: string, kind: string): void {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new AttributeValueError(path, `${kind} must be an array of strings`);
  }
}

/**
 * Checks that a stream-event value is a DynamoDB attribute value, to any depth, without
 * copying it: the replicator sends images to the targets in the same JSON form the
 * event carries them in (see wire-body.ts), so checking is all it needs.
 */
export function checkAttributeValue(value: unknown, path: string): asserts value is EventAttributeValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AttributeValueError(path, 'is not an attribute value object');
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    // Type keys are named; other keys may be data (a plain map where a value belongs), so are counted.
    const types = keys.filter((k) => TYPE_KEYS.has(k));
    const others = keys.length - types.length;
    const found = [...types, ...(others ? [`${others} other key${others === 1 ? '' : 's'}`] : [])];
    throw new AttributeValueError(
      path,
      `must have exactly one type key, has ${found.length ? found.join(', ') : 'none'}`,
    );
  }
  const v = value as Record<string, unknown>;
  switch (keys[0]) {
    case 'S':
      if (typeof v.S !== 'string') throw new AttributeValueError(path, 'S must be a string');
      return;
    case 'N':
      if (typeof v.N !== 'string') throw new AttributeValueError(path, 'N must be a decimal string');
      return;
    case 'B':
      checkBase64(v.B, path);
      return;
    case 'SS':
      checkStringArray(v.SS, path, 'SS');
      return;
    case 'NS':
      checkStringArray(v.NS, path, 'NS');
      return;
    case 'BS':
      if (!Array.isArray(v.BS)) throw new AttributeValueError(path, 'BS must be an array of base64 strings');
      for (let i = 0; i < v.BS.length; i++) checkBase64(v.BS[i], `${path}[${i}]`);
      return;
    case 'M':
      checkMap(v.M, path);
      return;
    case 'L':
      if (!Array.isArray(v.L)) throw new AttributeValueError(path, 'L must be an array');
      for (let i = 0; i < v.L.length; i++) checkAttributeValue(v.L[i], `${path}[${i}]`);
      return;
    case 'NULL':
      if (v.NULL !== true) throw new AttributeValueError(path, 'NULL must be true');
      return;
    case 'BOOL':
      if (typeof v.BOOL !== 'boolean') throw new AttributeValueError(path, 'BOOL must be true or false');
      return;
    default:
      throw new AttributeValueError(path, 'has no known type key (S, N, B, SS, NS, BS, M, L, NULL, BOOL)');
  }
}

/** Checks the value of an M attribute; its keys are named in errors by position only. */
function checkMap(map: unknown, path: string): void {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new AttributeValueError(path, 'M must be a map of attribute values');
  }
  let i = 0;
  for (const name in map) {
    if (Object.hasOwn(map, name))
      checkAttributeValue((map as Record<string, unknown>)[name], `${path}.#${i++}`);
  }
}

/**
 * Checks a whole image and returns it in the event's JSON form, without the top-level
 * names in `exclude` (a shallow copy then; the image itself when nothing is left out).
 * `path` prefixes the attribute names in errors (e.g. "Keys").
 */
export function checkImage(image: unknown, path = '', exclude?: ReadonlySet<string>): EventImage {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) {
    throw new AttributeValueError(path || '(image)', 'is not a map of attribute values');
  }
  const source = image as Record<string, unknown>;
  let excluded = false;
  for (const name in source) {
    if (!Object.hasOwn(source, name)) continue;
    if (exclude?.has(name)) excluded = true;
    else checkAttributeValue(source[name], path ? `${path}.${name}` : name);
  }
  if (!excluded) return source as EventImage;
  const out: EventImage = {};
  for (const [name, value] of Object.entries(source)) {
    if (!exclude?.has(name)) setAttribute(out, name, value as EventAttributeValue);
  }
  return out;
}

/**
 * Converts a stream-event attribute value to the SDK's form without changing a byte:
 * strings and numbers pass through as the same strings (a 38-digit number never
 * becomes a JavaScript number); binaries are decoded from base64 to bytes, because
 * the SDK base64-encodes Uint8Array itself and would encode a string twice. For the
 * places that call the SDK with items of their own (the benchmark's baseline, the CLI).
 */
export function toSdkValue(value: unknown, path: string): AttributeValue {
  checkAttributeValue(value, path);
  return sdkValueOf(value);
}

/** toSdkValue of a value checkAttributeValue accepted. */
function sdkValueOf(v: EventAttributeValue): AttributeValue {
  if ('B' in v) return { B: Buffer.from(v.B, 'base64') };
  if ('BS' in v) return { BS: v.BS.map((b) => Buffer.from(b, 'base64')) };
  if ('M' in v) return { M: sdkItemOf(v.M) };
  if ('L' in v) return { L: v.L.map(sdkValueOf) };
  if ('SS' in v) return { SS: [...v.SS] };
  if ('NS' in v) return { NS: [...v.NS] };
  return { ...v } as AttributeValue;
}

function sdkItemOf(image: EventImage): Item {
  const out: Item = {};
  for (const [name, value] of Object.entries(image)) setAttribute(out, name, sdkValueOf(value));
  return out;
}

const TYPE_KEYS = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/** toSdkValue for a whole image, leaving out the top-level names in `exclude`. */
export function toSdkItem(image: unknown, path = '', exclude?: ReadonlySet<string>): Item {
  return sdkItemOf(checkImage(image, path, exclude));
}

/**
 * Adds an attribute as an own property. Plain assignment would turn an attribute
 * named "__proto__" (a legal DynamoDB name) into a prototype change and drop it.
 */
export function setAttribute<T>(target: Record<string, T>, name: string, value: T): void {
  if (name === '__proto__') {
    Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[name] = value;
  }
}

/**
 * The size DynamoDB counts for an item (attribute names plus values), used to keep
 * a BatchWriteItem request under its 16 MB limit. Numbers are counted at their
 * upper bound (21 bytes) as DynamoDB's exact rule depends on the digits.
 */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return 21;
  if (v.B !== undefined) return v.B.byteLength;
  if (v.SS !== undefined) return v.SS.reduce((n, s) => n + Buffer.byteLength(s), 0);
  if (v.NS !== undefined) return v.NS.length * 21;
  if (v.BS !== undefined) return v.BS.reduce((n, b) => n + b.byteLength, 0);
  if (v.M !== undefined)
    return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + Buffer.byteLength(k) + valueSize(e), 0);
  if (v.L !== undefined) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  return 1; // NULL, BOOL
}
