/**
 * A small interpreter of the Amazon States Language subset the first-sync state machine
 * uses (JSONPath query language: Pass, Task, Choice, Wait, Map, Succeed, Fail; Parameters,
 * ItemSelector, ResultSelector, ResultPath, Retry, Catch; the intrinsic functions it
 * calls), so that tests run the definition itself against fake services, as Step
 * Functions would, instead of comparing it with a copy. What it does not know, it refuses.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export interface StateDefinition {
  readonly StartAt: string;
  readonly States: Record<string, Obj>;
}

/** An error a service (or the interpreter, for States.* errors) raises. */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

/** A fake integration: Task resource (or ItemReader resource) to an answer. */
export type Service = (parameters: Json) => Json;

export interface RunOutcome {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: Json;
  readonly error?: string;
  readonly cause?: string;
  /** States entered, in order (Map children prefixed with the item key). */
  readonly path: string[];
}

const MAX_STEPS = 5_000;

/** Step Functions' limit on a state's input, output or result: 256 KiB. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export function runStateMachine(
  definition: StateDefinition,
  input: Json,
  services: Record<string, Service>,
  context: Obj = { Execution: { Name: 'exec-1' } },
): RunOutcome {
  const path: string[] = [];
  return runScope(definition, input, services, context, path, '');
}

function runScope(
  scope: StateDefinition,
  input: Json,
  services: Record<string, Service>,
  context: Obj,
  path: string[],
  label: string,
): RunOutcome {
  let name = scope.StartAt;
  let data = input;
  for (let step = 0; step < MAX_STEPS; step++) {
    const state = scope.States[name];
    if (state === undefined) throw new Error(`no state ${name}`);
    path.push(`${label}${name}`);
    const type = state.Type;
    const effective = state.InputPath === undefined ? data : get(data, context, state.InputPath as string);
    try {
      switch (type) {
        case 'Pass': {
          const result =
            state.Parameters !== undefined
              ? evaluate(state.Parameters, effective, context)
              : (state.Result ?? effective);
          data = setResult(data, state.ResultPath, result);
          break;
        }
        case 'Task': {
          const service = services[state.Resource as string];
          if (!service) throw new Error(`no fake for ${state.Resource as string}`);
          const parameters =
            state.Parameters === undefined ? effective : evaluate(state.Parameters, effective, context);
          let result = withRetries(state, () => service(parameters));
          if (state.ResultSelector !== undefined) result = evaluate(state.ResultSelector, result, context);
          data = setResult(data, state.ResultPath, result);
          break;
        }
        case 'Map': {
          const result = runMap(state, effective, services, context, path, label);
          data = setResult(data, state.ResultPath, result);
          break;
        }
        case 'Wait':
          if (
            state.SecondsPath !== undefined &&
            typeof get(effective, context, state.SecondsPath as string) !== 'number'
          ) {
            throw new StatesError(
              'States.Runtime',
              `SecondsPath ${state.SecondsPath as string} is not a number`,
            );
          }
          break;
        case 'Choice': {
          const rules = state.Choices as Obj[];
          const match = rules.find((rule) => matches(rule, effective, context));
          name = (match?.Next ?? state.Default) as string;
          if (name === undefined) throw new StatesError('States.NoChoiceMatched', 'no choice matched');
          continue;
        }
        case 'Succeed':
          return { status: 'SUCCEEDED', output: output(state, data, context), path };
        case 'Fail': {
          const error = (
            state.ErrorPath ? get(data, context, state.ErrorPath as string) : state.Error
          ) as string;
          const cause = (
            state.CausePath ? get(data, context, state.CausePath as string) : state.Cause
          ) as string;
          // Step Functions (and moto) refuse to fail with an error named States.*.
          if (error.startsWith('States.'))
            throw new Error(`${name}: a Fail state may not name the error ${error}`);
          return { status: 'FAILED', error, cause, path };
        }
        default:
          throw new Error(`state type ${String(type)} is not interpreted here`);
      }
    } catch (err) {
      if (!(err instanceof StatesError)) throw err;
      const handler = ((state.Catch ?? []) as Obj[]).find((c) =>
        errorMatches(c.ErrorEquals as string[], err.error),
      );
      if (!handler) return { status: 'FAILED', error: err.error, cause: err.cause, path };
      data = setResult(data, handler.ResultPath, { Error: err.error, Cause: err.cause });
      name = handler.Next as string;
      continue;
    }
    data = output(state, data, context);
    if (state.End === true) return { status: 'SUCCEEDED', output: data, path };
    name = state.Next as string;
  }
  throw new Error(`more than ${MAX_STEPS} steps: a loop that does not end`);
}

/** A state's OutputPath picks what it passes on (all of it when absent). */
function output(state: Obj, data: Json, context: Obj): Json {
  return state.OutputPath === undefined ? data : get(data, context, state.OutputPath as string);
}

