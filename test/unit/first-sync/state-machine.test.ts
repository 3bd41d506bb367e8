/**
 * The first-sync state machine definition (modules/first-sync/state-machine.asl.json), as
 * Terraform's templatefile() renders it: its structure checked against the States
 * Language's rules, then run by a small interpreter (asl-interpreter.ts) against fake
 * services, the loader's events going through the loader's own event parser.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ExportLineError,
  ExportReadError,
  ImporterEventError,
  ImportLimitExceededError,
  ImportStartError,
  LoaderEventError,
  LoadStalledError,
  StreamBudgetExceededError,
  TargetRefusedError,
  TargetTableExistsError,
  VerifyReadError,
} from '../../../lambda/src/first-sync/errors.js';
import {
  type DescribeImportsResult,
  type ImporterEvent,
  parseImporterEvent,
  type StartImportsResult,
} from '../../../lambda/src/first-sync/import-event.js';
import { type LoaderResult, parseLoaderEvent } from '../../../lambda/src/first-sync/loader-event.js';
import {
  parseVerifyEvent,
  type VerifyEvent,
  type VerifyFileResult,
  type VerifySegmentResult,
  type VerifySummary,
} from '../../../lambda/src/first-sync/verify-event.js';
import { renderFirstSyncTemplate } from '../../support/first-sync-definition.js';
import { type Json, runStateMachine, type StateDefinition, StatesError } from './asl-interpreter.js';

const TEMPLATE = readFileSync(
  fileURLToPath(new URL('../../../modules/first-sync/state-machine.asl.json', import.meta.url)),
  'utf8',
);

const VARS = {
  source_table_arn: 'arn:aws:dynamodb:us-east-1:111111111111:table/orders',
  export_bucket: 'ddbsync-exports-222222222222',
  export_bucket_owner: '222222222222',
  export_prefix: 'first-sync',
  loader_function_arn: 'arn:aws:lambda:us-east-1:111111111111:function:ddbsync-orders-loader',
  event_source_mapping_uuid: '14e0db71-5d35-4eb5-b481-8945cf9d10c2',
  max_concurrency: '40',
  export_poll_seconds: '30',
  mapping_poll_seconds: '5',
  verifier_function_arn: 'arn:aws:lambda:us-east-1:111111111111:function:ddbsync-orders-verifier',
  verify_segments: '3',
  report_prefix: 'first-sync-verify',
  loader_stop_seconds: '960',
  importer_function_arn: 'arn:aws:lambda:us-east-1:111111111111:function:ddbsync-orders-importer',
  import_poll_seconds: '60',
};
const EXPORT_ARN = `${VARS.source_table_arn}/export/01700000000000-abcdefgh`;
const EXPORT_TIME = '2026-12-01T10:00:00Z';
const DATA_PREFIX = 'first-sync/exec-1/AWSDynamoDB/01700000000000-abcdefgh/data/';

/** What templatefile() does with this file: every ${name} replaced; an unknown name is an error. */
const render = renderFirstSyncTemplate;

const definition = JSON.parse(render(TEMPLATE, VARS)) as StateDefinition & {
  States: Record<string, Record<string, Json>>;
};

