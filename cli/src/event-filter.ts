/**
 * Lambda event filtering (an event source mapping's FilterCriteria) for DynamoDB stream
 * records: the EventBridge pattern syntax that Lambda documents, applied to the record as the
 * function would receive it (eventName, dynamodb.Keys, dynamodb.NewImage, ...). `ddbsync
 * redrive` applies only what the mapping would have delivered with it, and the tests' event
 * source mapping emulator filters with it.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
 *
 *   const keep = compileFilterCriteria(['{"eventName":["INSERT","MODIFY"]}']);
 *   keep(lambdaRecord); // false for a REMOVE
 *
 * - Filters are ORed; within a pattern every field must match (AND); a field's list of rules is
 *   ORed; "$or" takes a list of patterns.
 * - Rules: literal (string, number, boolean, null; "" is Empty), equals-ignore-case, prefix and
 *   suffix (optionally {"equals-ignore-case": ...}), anything-but (a value or a list of values),
 *   numeric (=, <, <=, >, >= and ranges), exists.
 * - Arrays in the record are flattened: a rule matches if any element matches.
 * - Exists looks at leaf values only, so it never matches an intermediate node (such as
 *   NewImage.attr instead of NewImage.attr.S), as the DynamoDB filtering page warns.
 * - DynamoDB numbers are strings in the record ({"N": "5"}), so numeric rules never match them.
 * No maintained JavaScript package implements this syntax; a rule outside the list above
 * (wildcard, cidr, anything-but with prefix/suffix, ...) throws FilterPatternError instead of
 * being guessed at.
 */
import { CliError } from './errors.js';

/** A pattern is not valid JSON, breaks the syntax, or uses a rule that is not emulated. */
export class FilterPatternError extends CliError {
  override readonly name = 'FilterPatternError';
}

export type RecordFilter = (record: unknown) => boolean;

type Leaf = string | number | boolean | null;
type Rule = (leaves: readonly Leaf[]) => boolean;
type Matcher = (nodes: readonly unknown[]) => boolean;

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLeaf(v: unknown): v is Leaf {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** The values under `key` of every node, arrays flattened. */
function children(nodes: readonly unknown[], key: string): unknown[] {
  const out: unknown[] = [];
  const add = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(add);
    else if (v !== undefined) out.push(v);
  };
  for (const n of nodes) if (isObject(n)) add(n[key]);
  return out;
}

/** Numbers compare by their text, as Lambda does (300 and 300.0 differ in a pattern). */
function same(a: Leaf, b: Leaf): boolean {
  return typeof a === typeof b && String(a) === String(b);
}

function stringRule(
  name: string,
  value: unknown,
  test: (leaf: string, wanted: string) => boolean,
  path: string,
): Rule {
  let wanted = value;
  let fold = (s: string) => s;
  if (isObject(value) && Object.keys(value).length === 1 && 'equals-ignore-case' in value) {
    wanted = value['equals-ignore-case'];
    fold = (s) => s.toLowerCase();
  }
  if (typeof wanted !== 'string') {
    throw new FilterPatternError(`${path}: "${name}" takes a string, got ${JSON.stringify(value)}`);
  }
  const w = fold(wanted);
  return (leaves) => leaves.some((l) => typeof l === 'string' && test(fold(l), w));
}

function numericRule(value: unknown, path: string): Rule {
  if (!Array.isArray(value) || value.length === 0 || value.length % 2 !== 0 || value.length > 4) {
    throw new FilterPatternError(`${path}: "numeric" takes [op, n] or [op, n, op, n]`);
  }
  const tests: ((x: number) => boolean)[] = [];
  for (let i = 0; i < value.length; i += 2) {
    const op = NUMERIC_OPERATORS[value[i] as string];
    const n = value[i + 1];
    if (!op || typeof n !== 'number') {
      throw new FilterPatternError(`${path}: bad numeric comparison ${JSON.stringify(value)}`);
    }
    tests.push((x) => op(x, n));
  }
  return (leaves) => leaves.some((l) => typeof l === 'number' && tests.every((t) => t(l)));
}

function compileRule(rule: unknown, path: string): Rule {
  if (isLeaf(rule)) return (leaves) => leaves.some((l) => same(l, rule));
  if (!isObject(rule) || Object.keys(rule).length !== 1) {
    throw new FilterPatternError(`${path}: ${JSON.stringify(rule)} is not a filter rule`);
  }
  const [name, value] = Object.entries(rule)[0] as [string, unknown];
  switch (name) {
    case 'exists':
      if (typeof value !== 'boolean') throw new FilterPatternError(`${path}: "exists" takes true or false`);
      return (leaves) => leaves.length > 0 === value;
    case 'prefix':
      return stringRule(name, value, (l, w) => l.startsWith(w), path);
    case 'suffix':
      return stringRule(name, value, (l, w) => l.endsWith(w), path);
    case 'equals-ignore-case':
      return stringRule(name, { 'equals-ignore-case': value }, (l, w) => l === w, path);
    case 'numeric':
      return numericRule(value, path);
    case 'anything-but': {
      const excluded = Array.isArray(value) ? value : [value];
      if (excluded.length === 0 || !excluded.every((v) => typeof v === 'string' || typeof v === 'number')) {
        throw new FilterPatternError(
          `${path}: only "anything-but" with a value or a list of values is emulated, got ${JSON.stringify(value)}`,
        );
      }
      return (leaves) => leaves.length > 0 && leaves.every((l) => !excluded.some((e) => same(l, e)));
    }
    default:
      throw new FilterPatternError(`${path}: the "${name}" rule is not emulated`);
  }
}

function compileObject(pattern: Record<string, unknown>, path: string): Matcher {
  const parts: Matcher[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
        throw new FilterPatternError(`${at}: "$or" takes a list of at least two patterns`);
      }
      const alternatives = value.map((v, i) => compileObject(v, `${at}[${i}]`));
      parts.push((nodes) => alternatives.some((m) => m(nodes)));
    } else if (isObject(value)) {
      const inner = compileObject(value, at);
      parts.push((nodes) => inner(children(nodes, key)));
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new FilterPatternError(`${at}: an empty list matches nothing`);
      const rules = value.map((r) => compileRule(r, at));
      parts.push((nodes) => {
        const leaves = children(nodes, key).filter(isLeaf);
        return rules.some((r) => r(leaves));
      });
    } else {
      throw new FilterPatternError(`${at}: must be an object or a list of rules`);
    }
  }
  return (nodes) => parts.every((p) => p(nodes));
}

/** One filter's Pattern (a JSON string). */
export function compilePattern(pattern: string): RecordFilter {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch {
    throw new FilterPatternError(`${JSON.stringify(pattern)} is not JSON`);
  }
  if (!isObject(parsed)) throw new FilterPatternError(`${JSON.stringify(pattern)} is not a JSON object`);
  const match = compileObject(parsed, '');
  return (record) => match([record]);
}

/** FilterCriteria.Filters[].Pattern: a record passes if any pattern matches; no patterns pass all. */
export function compileFilterCriteria(patterns: readonly string[]): RecordFilter {
  if (patterns.length === 0) return () => true;
  const filters = patterns.map(compilePattern);
  return (record) => filters.some((f) => f(record));
}
