/**
 * What the first sync's execution history says: the export it started (its ARN, from the
 * ExportTable task), the Map Run of its load or verify (MapRunStarted) and the state of its
 * imports (from the Import* states' task results and outputs). Pure: takes GetExecutionHistory's
 * events.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ImportFacts } from './model.js';

export interface HistoryFacts {
  readonly exportArn?: string;
  /** The latest Map Run (one per execution: the load's or the verify's). */
  readonly mapRunArn?: string;
  readonly imports: ImportFacts[];
}

export function historyFacts(events: readonly HistoryEvent[]): HistoryFacts {
  let exportArn: string | undefined;
  let mapRunArn: string | undefined;
  // The state the events belong to (the top-level states run one at a time).
  let state: string | undefined;
  const imports = new Map<string, ImportFacts>();
  for (const event of events) {
    mapRunArn = event.mapRunStartedEventDetails?.mapRunArn ?? mapRunArn;
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
      for (const found of importsIn(parse(task.output))) imports.set(found.arn, found.facts);
    }
    const exited = event.stateExitedEventDetails;
    if (!exited) continue;
    const output = parse(exited.output);
    const arn = (output as { export?: { arn?: unknown } } | undefined)?.export?.arn;
    if (typeof arn === 'string') exportArn = arn;
    // The import branch's states (named Import*) carry each import's description in their output.
    if (exited.name?.startsWith('Import')) {
      for (const found of importsIn(output)) imports.set(found.arn, found.facts);
    }
  }
  return {
    ...(exportArn ? { exportArn } : {}),
    ...(mapRunArn ? { mapRunArn } : {}),
    imports: [...imports.values()],
  };
}

/** Every object holding an import ARN, as ImportTable/DescribeImport or the importer describe it. */
function importsIn(value: unknown, found: { arn: string; facts: ImportFacts }[] = []) {
  if (Array.isArray(value)) {
    for (const v of value) importsIn(v, found);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const arn = pick(o, 'importArn');
    if (typeof arn === 'string') {
      const status = pick(o, 'importStatus') ?? pick(o, 'status');
      const table =
        pick(o, 'tableName') ?? pick(o, 'table') ?? pick(o, 'target') ?? tableOf(pick(o, 'tableArn'));
      const items = pick(o, 'importedItemCount');
      const failure = pick(o, 'failureMessage') ?? pick(o, 'failureCode');
      found.push({
        arn,
        facts: {
          table: typeof table === 'string' ? table : (tableOf(arn) ?? arn),
          status: typeof status === 'string' ? status : 'UNKNOWN',
          ...(typeof items === 'number' ? { items } : {}),
          ...(typeof failure === 'string' ? { failure } : {}),
        },
      });
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object') importsIn(v, found);
  }
  return found;
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
