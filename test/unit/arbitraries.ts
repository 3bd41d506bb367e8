/**
 * fast-check arbitraries of DynamoDB attribute values in the SDK's form (binaries as
 * bytes, numbers as decimal strings), biased toward the values that break copies:
 * 38-digit numbers, extreme exponents, empty strings and binaries, unicode, deep nesting,
 * and attribute names such as "__proto__".
 *
 * Two kinds of numbers: `numberString` is what a client may write ("1.10", "-0.0", "1E-130"),
 * `storedNumber` is what DynamoDB stores and so what its stream carries: it normalizes every
 * number to plain decimal notation without leading zeros, trailing fractional zeros, "+",
 * exponent or negative zero ("1.0" and "1" are one value, and one key).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
const nonZeroDigit = fc.constantFrom(...'123456789');

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

/**
 * The plain decimal text of ±0.<significand> × 10^exponent, as DynamoDB returns numbers.
 * `significand` has no leading or trailing zero; DynamoDB's range needs -129 <= exponent <= 126.
 */
export function plainNumber(negative: boolean, significand: string, exponent: number): string {
  const k = significand.length;
  const abs =
    exponent >= k
      ? significand + '0'.repeat(exponent - k)
      : exponent > 0
        ? `${significand.slice(0, exponent)}.${significand.slice(exponent)}`
        : `0.${'0'.repeat(-exponent)}${significand}`;
  return negative ? `-${abs}` : abs;
}

/** DynamoDB's stored form of a number (see the file comment). */
export const STORED_NUMBER = /^(0|-?(0\.0*[1-9](\d*[1-9])?|[1-9]\d*(\.\d*[1-9])?))$/;

/** Significant digits of a number in stored form. */
export const significantDigits = (n: string): number => n.replace(/[-.]/g, '').replace(/^0+|0+$/g, '').length;

/** A significand of `length` digits, first and last not zero. */
const significand = (min: number, max: number) =>
  fc
    .integer({ min, max })
    .chain((k) =>
      k === 1
        ? nonZeroDigit
        : fc.tuple(nonZeroDigit, digits(k - 2, k - 2), nonZeroDigit).map(([a, b, c]) => a + b + c),
    );

/** Exponents mostly near zero (ordinary numbers), sometimes anywhere in DynamoDB's range. */
const exponent = fc.oneof(
  { arbitrary: fc.integer({ min: -4, max: 40 }), weight: 3 },
  { arbitrary: fc.integer({ min: -129, max: 126 }), weight: 1 },
);

/**
 * A number in the form DynamoDB stores and streams it: 38 significant digits at least a
 * third of the time (3 weights in 7, and one of the constants), at both ends of the range.
 */
export const storedNumber: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: fc.tuple(fc.boolean(), significand(38, 38), exponent), weight: 3 },
    { arbitrary: fc.tuple(fc.boolean(), significand(1, 37), exponent), weight: 2 },
    {
      arbitrary: fc
        .integer()
        .map((i) => [i < 0, String(Math.abs(i)).replace(/0+$/, ''), String(Math.abs(i)).length] as const),
      weight: 1,
    },
    {
      arbitrary: fc.constantFrom<[boolean, string, number]>(
        [false, '', 0], // zero
        [false, '1', -129], // 1E-130, the smallest magnitude
        [true, '9'.repeat(38), 126], // -9.99…E+125, the largest magnitude
        [false, '9007199254740993', 16], // 2^53 + 1: a double would make it 2^53
      ),
      weight: 1,
    },
  )
  .map(([negative, digitsOf, exp]) => (digitsOf === '' ? '0' : plainNumber(negative, digitsOf, exp)));

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

/** Scalars, sets, and maps and lists of them, with numbers from `number`. */
function valuesWith(number: fc.Arbitrary<string>) {
  const scalar: fc.Arbitrary<AttributeValue> = fc.oneof(
    text.map((S) => ({ S })),
    number.map((N) => ({ N })),
    bytes.map((B) => ({ B })),
    uniqueBy(text, (s) => s).map((SS) => ({ SS })),
    uniqueBy(number, (n) => n).map((NS) => ({ NS })),
    uniqueBy(bytes, b64).map((BS) => ({ BS })),
    fc.constant({ NULL: true }),
    fc.boolean().map((BOOL) => ({ BOOL })),
  );
  const value = fc.letrec<{ value: AttributeValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      mapOf(tie('value'), 4).map((M) => ({ M })),
      fc.array(tie('value'), { maxLength: 4 }).map((L) => ({ L })),
    ),
  })).value;
  return { scalar, value };
}