// The fields the States Language allows per state type (JSONPath), so a misspelt one is caught.
const COMMON = ['Type', 'Comment', 'InputPath', 'OutputPath'];
const FIELDS: Record<string, string[]> = {
  Pass: [...COMMON, 'Next', 'End', 'ResultPath', 'Parameters', 'Result'],
  Task: [
    ...COMMON,
    'Next',
    'End',
    'Resource',
    'Parameters',
    'ResultSelector',
    'ResultPath',
    'Retry',
    'Catch',
    'TimeoutSeconds',
    'HeartbeatSeconds',
  ],
  Choice: [...COMMON, 'Choices', 'Default'],
  Wait: [...COMMON, 'Next', 'End', 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'],
  Map: [
    ...COMMON,
    'Next',
    'End',
    'ItemReader',
    'ItemSelector',
    'ItemProcessor',
    'ItemsPath',
    'ItemBatcher',
    'ResultWriter',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ToleratedFailurePercentage',
    'ToleratedFailureCount',
    'Label',
    'ResultPath',
    'ResultSelector',
    'Retry',
    'Catch',
  ],
  Succeed: [...COMMON],
  Fail: ['Type', 'Comment', 'Error', 'Cause', 'ErrorPath', 'CausePath'],
};

interface Scope {
  readonly StartAt: string;
  readonly States: Record<string, Record<string, Json>>;
}

/** The states a state may go to next, within its scope. */
function transitions(state: Record<string, Json>): string[] {
  const out: string[] = [];
  if (typeof state.Next === 'string') out.push(state.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  for (const c of (state.Choices ?? []) as Record<string, Json>[]) out.push(c.Next as string);
  for (const c of (state.Catch ?? []) as Record<string, Json>[]) out.push(c.Next as string);
  return out;
}

const terminal = (state: Record<string, Json>) =>
  state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true;

/** Everything the States Language requires of a scope's states, as a list of problems. */
function problems(scope: Scope, where: string): string[] {
  const found: string[] = [];
  const names = Object.keys(scope.States);
  if (!names.includes(scope.StartAt)) found.push(`${where}: StartAt ${scope.StartAt} is not a state`);
  for (const [name, state] of Object.entries(scope.States)) {
    const at = `${where}${name}`;
    const type = state.Type as string;
    const allowed = FIELDS[type];
    if (!allowed) {
      found.push(`${at}: unknown Type ${type}`);
      continue;
    }
    for (const field of Object.keys(state))
      if (!allowed.includes(field)) found.push(`${at}: ${field} is not a ${type} field`);
    if (
      ['Pass', 'Task', 'Wait', 'Map'].includes(type) &&
      (state.Next === undefined) === (state.End !== true)
    ) {
      found.push(`${at}: needs exactly one of Next and End`);
    }
    if (
      type === 'Choice' &&
      (!Array.isArray(state.Choices) || state.Choices.length === 0 || state.Default === undefined)
    ) {
      found.push(`${at}: a Choice needs Choices and a Default`);
    }
    for (const next of transitions(state))
      if (!names.includes(next)) found.push(`${at}: goes to ${next}, which is not a state here`);
    for (const c of (state.Catch ?? []) as Record<string, Json>[]) {
      if (!Array.isArray(c.ErrorEquals) || c.ErrorEquals.length === 0)
        found.push(`${at}: a Catch without ErrorEquals`);
    }
    const retries = (state.Retry ?? []) as Record<string, Json>[];
    retries.forEach((r, i) => {
      const errors = r.ErrorEquals as string[];
      if (!Array.isArray(errors) || errors.length === 0) found.push(`${at}: a Retry without ErrorEquals`);
      if (errors.includes('States.ALL') && (errors.length > 1 || i !== retries.length - 1)) {
        found.push(`${at}: States.ALL must be alone, in the last Retry`);
      }
    });
    for (const key of [
      'ResultPath',
      'InputPath',
      'SecondsPath',
      'MaxConcurrencyPath',
      'ItemsPath',
      'ErrorPath',
      'CausePath',
    ]) {
      const v = state[key];
      if (v !== undefined && v !== null && !(typeof v === 'string' && v.startsWith('$')))
        found.push(`${at}: ${key} is not a path`);
    }
    for (const key of ['Parameters', 'ItemSelector', 'ResultSelector'])
      checkTemplate(state[key], `${at}.${key}`, found);
    if (type === 'Map') {
      checkTemplate(
        (state.ItemReader as Record<string, Json> | undefined)?.Parameters,
        `${at}.ItemReader.Parameters`,
        found,
      );
      const processor = state.ItemProcessor as unknown as Scope;
      found.push(...problems(processor, `${at} > `));
    }
  }
  // Every state is reachable from StartAt, and from every state an end is reachable.
  const reachable = new Set<string>();
  const todo = [scope.StartAt];
  while (todo.length > 0) {
    const name = todo.pop() as string;
    if (reachable.has(name) || !scope.States[name]) continue;
    reachable.add(name);
    todo.push(...transitions(scope.States[name]));
  }
  for (const name of names)
    if (!reachable.has(name)) found.push(`${where}${name}: not reachable from ${scope.StartAt}`);
  const ending = new Set(names.filter((n) => terminal(scope.States[n] as Record<string, Json>)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of names) {
      if (
        !ending.has(name) &&
        transitions(scope.States[name] as Record<string, Json>).some((n) => ending.has(n))
      ) {
        ending.add(name);
        grew = true;
      }
    }
  }
  for (const name of names) if (!ending.has(name)) found.push(`${where}${name}: no end is reachable from it`);
  return found;
}

/** Keys ending in ".$" hold a path or an intrinsic function, at any depth. */
function checkTemplate(template: Json | undefined, at: string, found: string[]): void {
  if (template === null || typeof template !== 'object' || Array.isArray(template)) return;
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string' || !(value.startsWith('$') || value.startsWith('States.'))) {
        found.push(`${at}.${key}: not a path or an intrinsic function`);
      }
    } else {
      checkTemplate(value, `${at}.${key}`, found);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Fake services

type LoaderScript = (event: ReturnType<typeof parseLoaderEvent>, call: number) => LoaderResult | Error;

interface World {
  pitr?: 'ENABLED' | 'DISABLED';
  /** Mapping states answered by GetEventSourceMapping, in order (the last repeats). */
  mappingStates: string[];
  exportStatuses?: string[];
  files?: string[];
  loader?: LoaderScript;
  verifier?: VerifierScript;
  importer?: ImporterScript;
}

type VerifierScript = (
  event: VerifyEvent,
  call: number,
) => VerifyFileResult | VerifySegmentResult | VerifySummary | Error;

type ImporterScript = (
  event: ImporterEvent,
  call: number,
) => StartImportsResult | DescribeImportsResult | Error;

function services(world: World) {
  const calls: { resource: string; parameters: Json }[] = [];
  const loaderEvents: { key: string; startLine: number }[] = [];
  const verifierEvents: VerifyEvent[] = [];
  const importerEvents: Json[] = [];
  let importerCalls = 0;
  let mappingPolls = 0;
  let exportPolls = 0;
  const perFile = new Map<string, number>();
  const record = (resource: string, answer: (p: Record<string, Json>) => Json) => (parameters: Json) => {
    calls.push({ resource, parameters });
    return answer(parameters as Record<string, Json>);
  };
  const sdk = 'arn:aws:states:::aws-sdk:';
  const fakes = {
    [`${sdk}dynamodb:describeContinuousBackups`]: record('describeContinuousBackups', () => ({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: world.pitr ?? 'ENABLED' },
      },
    })),
    [`${sdk}lambda:getEventSourceMapping`]: record('getEventSourceMapping', () => {
      const states = world.mappingStates;
      return {
        UUID: VARS.event_source_mapping_uuid,
        State: states[Math.min(mappingPolls++, states.length - 1)] as string,
      };
    }),
    [`${sdk}lambda:updateEventSourceMapping`]: record('updateEventSourceMapping', () => ({})),
    [`${sdk}dynamodb:exportTableToPointInTime`]: record('exportTableToPointInTime', () => ({
      ExportDescription: { ExportArn: EXPORT_ARN, ExportStatus: 'IN_PROGRESS' },
    })),
    [`${sdk}dynamodb:describeExport`]: record('describeExport', () => {
      const statuses = world.exportStatuses ?? ['IN_PROGRESS', 'COMPLETED'];
      const status = statuses[Math.min(exportPolls++, statuses.length - 1)] as string;
      return {
        ExportDescription: {
          ExportArn: EXPORT_ARN,
          ExportStatus: status,
          ItemCount: 1234,
          ExportTime: EXPORT_TIME,
        },
      };
    }),
    'arn:aws:states:::s3:listObjectsV2': record('listObjectsV2', (p) => ({
      Contents: (world.files ?? []).map((name) => ({
        Key: `${p.Prefix as string}${name}`,
        Size: 1000,
        Etag: '"x"',
      })),
    })),
    'arn:aws:states:::lambda:invoke': record('invoke', (p) => {
      if (p.FunctionName === VARS.verifier_function_arn) {
        // The payload the state machine builds must be what the verifier accepts.
        const event = parseVerifyEvent(p.Payload);
        verifierEvents.push(event);
        const id = event.mode === 'file' ? event.key : event.mode === 'segment' ? `s${event.segment}` : 'sum';
        const n = (perFile.get(id) ?? 0) + 1;
        perFile.set(id, n);
        const result = (world.verifier as VerifierScript)(event, n);
        if (result instanceof Error) throw new StatesError(result.name, result.message);
        return { StatusCode: 200, Payload: result as unknown as Json };
      }
      if (p.FunctionName === VARS.importer_function_arn) {
        importerEvents.push(p.Payload as Json);
        // The payload the state machine builds must be what the importer accepts.
        const event = parseImporterEvent(p.Payload);
        if (!world.importer) throw new Error('no importer in this world');
        const result = world.importer(event, ++importerCalls);
        if (result instanceof Error) throw new StatesError(result.name, result.message);
        return { StatusCode: 200, Payload: result as unknown as Json };
      }
      expect(p.FunctionName).toBe(VARS.loader_function_arn);
      // The payload the state machine builds must be what the loader accepts.
      const event = parseLoaderEvent(p.Payload);
      loaderEvents.push({ key: event.key.slice(DATA_PREFIX.length), startLine: event.startLine });
      const n = (perFile.get(event.key) ?? 0) + 1;
      perFile.set(event.key, n);
      const result = (
        world.loader ?? ((e) => ({ key: e.key, done: true, nextLine: 10, items: 10, bytes: 100 }))
      )(event, n);
      // A function error reaches Step Functions as its errorType and errorMessage.
      if (result instanceof Error) throw new StatesError(result.name, result.message);
      return { StatusCode: 200, Payload: result as unknown as Json };
    }),
  };
  return { fakes, calls, loaderEvents, verifierEvents, importerEvents };
}

