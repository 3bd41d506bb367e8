import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AttributeValueError,
  checkImage,
  itemSize,
  toSdkItem,
  toSdkValue,
} from '../../lambda/src/attribute-values.js';
import { toEventImage, toEventValue } from '../../lambda/src/lambda-event.js';
import { attributeValue, canonical, canonicalItem, itemAttributes, numberString } from './arbitraries.js';

const bytesOf = (v: AttributeValue) => [...(v.B as Uint8Array)];

function attributeError(fn: () => unknown): AttributeValueError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AttributeValueError);
    return err as AttributeValueError;
  }
  throw new Error('the value was accepted');
}

describe('toSdkValue keeps every value exactly', () => {
  it.each(['', 'plain', 'ünïcödé 東京 👩‍👩‍👧', '\u0000\n"'])('passes S %j through unchanged', (S) => {
    expect(toSdkValue({ S }, 'a')).toEqual({ S });
  });

  it.each([
    '12345678901234567890123456789012345678',
    '-0.00000000000000000000000000000000000001',
    '1E-130',
    '9.9999999999999999999999999999999999999E+125',
    '1.10',
    '-0',
  ])('keeps N %s as the identical string', (N) => {
    const out = toSdkValue({ N }, 'a');
    expect(out.N).toBe(N);
  });

  it('keeps any generated number string identical', () => {
    fc.assert(fc.property(numberString, (N) => toSdkValue({ N }, 'n').N === N));
  });

  it('decodes B from base64 to the exact bytes', () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255, 0x80, 0x7f]);
    const out = toSdkValue({ B: Buffer.from(bytes).toString('base64') }, 'a');
    expect(out.B).toBeInstanceOf(Uint8Array);
    expect(bytesOf(out)).toEqual([...bytes]);
    expect(bytesOf(toSdkValue({ B: '' }, 'a'))).toEqual([]);
  });

  it('decodes every member of BS to its bytes, in order', () => {
    const members = [Uint8Array.from([1]), Uint8Array.from([255, 254]), Uint8Array.from([0, 0, 0])];
    const out = toSdkValue({ BS: members.map((b) => Buffer.from(b).toString('base64')) }, 'a');
    expect(out.BS?.map((b) => [...b])).toEqual(members.map((b) => [...b]));
  });

  it.each(['not base64!', 'QUJD=', 'QQ', 'Q Q==', 'QUJD\n'])(
    'rejects invalid base64 %j, naming the path',
    (B) => {
      const err = attributeError(() => toSdkItem({ doc: { M: { blob: { B } } } }));
      expect(err.path).toBe('doc.#0');
      expect(err.message).toContain('doc.#0');
    },
  );

  it('names the index of an invalid member of BS and of L', () => {
    expect(attributeError(() => toSdkItem({ bs: { BS: ['AA==', '%%'] } })).path).toBe('bs[1]');
    expect(attributeError(() => toSdkItem({ l: { L: [{ S: 'x' }, { N: 5 }] } })).path).toBe('l[1]');
  });

  it('keeps SS, NS, NULL and BOOL', () => {
    expect(toSdkValue({ SS: ['', 'b', 'ü'] }, 'a')).toEqual({ SS: ['', 'b', 'ü'] });
    expect(toSdkValue({ NS: ['1E+125', '-3.14'] }, 'a')).toEqual({ NS: ['1E+125', '-3.14'] });
    expect(toSdkValue({ NULL: true }, 'a')).toEqual({ NULL: true });
    expect(toSdkValue({ BOOL: false }, 'a')).toEqual({ BOOL: false });
  });

  it('converts deeply nested maps and lists, decoding binaries at every depth', () => {
    let event: unknown = { B: Buffer.from([9, 8, 7]).toString('base64') };
    for (let depth = 0; depth < 30; depth++)
      event = depth % 2 ? { L: [{ NULL: true }, event] } : { M: { x: event } };
    let out = toSdkValue(event, 'root');
    for (let depth = 29; depth >= 0; depth--) out = (depth % 2 ? out.L?.[1] : out.M?.x) as AttributeValue;
    expect(bytesOf(out)).toEqual([9, 8, 7]);
  });

  it.each([
    ['a number for S', { S: 1 }],
    ['a number for N', { N: 1 }],
    ['two type keys', { S: 'a', N: '1' }],
    ['no type key', {}],
    ['an unknown type', { X: 'a' }],
    ['NULL false', { NULL: false }],
    ['a string BOOL', { BOOL: 'true' }],
    ['a non-array SS', { SS: 'a' }],
    ['null', null],
    ['an array', []],
  ])('rejects %s, naming the attribute', (_, value) => {
    const err = attributeError(() => toSdkItem({ outer: { M: { first: { S: 'ok' }, inner: value } } }));
    expect(err.path).toBe('outer.#1');
  });

  it('names nested map keys by position only, since they are often data', () => {
    const email = 'alice@example.com';
    const err = attributeError(() =>
      toSdkItem({ byUser: { M: { 'bob@example.com': { S: 'ok' }, [email]: { L: [{ N: 7 }] } } } }),
    );
    expect(err.path).toBe('byUser.#1[0]');
    expect(err.message).not.toContain('example.com');
    // A plain map where a value belongs: its keys are counted, not named.
    const plain = attributeError(() => toSdkItem({ prefs: { M: { x: { [email]: 'x', S: 'y' } } } }));
    expect(plain.message).toContain('has S, 1 other key');
    expect(plain.message).not.toContain('example.com');
  });

  it('leaves out excluded top-level attributes only', () => {
    const item = toSdkItem(
      { pk: { S: 'k' }, ssn: { S: 'secret' }, doc: { M: { ssn: { S: 'nested' } } } },
      '',
      new Set(['ssn']),
    );
    expect(item).toEqual({ pk: { S: 'k' }, doc: { M: { ssn: { S: 'nested' } } } });
  });

  it('keeps an attribute named __proto__ as an ordinary attribute, at the top and nested', () => {
    const image = JSON.parse('{"__proto__":{"S":"top"},"m":{"M":{"__proto__":{"N":"1"}}}}');
    const item = toSdkItem(image);
    expect(Object.keys(item)).toEqual(['__proto__', 'm']);
    expect(canonicalItem(item)).toEqual([
      ['__proto__', ['S', 'top']],
      ['m', ['M', [['__proto__', ['N', '1']]]]],
    ]);
  });
});