const written = valuesWith(numberString);
export const scalarValue: fc.Arbitrary<AttributeValue> = written.scalar;
export const attributeValue: fc.Arbitrary<AttributeValue> = written.value;

/** Non-key attributes of an item (the key is added by the caller). */
export const itemAttributes: fc.Arbitrary<Record<string, AttributeValue>> = mapOf(attributeValue, 5);

/** DynamoDB's deepest nesting of maps and lists. */
export const MAX_NESTING = 32;

const stored = valuesWith(storedNumber);

/** A value nested 1 to 32 maps and lists deep: half the time exactly DynamoDB's limit of 32. */
export const deepValue: fc.Arbitrary<AttributeValue> = fc
  .tuple(
    fc.oneof(
      fc.array(fc.tuple(fc.boolean(), attributeName), { minLength: 1, maxLength: MAX_NESTING }),
      fc.array(fc.tuple(fc.boolean(), attributeName), { minLength: MAX_NESTING, maxLength: MAX_NESTING }),
    ),
    stored.scalar,
  )
  .map(([levels, leaf]) =>
    levels.reduceRight<AttributeValue>(
      (inner, [isMap, name]) => (isMap ? { M: ownRecord([[name, inner]]) } : { L: [inner] }),
      leaf,
    ),
  );

/** Nesting depth of a value: how many maps and lists enclose its deepest scalar. */
export function nesting(v: AttributeValue): number {
  if (v.M !== undefined) return 1 + Math.max(0, ...Object.values(v.M).map(nesting));
  if (v.L !== undefined) return 1 + Math.max(0, ...v.L.map(nesting));
  return 0;
}

/** Non-key attributes of an item as DynamoDB's stream carries them: stored numbers, some nested deep. */
export const storedItemAttributes: fc.Arbitrary<Record<string, AttributeValue>> = fc
  .tuple(mapOf(stored.value, 5), fc.option(deepValue, { freq: 3, nil: undefined }))
  .map(([attrs, deep]) =>
    deep === undefined ? attrs : ownRecord([...Object.entries(attrs), ['deep', deep]]),
  );

/** The scalar types a key attribute may have. */
export type KeyType = 'S' | 'N' | 'B';

/** Values of a key attribute. Never empty: DynamoDB refuses empty key values. */
export const keyValue: Record<KeyType, fc.Arbitrary<AttributeValue>> = {
  S: fc.string({ minLength: 1, maxLength: 12 }).map((S) => ({ S })),
  N: storedNumber.map((N) => ({ N })),
  B: fc.uint8Array({ minLength: 1, maxLength: 16 }).map((B) => ({ B })),
};

/**
 * Two different keys that a careless key identity would take for one: strings that differ
 * in case, a trailing NUL or Unicode normalization; 38-digit numbers that differ in the last
 * digit (one double to JavaScript); binaries that differ in a trailing zero byte.
 */
export const keyTwins: Record<KeyType, fc.Arbitrary<[AttributeValue, AttributeValue]>> = {
  S: fc
    .oneof(
      fc.constantFrom<[string, string]>(['\u00fc', 'u\u0308'], ['a', 'A'], ['1', '01']),
      fc.string({ minLength: 1, maxLength: 8 }).map((s): [string, string] => [s, `${s}\u0000`]),
    )
    .map(([a, b]) => [{ S: a }, { S: b }]),
  N: fc
    .tuple(
      fc.boolean(),
      significand(37, 37),
      exponent,
      fc.uniqueArray(nonZeroDigit, { minLength: 2, maxLength: 2 }),
    )
    .map(([negative, head, exp, [a, b]]) => [
      { N: plainNumber(negative, head + a, exp) },
      { N: plainNumber(negative, head + b, exp) },
    ]),
  B: fc.uint8Array({ minLength: 1, maxLength: 15 }).map((b) => [{ B: b }, { B: Uint8Array.of(...b, 0) }]),
};

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
