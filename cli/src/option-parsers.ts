import { InvalidArgumentError } from 'commander';

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    // Number('') is 0: an empty value (an unset shell variable) must not pass as zero.
    const n = value.trim() === '' ? Number.NaN : Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0');
  return n;
}

export function fraction(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new InvalidArgumentError('must be a fraction above 0 and at most 1, like 0.1');
  }
  return n;
}

export function nameList(value: string): Set<string> {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === ''))
    throw new InvalidArgumentError('must be a comma-separated list like "ssn,email"');
  return new Set(names);
}

export function regionList(value: string): string[] {
  const regions = value.split(',').map((r) => r.trim());
  if (regions.some((r) => !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r))) {
    throw new InvalidArgumentError('must be a comma-separated list of regions like "eu-west-1,us-east-2"');
  }
  return regions;
}
