/** How verify decides that a target item equals its source item: exactly, and as DynamoDB means it. */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { canonicalValue, differingAttributes } from '#core';

const same = (a: AttributeValue, b: AttributeValue) => canonicalValue(a) === canonicalValue(b);

describe('canonicalValue', () => {
  it('tells apart numbers that differ only in their 38th digit (no rounding through floats)', () => {
    const n = '1234567890123456789012345678901234567';
    expect(same({ N: `${n}8` }, { N: `${n}8` })).toBe(true);
    expect(same({ N: `${n}8` }, { N: `${n}9` })).toBe(false);
    expect(
      same(
        { N: '0.12345678901234567890123456789012345678' },
        { N: '0.12345678901234567890123456789012345679' },
      ),
    ).toBe(false);
  });

  it('compares binaries by their bytes, whatever array type holds them', () => {
    const bytes = [0, 1, 2, 255];
    expect(same({ B: Uint8Array.from(bytes) }, { B: Buffer.from(bytes) })).toBe(true);
    expect(same({ B: Uint8Array.from(bytes) }, { B: Uint8Array.from([0, 1, 2, 254]) })).toBe(false);
    expect(same({ B: new Uint8Array(0) }, { S: '' })).toBe(false);
  });

  it('treats sets as equal whatever the order of their members', () => {
    expect(same({ SS: ['b', 'a', 'c'] }, { SS: ['c', 'b', 'a'] })).toBe(true);
    expect(same({ NS: ['10', '9', '-1.5'] }, { NS: ['-1.5', '9', '10'] })).toBe(true);
    expect(
      same(
        { BS: [Uint8Array.from([2]), Uint8Array.from([1])] },
        { BS: [Buffer.from([1]), Buffer.from([2])] },
      ),
    ).toBe(true);
    expect(same({ SS: ['a', 'b'] }, { SS: ['a', 'b', 'c'] })).toBe(false);
    expect(same({ NS: ['1', '2'] }, { NS: ['1', '3'] })).toBe(false);
  });

  it('keeps the order of a list, and ignores the order of a map’s keys, at any depth', () => {
    expect(same({ L: [{ S: 'a' }, { N: '1' }] }, { L: [{ N: '1' }, { S: 'a' }] })).toBe(false);
    const m1: AttributeValue = {
      M: { x: { N: '1' }, y: { L: [{ M: { p: { S: 'q' }, r: { BOOL: true } } }] } },
    };
    const m2: AttributeValue = {
      M: { y: { L: [{ M: { r: { BOOL: true }, p: { S: 'q' } } }] }, x: { N: '1' } },
    };
    expect(same(m1, m2)).toBe(true);
    expect(same(m1, { M: { x: { N: '1' }, y: { L: [{ M: { p: { S: 'q' }, r: { BOOL: false } } }] } } })).toBe(
      false,
    );
  });

  it('tells types apart: a string "1" is not the number 1, false is not NULL', () => {
    expect(same({ S: '1' }, { N: '1' })).toBe(false);
    expect(same({ BOOL: false }, { NULL: true })).toBe(false);
    expect(same({ BOOL: false }, { BOOL: false })).toBe(true);
    expect(same({ SS: ['1'] }, { NS: ['1'] })).toBe(false);
    expect(same({ L: [] }, { M: {} })).toBe(false);
  });

  it('cannot be fooled by separators inside strings and map keys', () => {
    expect(same({ SS: ['a,b'] }, { SS: ['a', 'b'] })).toBe(false);
    expect(same({ L: [{ S: 'a",S:"b' }] }, { L: [{ S: 'a' }, { S: 'b' }] })).toBe(false);
    expect(same({ M: { 'a=S:"x",b': { S: 'y' } } }, { M: { a: { S: 'x' }, b: { S: 'y' } } })).toBe(false);
  });
});

describe('differingAttributes', () => {
  it('is empty for equal items, whatever the order of attributes and set members', () => {
    expect(
      differingAttributes(
        { pk: { S: 'k' }, tags: { SS: ['x', 'y'] }, n: { N: '5' } },
        { n: { N: '5' }, tags: { SS: ['y', 'x'] }, pk: { S: 'k' } },
      ),
    ).toEqual([]);
  });

  it('names, sorted, the attributes that differ or are on one side only', () => {
    expect(
      differingAttributes(
        { pk: { S: 'k' }, zeta: { N: '1' }, alpha: { S: 'old' }, onlySource: { BOOL: true } },
        { pk: { S: 'k' }, zeta: { N: '2' }, alpha: { S: 'old' }, onlyTarget: { NULL: true } },
      ),
    ).toEqual(['onlySource', 'onlyTarget', 'zeta']);
  });
});