const run = (world: World, load: 'map' | 'import' = 'map') => {
  const s = services(world);
  const outcome = runStateMachine(definition, { action: 'sync', load, repair: false }, s.fakes);
  return { ...s, outcome, resources: s.calls.map((c) => c.resource) };
};

const updates = (calls: { resource: string; parameters: Json }[]) =>
  calls.filter((c) => c.resource === 'updateEventSourceMapping').map((c) => c.parameters);

// ---------------------------------------------------------------------------------------

describe('first-sync state machine definition', () => {
  it('is JSON before rendering, with only the placeholders the module passes, all inside strings', () => {
    expect(() => JSON.parse(TEMPLATE)).not.toThrow();
    const names = new Set([...TEMPLATE.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...names].sort()).toEqual(Object.keys(VARS).sort());
    // No other template syntax: a %{ directive or $${ escape would change what is sent.
    expect(TEMPLATE).not.toMatch(/%\{|\$\$\{/);
  });

  it('keeps the States Language rules: known fields, every Next exists, every state reachable, an end reachable from each', () => {
    expect(problems(definition, '')).toEqual([]);
  });

  it('finds the problems it checks for (the checker is not blind)', () => {
    const broken = structuredClone(definition) as Scope;
    (broken.States.ExportTable as Record<string, Json>).Next = 'NoSuchState';
    (broken.States.WaitForExport as Record<string, Json>).Secs = 3;
    broken.States.Orphan = { Type: 'Pass', End: true };
    broken.States.Trap = { Type: 'Pass', Next: 'Trap' };
    const found = problems(broken, '');
    expect(found).toContain('ExportTable: goes to NoSuchState, which is not a state here');
    expect(found).toContain('WaitForExport: Secs is not a Wait field');
    expect(found).toContain('Orphan: not reachable from Configure');
    expect(found).toContain('Trap: no end is reachable from it');
  });

  it('lists the export data files with a Distributed Map, one loader loop per file, no failure tolerated', () => {
    const map = definition.States.LoadDataFiles as Record<string, Json>;
    expect(map.Type).toBe('Map');
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Parameters: { 'Bucket.$': '$.dataFiles.bucket', 'Prefix.$': '$.dataFiles.prefix' },
    });
    expect(map.ItemSelector).toMatchObject({ 'key.$': '$$.Map.Item.Value.Key', startLine: 0 });
    expect(map.ToleratedFailurePercentage).toBe(0);
    expect(map.MaxConcurrencyPath).toBe('$.settings.maxConcurrency');
    const processor = map.ItemProcessor as unknown as Scope & { ProcessorConfig: Json };
    expect(processor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const task = processor.States[processor.StartAt] as Record<string, Json>;
    expect(task).toMatchObject({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke' });
    expect((task.Parameters as Record<string, Json>).FunctionName).toBe(VARS.loader_function_arn);
    // The loop: the loader's task is reachable again from itself until a file is done.
    const from = (name: string, seen = new Set<string>()): Set<string> => {
      for (const next of transitions(processor.States[name] as Record<string, Json>)) {
        if (!seen.has(next)) {
          seen.add(next);
          from(next, seen);
        }
      }
      return seen;
    };
    expect(from(processor.StartAt).has(processor.StartAt)).toBe(true);
  });

  it('retries the loader only for errors a retry can mend, never for a malformed line or a refusing target', () => {
    const processor = (definition.States.LoadDataFiles as Record<string, Json>)
      .ItemProcessor as unknown as Scope;
    const retried = (
      (processor.States.LoadFilePart as Record<string, Json>).Retry as Record<string, Json>[]
    ).flatMap((r) => r.ErrorEquals as string[]);
    for (const e of [new ExportReadError('f', 'x'), new LoadStalledError('x')])
      expect(retried).toContain(e.name);
    for (const e of [
      new ExportLineError('f', 1, 'x'),
      new TargetRefusedError('t', 'f', 1, 'x'),
      new LoaderEventError('key', 'x'),
      // Time only makes a load past its stream budget later.
      new StreamBudgetExceededError('x'),
    ]) {
      expect(retried).not.toContain(e.name);
    }
    expect(retried).not.toContain('States.ALL');
  });

  it('runs: checks recovery, pauses the running mapping, exports, loads each file until done, then enables the mapping', () => {
    const { outcome, resources, calls, loaderEvents } = run({
      mappingStates: ['Enabled', 'Disabling', 'Disabling', 'Disabled'],
      files: ['a.json.gz', 'b.json.gz'],
      loader: (e, n) =>
        e.key.endsWith('a.json.gz') && n === 1
          ? { key: e.key, done: false, nextLine: 700, items: 700, bytes: 7000 }
          : { key: e.key, done: true, nextLine: e.startLine + 300, items: 300, bytes: 3000 },
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(resources).toEqual([
      'describeContinuousBackups',
      'getEventSourceMapping',
      'updateEventSourceMapping',
      'getEventSourceMapping',
      'getEventSourceMapping',
      'getEventSourceMapping',
      'exportTableToPointInTime',
      'describeExport',
      'describeExport',
      'listObjectsV2',
      'invoke',
      'invoke',
      'invoke',
      'updateEventSourceMapping',
    ]);
    expect(calls[0]?.parameters).toEqual({ TableName: VARS.source_table_arn });
    expect(calls.find((c) => c.resource === 'exportTableToPointInTime')?.parameters).toEqual({
      TableArn: VARS.source_table_arn,
      S3Bucket: VARS.export_bucket,
      S3BucketOwner: VARS.export_bucket_owner,
      S3Prefix: 'first-sync/exec-1',
      ExportFormat: 'DYNAMODB_JSON',
      ExportType: 'FULL_EXPORT',
    });
    expect(calls.find((c) => c.resource === 'listObjectsV2')?.parameters).toEqual({
      Bucket: VARS.export_bucket,
      Prefix: DATA_PREFIX,
    });
    // File a needs two invocations, the second from where the first stopped.
    expect(loaderEvents).toEqual([
      { key: 'a.json.gz', startLine: 0 },
      { key: 'a.json.gz', startLine: 700 },
      { key: 'b.json.gz', startLine: 0 },
    ]);
    expect(updates(calls)).toEqual([
      { UUID: VARS.event_source_mapping_uuid, Enabled: false },
      { UUID: VARS.event_source_mapping_uuid, Enabled: true },
    ]);
  });

  it('loads an export of 10,000 files and enables the mapping: each child returns only its item count, as their outputs together must fit 256 KiB', () => {
    const files = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(26, 'x')}.json.gz`);
    const { outcome, loaderEvents, calls } = run({
      mappingStates: ['Disabled'],
      files,
      loader: (e) => ({ key: e.key, done: true, nextLine: 1_000_000, items: 1_000_000, bytes: 1e9 }),
    });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(loaderEvents).toHaveLength(10_000);
    expect(updates(calls)).toEqual([{ UUID: VARS.event_source_mapping_uuid, Enabled: true }]);
  });

  it('fails before changing anything when point-in-time recovery is off, saying how to turn it on', () => {
    const { outcome, resources } = run({ pitr: 'DISABLED', mappingStates: ['Enabled'] });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'PointInTimeRecoveryOff' });
    expect(outcome.cause).toContain(
      `aws dynamodb update-continuous-backups --table-name ${VARS.source_table_arn} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true`,
    );
    expect(resources).toEqual(['describeContinuousBackups']);
  });

  it('leaves a mapping created paused alone until the load is done, then enables it', () => {
    const { outcome, calls } = run({ mappingStates: ['Disabled'], files: ['a.json.gz'] });
    expect(outcome.status).toBe('SUCCEEDED');
    expect(updates(calls)).toEqual([{ UUID: VARS.event_source_mapping_uuid, Enabled: true }]);
  });

  it('invokes the loader again from the same line after a read error, and fails the run on a refusing target, resuming the mapping it paused', () => {
    const { outcome, calls, loaderEvents } = run({
      mappingStates: ['Enabled', 'Disabled'],
      files: ['a.json.gz', 'b.json.gz'],
      loader: (e, n) => {
        if (e.key.endsWith('a.json.gz')) {
          return n === 1
            ? new ExportReadError(`s3://x/${e.key}`, 'socket hang up')
            : { key: e.key, done: true, nextLine: 5, items: 5, bytes: 50 };
        }
        return new TargetRefusedError('orders@eu-west-1', `s3://x/${e.key}`, 1, 'AccessDeniedException');
      },
    });
    expect(loaderEvents).toEqual([
      { key: 'a.json.gz', startLine: 0 },
      { key: 'a.json.gz', startLine: 0 },
      { key: 'b.json.gz', startLine: 0 },
    ]);
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'LoadFailed' });
    expect(outcome.cause).toContain('States.ExceedToleratedFailureThreshold');
    expect(outcome.cause).toContain('TargetRefusedError');
    // The mapping was running: it runs again (the replay from its checkpoint mends what the load wrote),
    // but only after every loader invocation in flight has surely ended.
    expect(outcome.path.slice(-4)).toEqual([
      'LoadFailedRestore',
      'WaitForLoadersToStop',
      'ResumeMappingAfterFailure',
      'FirstSyncFailed',
    ]);
    expect(updates(calls)).toEqual([
      { UUID: VARS.event_source_mapping_uuid, Enabled: false },
      { UUID: VARS.event_source_mapping_uuid, Enabled: true },
    ]);
  });

  it('fails a failed export with its ARN, and keeps a mapping that was created paused paused', () => {
    const { outcome, calls, resources } = run({
      mappingStates: ['Disabled'],
      exportStatuses: ['IN_PROGRESS', 'FAILED'],
    });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'ExportFailed' });
    expect(outcome.cause).toContain(`aws dynamodb describe-export --export-arn ${EXPORT_ARN}`);
    expect(resources).not.toContain('invoke');
    expect(updates(calls)).toEqual([]);
  });

  it('gives up on a mapping that does not pause, after a bounded number of polls, before exporting', () => {
    const { outcome, resources, calls } = run({ mappingStates: ['Enabled', 'Disabling'] });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'MappingDidNotPause' });
    expect(outcome.cause).toContain('its state: Disabling');
    expect(resources.filter((r) => r === 'getEventSourceMapping')).toHaveLength(121);
    expect(resources).not.toContain('exportTableToPointInTime');
    expect(updates(calls).at(-1)).toEqual({ UUID: VARS.event_source_mapping_uuid, Enabled: true });
  });
});

