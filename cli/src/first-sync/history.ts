/**
 * What the first sync's execution history says: the export it started (its ARN, from the
 * ExportTable task), the Map Runs of its load or verify (MapRunStarted) and the state of its
 * imports (from the Import* states' task results and outputs). Pure: takes GetExecutionHistory's
 * events.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ImportFacts } from './model.js';

export interface HistoryFacts {
  readonly exportArn?: string;
  /** The Map Runs in the order they started, each with its Map state's name. */
  readonly mapRuns: { readonly arn: string; readonly name?: string }[];
  readonly imports: ImportFacts[];
}

export function historyFacts(events: readonly HistoryEvent[]): HistoryFacts {
  let exportArn: string | undefined;
  const mapRuns: { arn: string; name?: string }[] = [];
  // The state the events belong to (the top-level states run one at a time).
  let state: string | undefined;
  const imports = new Map<string, ImportFacts>();
  for (const event of events) {
    const run = event.mapRunStartedEventDetails?.mapRunArn;
    if (run && !mapRuns.some((r) => r.arn === run))
      mapRuns.push({ arn: run, ...(state ? { name: state } : {}) });
    const task = event.taskSucceededEventDetails;
    if (task?.resource === 'exportTableToPointInTime') {
      const arn = (parse(task.output) as { ExportDescription?: { ExportArn?: unknown } })?.ExportDescription
        ?.ExportArn;
      if (typeof arn === 'string') exportArn = arn;
    }
    const entered = event.stateEnteredEventDetails?.name;
    if (entered) state = entered;
    // An importer task's own result, also when its state keeps nothing of it (ResultPath null).
    if (task && state?.startsWith('Import')) {
      for (const found of importsIn(parse(task.output))) merge(imports, found);
    }
    const exited = event.stateExitedEventDetails;
    if (!exited) continue;
    const output = parse(exited.output);
    const arn = (output as { export?: { arn?: unknown } } | undefined)?.export?.arn;
    if (typeof arn === 'string') exportArn = arn;
    // The import branch's states (named Import*) carry each import's description in their output.
    if (exited.name?.startsWith('Import')) {
      for (const found of importsIn(output)) merge(imports, found);
    }
  }
  return {
    ...(exportArn ? { exportArn } : {}),
    mapRuns,
    imports: [...imports.values()],
  };
}

interface FoundImport {
  /** The target (the importer's <account>/<region>/<table> label) or else the import's ARN. */
  readonly key: string;
  readonly table?: string;
  readonly status?: string;
  readonly items?: number;
  readonly failure?: string;
}

/** A later description of the same import adds to and overrides what an earlier one said. */
function merge(imports: Map<string, ImportFacts>, found: FoundImport): void {
  const before = imports.get(found.key);
  imports.set(found.key, {
    table: found.table ?? before?.table ?? found.key,
    status: found.status ?? before?.status ?? 'STARTED',
    ...((found.items ?? before?.items) !== undefined
      ? { items: (found.items ?? before?.items) as number }
      : {}),
    ...((found.failure ?? before?.failure) ? { failure: (found.failure ?? before?.failure) as string } : {}),
  });
}

/**
 * Every object describing an import: one with an import ARN (ImportTable, DescribeImport, the
 * importer's started imports) or a target with a status (the importer's description of each).
 */
function importsIn(value: unknown, found: FoundImport[] = []): FoundImport[] {
  if (Array.isArray(value)) {
    for (const v of value) importsIn(v, found);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const arn = str(pick(o, 'importArn'));
    const target = str(pick(o, 'target'));
    const status = str(pick(o, 'importStatus')) ?? str(pick(o, 'status'));
    if (arn || (target && status)) {
      const table = target ?? str(pick(o, 'tableName')) ?? tableOf(pick(o, 'tableArn')) ?? tableOf(arn);
      const items = pick(o, 'importedItemCount') ?? pick(o, 'imported');
      const failure = [str(pick(o, 'failureCode')), str(pick(o, 'failureMessage'))]
        .filter(Boolean)
        .join(': ');
      found.push({
        key: (target ?? arn) as string,
        ...(table ? { table } : {}),
        ...(status ? { status } : {}),
        ...(typeof items === 'number' ? { items } : {}),
        ...(failure ? { failure } : {}),
      });
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object') importsIn(v, found);
  }
  return found;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** o[name] in camelCase or PascalCase (SDK task outputs are PascalCase, Lambda outputs camelCase). */
function pick(o: Record<string, unknown>, name: string): unknown {
  return o[name] ?? o[name.charAt(0).toUpperCase() + name.slice(1)];
}

/** The table name in a table or import ARN (arn:aws:dynamodb:r:a:table/NAME[/import/ID]). */
function tableOf(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  return /:table\/([^/]+)/.exec(arn)?.[1];
}

function parse(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