function withRetries(state: Obj, call: () => Json): Json {
  const attempts = new Map<Obj, number>();
  for (;;) {
    try {
      return call();
    } catch (err) {
      if (!(err instanceof StatesError)) throw err;
      const retrier = ((state.Retry ?? []) as Obj[]).find((r) =>
        errorMatches(r.ErrorEquals as string[], err.error),
      );
      if (!retrier) throw err;
      const used = (attempts.get(retrier) ?? 0) + 1;
      if (used > ((retrier.MaxAttempts as number | undefined) ?? 3)) throw err;
      attempts.set(retrier, used);
    }
  }
}

function errorMatches(names: string[], error: string): boolean {
  return names.includes(error) || (names.includes('States.ALL') && error !== 'States.Runtime');
}

function runMap(
  state: Obj,
  input: Json,
  services: Record<string, Service>,
  context: Obj,
  path: string[],
  label: string,
): Json {
  // Items from an S3 listing (ItemReader), or an array in the input (ItemsPath).
  let items: Json[];
  const reader = state.ItemReader as Obj | undefined;
  if (reader) {
    const list = services[reader.Resource as string];
    if (!list) throw new Error(`no fake for ${reader.Resource as string}`);
    const listed = list(evaluate(reader.Parameters as Json, input, context)) as Obj;
    items = (listed.Contents ?? []) as Obj[];
  } else {
    const found = get(input, context, (state.ItemsPath as string | undefined) ?? '$');
    if (!Array.isArray(found)) throw new StatesError('States.Runtime', 'ItemsPath does not select an array');
    items = found;
  }
  const processor = state.ItemProcessor as unknown as StateDefinition;
  const results: Json[] = [];
  let failed = 0;
  let firstFailure: RunOutcome | undefined;
  items.forEach((item, index) => {
    const itemContext: Obj = { ...context, Map: { Item: { Index: index, Value: item } } };
    const itemInput =
      state.ItemSelector === undefined ? item : evaluate(state.ItemSelector, input, itemContext);
    const name = typeof item === 'object' && item !== null && !Array.isArray(item) ? item.Key : item;
    const outcome = runScope(processor, itemInput, services, context, path, `${label}${String(name)} > `);
    if (outcome.status === 'FAILED') {
      failed++;
      firstFailure ??= outcome;
    } else {
      results.push(outcome.output ?? null);
    }
  });
  const tolerated = (state.ToleratedFailurePercentage as number | undefined) ?? 0;
  if (items.length > 0 && (failed / items.length) * 100 > tolerated) {
    throw new StatesError(
      'States.ExceedToleratedFailureThreshold',
      `${failed} of ${items.length} items failed; first: ${firstFailure?.error}: ${firstFailure?.cause}`,
    );
  }
  // A Distributed Map without a ResultWriter gathers its children's outputs as its result,
  // and Step Functions fails the state when they exceed 256 KiB, whatever ResultPath says
  // (ResultPath null discards them only afterwards).
  const mode = (state.ItemProcessor as Obj | undefined)?.ProcessorConfig as Obj | undefined;
  const size = Buffer.byteLength(JSON.stringify(results));
  if (mode?.Mode === 'DISTRIBUTED' && state.ResultWriter === undefined && size > MAX_PAYLOAD_BYTES) {
    throw new StatesError(
      'States.DataLimitExceeded',
      `the Map's ${results.length} child outputs make ${size} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`,
    );
  }
  return results;
}

function matches(rule: Obj, input: Json, context: Obj): boolean {
  if ('IsPresent' in rule) {
    let present = true;
    try {
      get(input, context, rule.Variable as string);
    } catch {
      present = false;
    }
    return present === rule.IsPresent;
  }
  const value = get(input, context, rule.Variable as string);
  if ('StringEquals' in rule) return value === rule.StringEquals;
  if ('BooleanEquals' in rule) return value === rule.BooleanEquals;
  if ('NumericGreaterThanEquals' in rule) {
    return typeof value === 'number' && value >= (rule.NumericGreaterThanEquals as number);
  }
  throw new Error(`choice rule ${JSON.stringify(rule)} is not interpreted here`);
}

/** Parameters-style templates: keys ending in ".$" take a path or an intrinsic function. */
export function evaluate(template: Json, input: Json, context: Obj): Json {
  if (Array.isArray(template)) return template.map((t) => evaluate(t, input, context));
  if (template === null || typeof template !== 'object') return template;
  const out: Obj = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = expression(value as string, input, context);
    else out[key] = evaluate(value, input, context);
  }
  return out;
}

function expression(text: string, input: Json, context: Obj): Json {
  if (text.startsWith('States.')) {
    const parser = new IntrinsicParser(text, input, context);
    const value = parser.call();
    parser.end();
    return value;
  }
  return get(input, context, text);
}