describe('first-sync state machine, the verify branch', () => {
  const PREFIX = 'first-sync-verify/exec-1';
  const summary: VerifySummary = {
    targets: [
      {
        target: '222222222222/eu-west-1/orders-replica',
        compared: 1234,
        differing: 2,
        missingInTarget: 1,
        onlyInTarget: 1,
        repaired: 4,
      },
    ],
    differences: 4,
    report: `s3://${VARS.export_bucket}/${PREFIX}/report.json`,
  };
  /** File a needs two invocations, segment 1 two (resumed from a key); everything else one. */
  const verifier: VerifierScript = (e, n) => {
    if (e.mode === 'file') {
      return e.key.endsWith('a.json.gz') && n === 1
        ? { key: e.key, done: false, nextLine: 500, compared: 500, differences: 1 }
        : { key: e.key, done: true, nextLine: e.startLine + 100, compared: 100, differences: 0 };
    }
    if (e.mode === 'segment') {
      return e.segment === 1 && n === 1
        ? {
            segment: 1,
            done: false,
            targetIndex: 0,
            lastEvaluatedKey: { pk: { S: 'k' }, sk: { N: '9' } },
            scanned: 1000,
            onlyInTarget: 0,
          }
        : {
            segment: e.segment,
            done: true,
            targetIndex: 1,
            lastEvaluatedKey: null,
            scanned: 10,
            onlyInTarget: 1,
          };
    }
    return summary;
  };
  const runVerify = (world: Omit<World, 'mappingStates'>) => {
    const s = services({ mappingStates: ['Enabled'], ...world });
    const outcome = runStateMachine(definition, { action: 'verify', load: 'map', repair: true }, s.fakes);
    return { ...s, outcome, resources: s.calls.map((c) => c.resource) };
  };

  it('compares every export file and every target segment, summarizes, and ends with the counts, never touching the mapping', () => {
    const { outcome, resources, verifierEvents } = runVerify({ files: ['a.json.gz', 'b.json.gz'], verifier });
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: summary, path: expect.any(Array) });
    expect(outcome.path.at(-1)).toBe('VerifyDone');
    expect(resources).not.toContain('getEventSourceMapping');
    expect(resources).not.toContain('updateEventSourceMapping');
    const common = { bucket: VARS.export_bucket, reportPrefix: PREFIX, repair: true };
    expect(verifierEvents).toEqual([
      { mode: 'file', key: `${DATA_PREFIX}a.json.gz`, startLine: 0, ...common },
      { mode: 'file', key: `${DATA_PREFIX}a.json.gz`, startLine: 500, ...common },
      { mode: 'file', key: `${DATA_PREFIX}b.json.gz`, startLine: 0, ...common },
      { mode: 'segment', segment: 0, totalSegments: 3, targetIndex: 0, ...common },
      { mode: 'segment', segment: 1, totalSegments: 3, targetIndex: 0, ...common },
      {
        mode: 'segment',
        segment: 1,
        totalSegments: 3,
        targetIndex: 0,
        lastEvaluatedKey: { pk: { S: 'k' }, sk: { N: '9' } },
        ...common,
      },
      { mode: 'segment', segment: 2, totalSegments: 3, targetIndex: 0, ...common },
      { mode: 'summarize', bucket: VARS.export_bucket, reportPrefix: PREFIX },
    ]);
  });

  it('passes repair from the execution input', () => {
    const s = services({ mappingStates: ['Enabled'], files: ['a.json.gz'], verifier });
    runStateMachine(definition, { action: 'verify', load: 'map', repair: false }, s.fakes);
    expect(
      s.verifierEvents.filter((e) => e.mode !== 'summarize').every((e) => 'repair' in e && !e.repair),
    ).toBe(true);
  });

  it('fails the run with the verifier error and leaves the mapping alone', () => {
    const { outcome, calls } = runVerify({
      files: ['a.json.gz'],
      verifier: (e, n) =>
        e.mode === 'file'
          ? new VerifyReadError('111111111111/eu-west-1/orders-replica', 'AccessDeniedException')
          : verifier(e, n),
    });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'VerifyFailed' });
    expect(outcome.cause).toContain('VerifyReadError');
    expect(outcome.cause).toContain('AccessDeniedException');
    expect(updates(calls)).toEqual([]);
    expect(calls.map((c) => c.resource)).not.toContain('getEventSourceMapping');
  });

  it('retries the verifier only for Lambda transient errors, a few times, then fails', () => {
    let calls = 0;
    const { outcome } = runVerify({
      files: ['a.json.gz'],
      verifier: (e, n) => {
        if (e.mode !== 'summarize') return verifier(e, n);
        calls++;
        return Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
      },
    });
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'VerifyFailed' });
    expect(calls).toBe(7);
    for (const name of ['VerifyFiles', 'VerifySegments']) {
      const processor = (definition.States[name] as Record<string, Json>).ItemProcessor as unknown as Scope;
      const task = processor.States[processor.StartAt] as Record<string, Json>;
      const retried = (task.Retry as Record<string, Json>[]).flatMap((r) => r.ErrorEquals as string[]);
      expect(retried.every((e) => e.startsWith('Lambda.'))).toBe(true);
    }
  });

  it('verifies an export of 10,000 files: each child returns only its compared count, as their outputs together must fit 256 KiB', () => {
    // AWS names data files with 26 random characters; a large table's export has thousands.
    const files = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(26, 'x')}.json.gz`);
    const { outcome, verifierEvents } = runVerify({ files, verifier });
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: summary });
    expect(verifierEvents.filter((e) => e.mode === 'file')).toHaveLength(10_000);
  });

  it('refuses more segments than States.ArrayRange makes', () => {
    const big = JSON.parse(render(TEMPLATE, { ...VARS, verify_segments: '1001' })) as StateDefinition;
    const s = services({ mappingStates: ['Enabled'], files: [], verifier });
    const outcome = runStateMachine(big, { action: 'verify', load: 'map', repair: false }, s.fakes);
    expect(outcome.status).toBe('FAILED');
  });
});

describe('first-sync state machine, import path', () => {
  const IMPORTS = [
    {
      target: '222222222222/eu-west-1/orders-replica',
      importArn: 'arn:aws:dynamodb:eu-west-1:222222222222:table/orders-replica/import/01-a',
    },
    {
      target: '333333333333/us-west-2/orders-replica',
      importArn: 'arn:aws:dynamodb:us-west-2:333333333333:table/orders-replica/import/01-b',
    },
  ];
  const started: StartImportsResult = { imports: IMPORTS, objects: 4, bytes: 4096 };
  const described = (done: boolean, failed: DescribeImportsResult['failed'] = []): DescribeImportsResult => ({
    done,
    failed,
    items: { processed: done ? 2468 : 10, imported: done ? 2468 : 10, errors: 0 },
    imports: IMPORTS.map((i) => ({
      target: i.target,
      status: done ? 'COMPLETED' : 'IN_PROGRESS',
      imported: 0,
    })),
    message: failed.length > 0 ? `Import failed: ${failed[0]?.target}: ${failed[0]?.failureCode}` : 'fine',
  });
  const importer =
    (...describes: (DescribeImportsResult | Error)[]): ImporterScript =>
    (event, call) =>
      event.action === 'start'
        ? started
        : (describes[Math.min(call - 2, describes.length - 1)] as DescribeImportsResult);

  it('polls the import settings: the import poll comes from its own placeholder', () => {
    expect(definition.States.Configure?.Parameters).toMatchObject({
      'importPollSeconds.$': "States.StringToJson('60')",
    });
    expect(definition.States.ImportWait).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.settings.importPollSeconds',
    });
  });

  it('starts the imports from the export, polls until they are done, then enables the mapping', () => {
    const { outcome, resources, calls, importerEvents } = run(
      {
        mappingStates: ['Enabled', 'Disabled'],
        importer: importer(described(false), described(false), described(true)),
      },
      'import',
    );
    expect(outcome.status).toBe('SUCCEEDED');
    expect(resources).toEqual([
      'describeContinuousBackups',
      'getEventSourceMapping',
      'updateEventSourceMapping',
      'getEventSourceMapping',
      'exportTableToPointInTime',
      'describeExport',
      'describeExport',
      'invoke',
      'invoke',
      'invoke',
      'invoke',
      'updateEventSourceMapping',
    ]);
    expect(importerEvents[0]).toEqual({
      action: 'start',
      bucket: VARS.export_bucket,
      bucketOwner: VARS.export_bucket_owner,
      prefix: DATA_PREFIX,
      exportArn: EXPORT_ARN,
    });
    expect(importerEvents[1]).toEqual({
      action: 'describe',
      imports: IMPORTS,
      expectedItems: 1234,
      exportTime: EXPORT_TIME,
    });
    expect(outcome.path.filter((p) => p === 'ImportWait')).toHaveLength(3);
    expect(updates(calls)).toEqual([
      { UUID: VARS.event_source_mapping_uuid, Enabled: false },
      { UUID: VARS.event_source_mapping_uuid, Enabled: true },
    ]);
  });

  it('fails the run on a failed import, with the importer naming the target, and resumes the mapping it paused', () => {
    const failed = [
      {
        target: IMPORTS[1]?.target as string,
        importArn: IMPORTS[1]?.importArn as string,
        status: 'FAILED',
        failureCode: 'S3AccessDenied',
        failureMessage: 'Access Denied',
      },
    ];
    const { outcome, calls } = run(
      {
        mappingStates: ['Enabled', 'Disabled'],
        importer: importer(described(false), described(true, failed)),
      },
      'import',
    );
    expect(outcome).toMatchObject({
      status: 'FAILED',
      error: 'ImportFailed',
      cause: `Import failed: ${IMPORTS[1]?.target}: S3AccessDenied`,
    });
    expect(outcome.path).not.toContain('EnableMapping');
    expect(updates(calls)).toEqual([
      { UUID: VARS.event_source_mapping_uuid, Enabled: false },
      { UUID: VARS.event_source_mapping_uuid, Enabled: true },
    ]);
  });

  it('fails at once, not retried, when the export exceeds an ImportTable limit, and keeps a mapping created paused paused', () => {
    const limit = new ImportLimitExceededError(
      'ImportTable takes at most 50000 S3 objects per import',
      'the export has 50001 data files',
    );
    const { outcome, calls, resources } = run(
      { mappingStates: ['Disabled'], importer: (e) => (e.action === 'start' ? limit : described(true)) },
      'import',
    );
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'ImportFailed' });
    expect(outcome.cause).toContain(`ImportLimitExceededError: ${limit.message}`);
    expect(outcome.cause).toContain('use --load map');
    expect(resources.filter((r) => r === 'invoke')).toHaveLength(1);
    expect(updates(calls)).toEqual([]);
  });

  it("retries the importer only for Lambda's transient errors, never for its own named errors", () => {
    for (const name of ['ImportStart', 'ImportDescribe']) {
      const retried = (
        (definition.States[name] as Record<string, Json>).Retry as Record<string, Json>[]
      ).flatMap((r) => r.ErrorEquals as string[]);
      expect(retried.every((e) => e.startsWith('Lambda.'))).toBe(true);
      for (const e of [
        new ImportLimitExceededError('x', 'y'),
        new TargetTableExistsError('t'),
        new ImportStartError('x'),
        new ImporterEventError('x', 'y'),
        new StreamBudgetExceededError('x'),
      ]) {
        expect(retried).not.toContain(e.name);
      }
    }
    // A Lambda service hiccup is retried: the run goes on.
    let calls = 0;
    const { outcome } = run(
      {
        mappingStates: ['Disabled'],
        importer: (e) => {
          if (e.action === 'start' && ++calls === 1) {
            return Object.assign(new Error('busy'), { name: 'Lambda.TooManyRequestsException' });
          }
          return e.action === 'start' ? started : described(true);
        },
      },
      'import',
    );
    expect(outcome.status).toBe('SUCCEEDED');
    expect(calls).toBe(2);
  });

  it('fails the run when the imports run past the stream budget', () => {
    const late = new StreamBudgetExceededError(
      "the import is past its stream budget: the export's time T0 is ...",
    );
    const { outcome } = run(
      { mappingStates: ['Disabled'], importer: importer(described(false), late) },
      'import',
    );
    expect(outcome).toMatchObject({ status: 'FAILED', error: 'ImportFailed' });
    expect(outcome.cause).toContain('StreamBudgetExceededError: the import is past its stream budget');
  });
});