describe('checkImage: the event form, checked, as it will be sent', () => {
  it('returns the image itself when nothing is excluded', () => {
    const image = { pk: { S: 'k' }, doc: { M: { l: { L: [{ B: 'AQ==' }] } } } };
    expect(checkImage(image)).toBe(image);
  });

  it('copies only the top level to leave excluded attributes out, and leaves the image alone', () => {
    const image = { pk: { S: 'k' }, ssn: { S: 'secret' }, doc: { M: { ssn: { S: 'nested' } } } };
    const out = checkImage(image, '', new Set(['ssn']));
    expect(out).toEqual({ pk: { S: 'k' }, doc: { M: { ssn: { S: 'nested' } } } });
    expect(out.doc).toBe(image.doc);
    expect(image.ssn).toEqual({ S: 'secret' });
  });

  it('keeps an attribute named __proto__ in the JSON it is sent as, with or without exclusions', () => {
    const json = '{"__proto__":{"S":"top"},"x":{"S":"gone"},"m":{"M":{"__proto__":{"N":"1"}}}}';
    expect(JSON.stringify(checkImage(JSON.parse(json)))).toBe(json);
    expect(JSON.stringify(checkImage(JSON.parse(json), '', new Set(['x'])))).toBe(
      '{"__proto__":{"S":"top"},"m":{"M":{"__proto__":{"N":"1"}}}}',
    );
  });

  it('does not check an excluded attribute, which is never sent', () => {
    expect(checkImage({ pk: { S: 'k' }, bad: { X: 1 } }, '', new Set(['bad']))).toEqual({ pk: { S: 'k' } });
  });
});

describe('round trip between the Lambda event form and the SDK form', () => {
  it('toSdkValue(toEventValue(x)) is x for any DynamoDB value', () => {
    fc.assert(
      fc.property(attributeValue, (x) => {
        const event = JSON.parse(JSON.stringify(toEventValue(x)));
        expect(canonical(toSdkValue(event, 'v'))).toEqual(canonical(x));
      }),
      { numRuns: 300 },
    );
  });

  it('toEventValue(toSdkValue(e)) is e for any event value (JSON in, same JSON out)', () => {
    fc.assert(
      fc.property(attributeValue, (x) => {
        const json = JSON.stringify(toEventValue(x));
        expect(JSON.stringify(toEventValue(toSdkValue(JSON.parse(json), 'v')))).toBe(json);
      }),
      { numRuns: 300 },
    );
  });

  it('toSdkItem(toEventImage(item)) is the item', () => {
    fc.assert(
      fc.property(itemAttributes, (item) => {
        const event = JSON.parse(JSON.stringify(toEventImage(item)));
        expect(canonicalItem(toSdkItem(event))).toEqual(canonicalItem(item));
      }),
      { numRuns: 200 },
    );
  });
});

describe('itemSize', () => {
  it('counts names and string/binary bytes', () => {
    expect(itemSize({ ab: { S: 'ü' } })).toBe(2 + 2);
    expect(itemSize({ b: { B: new Uint8Array(1000) } })).toBe(1 + 1000);
    expect(itemSize({})).toBe(0);
  });

  it('never undercounts the UTF-8 length of names and strings, and grows with content', () => {
    fc.assert(
      fc.property(itemAttributes, fc.string({ minLength: 1 }), (item, extra) => {
        const size = itemSize(item);
        const names = Object.keys(item).reduce((n, k) => n + Buffer.byteLength(k), 0);
        expect(size).toBeGreaterThanOrEqual(names);
        expect(itemSize(item)).toBe(size);
        const bigger = { ...item, zzzzzzzz: { S: extra } };
        if (!('zzzzzzzz' in item)) expect(itemSize(bigger)).toBe(size + 8 + Buffer.byteLength(extra));
      }),
    );
  });

  it('counts a 400 KB item at least at its payload size', () => {
    expect(itemSize({ pk: { S: 'k' }, blob: { B: new Uint8Array(400 * 1024) } })).toBeGreaterThanOrEqual(
      400 * 1024,
    );
  });
});
