/** DynamoDB stream sequence numbers are decimal strings of up to 40 digits, no leading zeros. */
const SEQUENCE_NUMBER = /^[0-9]{1,40}$/;

export function isSequenceNumber(value: unknown): value is string {
  return typeof value === 'string' && SEQUENCE_NUMBER.test(value);
}

/** Orders two sequence numbers numerically without converting them to numbers. */
export function compareSequenceNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function lowestSequenceNumber(values: Iterable<string>): string | undefined {
  let lowest: string | undefined;
  for (const v of values) if (lowest === undefined || compareSequenceNumbers(v, lowest) < 0) lowest = v;
  return lowest;
}
