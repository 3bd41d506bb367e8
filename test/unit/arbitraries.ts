/**
 * fast-check arbitraries of DynamoDB attribute values in the SDK's form (binaries as
 * bytes, numbers as decimal strings), biased toward the values that break copies:
 * 38-digit numbers, extreme exponents, empty strings and binaries, unicode, deep nesting,
 * and attribute names such as "__proto__".
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));

/** A DynamoDB number as written by a client: up to 38 significant digits, exponents -130..125. */
export const numberString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0',
    '-0.0',
    '12345678901234567890123456789012345678',
    '-9.9999999999999999999999999999999999999E+125',
    '1E-130',
    '0.000000000000000000000000000000000000000001',
    '1.10',
  ),
  fc.integer().map(String),
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.constantFrom(...'123456789'),
      digits(0, 37),
      fc.option(fc.integer({ min: -130, max: 125 })),
    )
    .map(([sign, lead, rest, exp]) => {
      const mantissa = rest.length > 0 && exp !== null ? `${lead}.${rest}` : `${lead}${rest}`;
      return `${sign}${mantissa}${exp === null ? '' : `E${exp}`}`;
    }),
);

export const text: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('', ' ', 'ü', '東京', '👩‍👩‍👧', '\u0000', '"quoted"\n'),
);

export const bytes: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 48 });

export const attributeName: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 10 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'a.b', 'ü'),
);

const uniqueBy = <T>(arb: fc.Arbitrary<T>, key: (v: T) => string) =>
  fc.uniqueArray(arb, { minLength: 1, maxLength: 4, selector: key });

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

export const scalarValue: fc.Arbitrary<AttributeValue> = fc.oneof(
  text.map((S) => ({ S })),
  numberString.map((N) => ({ N })),
  bytes.map((B) => ({ B })),
  uniqueBy(text, (s) => s).map((SS) => ({ SS })),
  uniqueBy(numberString, (n) => n).map((NS) => ({ NS })),
  uniqueBy(bytes, b64).map((BS) => ({ BS })),
  fc.constant({ NULL: true }),
  fc.boolean().map((BOOL) => ({ BOOL })),
);

/** A record whose keys may include "__proto__" as an own property, like JSON.parse makes. */
export function ownRecord<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries)
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const mapOf = (value: fc.Arbitrary<AttributeValue>, maxKeys: number) =>
  fc
    .uniqueArray(fc.tuple(attributeName, value), { maxLength: maxKeys, selector: ([k]) => k })
    .map((entries) => ownRecord(entries));

export const attributeValue: fc.Arbitrary<AttributeValue> = fc.letrec<{ value: AttributeValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarValue,
    mapOf(tie('value'), 4).map((M) => ({ M })),
    fc.array(tie('value'), { maxLength: 4 }).map((L) => ({ L })),
  ),
})).value;

/** Non-key attributes of an item (the key is added by the caller). */
export const itemAttributes: fc.Arbitrary<Record<string, AttributeValue>> = mapOf(attributeValue, 5);

/**
 * A plain, order-independent form of an attribute value for exact comparison: binaries
 * as base64 of their bytes, maps as sorted [name, value] pairs (so "__proto__" counts).
 */
export function canonical(v: AttributeValue): unknown {
  if (v.S !== undefined) return ['S', v.S];
  if (v.N !== undefined) return ['N', v.N];
  if (v.B !== undefined) return ['B', b64(v.B)];
  if (v.SS !== undefined) return ['SS', [...v.SS]];
  if (v.NS !== undefined) return ['NS', [...v.NS]];
  if (v.BS !== undefined) return ['BS', v.BS.map(b64)];
  if (v.M !== undefined) return ['M', canonicalItem(v.M)];
  if (v.L !== undefined) return ['L', v.L.map(canonical)];
  if (v.NULL !== undefined) return ['NULL', v.NULL];
  if (v.BOOL !== undefined) return ['BOOL', v.BOOL];
  throw new Error(`not an attribute value: ${Object.keys(v).join(',')}`);
}

export function canonicalItem(item: Record<string, AttributeValue>): [string, unknown][] {
  return Object.entries(item)
    .map(([k, v]): [string, unknown] => [k, canonical(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
