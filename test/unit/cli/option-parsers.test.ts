/** How the CLI's flags read their values: wrong values are refused with a message, not guessed at. */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { fraction, integerIn, nameList, positiveNumber } from '../../../cli/src/option-parsers.js';

describe('integerIn', () => {
  const segments = integerIn(1, 64);

  it('accepts whole numbers within its range, both ends included', () => {
    expect(segments('1')).toBe(1);
    expect(segments('64')).toBe(64);
    expect(segments('8')).toBe(8);
    expect(integerIn(0, 600_000)('0')).toBe(0);
  });

  it.each(['0', '65', '-1', '2.5', 'four', 'NaN', 'Infinity'])('refuses %j, naming the range', (value) => {
    expect(() => segments(value)).toThrow(InvalidArgumentError);
    expect(() => segments(value)).toThrow('must be a whole number from 1 to 64');
  });

  it('refuses an empty value instead of reading it as 0', () => {
    const delay = integerIn(0, 600_000);
    expect(() => delay('')).toThrow(InvalidArgumentError);
    expect(() => delay('  ')).toThrow(InvalidArgumentError);
  });
});

describe('positiveNumber', () => {
  it('accepts numbers above 0, fractions too', () => {
    expect(positiveNumber('0.5')).toBe(0.5);
    expect(positiveNumber('2500')).toBe(2500);
  });

  it.each(['0', '-3', '', 'Infinity', 'fast'])('refuses %j', (value) => {
    expect(() => positiveNumber(value)).toThrow('must be a number above 0');
  });
});

describe('fraction', () => {
  it('accepts a share of the table above 0 and up to all of it', () => {
    expect(fraction('0.1')).toBe(0.1);
    expect(fraction('1')).toBe(1);
  });

  it.each(['0', '1.01', '10', '-0.5', '', '10%'])('refuses %j', (value) => {
    expect(() => fraction(value)).toThrow('must be a fraction above 0 and at most 1');
  });
});

describe('nameList', () => {
  it('reads comma-separated names, trimming spaces and collapsing repeats', () => {
    expect(nameList('ssn, email ,ssn')).toEqual(new Set(['ssn', 'email']));
    expect(nameList('ssn')).toEqual(new Set(['ssn']));
  });

  it.each(['', 'ssn,,email', 'ssn,', ' , '])('refuses %j, which has an empty name', (value) => {
    expect(() => nameList(value)).toThrow(InvalidArgumentError);
  });
});