/** "$", "$.a.b" on the input, "$$.a.b" on the context. A missing field is a runtime error, as in Step Functions. */
export function get(input: Json, context: Obj, path: string): Json {
  let root: Json = input;
  let rest = path;
  if (path.startsWith('$$')) {
    root = context;
    rest = path.slice(2);
  } else if (path.startsWith('$')) {
    rest = path.slice(1);
  } else {
    throw new Error(`not a path: ${path}`);
  }
  let value: Json = root;
  for (const part of rest.split('.').filter((p) => p !== '')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !(part in value)) {
      throw new StatesError('States.Runtime', `the path ${path} matches nothing`);
    }
    value = (value as Obj)[part] as Json;
  }
  return value;
}

function setResult(data: Json, resultPath: Json | undefined, result: Json): Json {
  if (resultPath === null) return data;
  if (resultPath === undefined || resultPath === '$') return result;
  const parts = (resultPath as string).replace(/^\$\.?/, '').split('.');
  const copy: Obj = structuredClone(
    typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {},
  );
  let node = copy;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
    node = node[part] as Obj;
  }
  node[parts[parts.length - 1] as string] = result;
  return copy;
}

/** The intrinsic functions the definition calls, with nested calls, paths, strings and numbers as arguments. */
class IntrinsicParser {
  private at = 0;
  constructor(
    private readonly text: string,
    private readonly input: Json,
    private readonly context: Obj,
  ) {}

  end(): void {
    this.space();
    if (this.at !== this.text.length) throw new Error(`unexpected text after ${this.text.slice(0, this.at)}`);
  }

  call(): Json {
    const name = /^States\.[A-Za-z]+/.exec(this.text.slice(this.at))?.[0];
    if (!name) throw new Error(`not an intrinsic function at ${this.text.slice(this.at)}`);
    this.at += name.length;
    this.expect('(');
    const args: Json[] = [];
    this.space();
    if (this.text[this.at] !== ')') {
      for (;;) {
        args.push(this.argument());
        this.space();
        if (this.text[this.at] === ',') {
          this.at++;
          continue;
        }
        break;
      }
    }
    this.expect(')');
    return apply(name, args);
  }

  private argument(): Json {
    this.space();
    const c = this.text[this.at];
    if (c === "'") {
      let out = '';
      this.at++;
      while (this.text[this.at] !== "'") {
        if (this.at >= this.text.length) throw new Error('unterminated string');
        if (this.text[this.at] === '\\') this.at++;
        out += this.text[this.at++];
      }
      this.at++;
      return out;
    }
    if (c === '$') {
      const path = /^\$\$?[\w.]*/.exec(this.text.slice(this.at))?.[0] as string;
      this.at += path.length;
      return get(this.input, this.context, path);
    }
    const number = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.at))?.[0];
    if (number !== undefined) {
      this.at += number.length;
      return Number(number);
    }
    return this.call();
  }

  private space(): void {
    while (this.text[this.at] === ' ') this.at++;
  }

  private expect(c: string): void {
    this.space();
    if (this.text[this.at] !== c) throw new Error(`expected ${c} at ${this.at} in ${this.text}`);
    this.at++;
  }
}

function apply(name: string, args: Json[]): Json {
  switch (name) {
    case 'States.Format': {
      const [template, ...values] = args as [string, ...Json[]];
      let i = 0;
      return template.replace(/\{\}/g, () => {
        const v = values[i++];
        return typeof v === 'string' ? v : JSON.stringify(v);
      });
    }
    case 'States.StringToJson':
      return JSON.parse(args[0] as string) as Json;
    case 'States.StringSplit': {
      // The second argument is a set of delimiter characters.
      const delimiters = [...(args[1] as string)];
      const parts: string[] = [''];
      for (const c of args[0] as string) {
        if (delimiters.includes(c)) parts.push('');
        else parts[parts.length - 1] += c;
      }
      return parts.filter((p) => p !== '');
    }
    case 'States.ArrayGetItem':
      return (args[0] as Json[])[args[1] as number] as Json;
    case 'States.ArrayLength':
      return (args[0] as Json[]).length;
    case 'States.MathAdd':
      return (args[0] as number) + (args[1] as number);
    case 'States.ArrayRange': {
      const [first, last, step] = args as [number, number, number];
      const out: number[] = [];
      for (let n = first; step > 0 ? n <= last : n >= last; n += step) out.push(n);
      // Step Functions refuses a range of more than 1,000 items.
      if (out.length > 1000)
        throw new StatesError('States.Runtime', 'States.ArrayRange: more than 1000 items');
      return out;
    }
    default:
      throw new Error(`intrinsic ${name} is not interpreted here`);
  }
}
