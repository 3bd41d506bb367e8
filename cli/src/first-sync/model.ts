/**
 * The first sync's progress as a user reads it, computed from what the Step Functions and
 * DynamoDB APIs answered (a Snapshot) and the time: no I/O here, so every figure (items per
 * second, ETA, the stream's 24-hour budget, whether a run is really done) is unit-tested.
 */

/** DynamoDB Streams keeps a record 24 hours: load and catch-up must end before T0 + 24 h. */
export const STREAM_RETENTION_MS = 24 * 3600 * 1000;

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

export interface ExecutionFacts {
  readonly arn: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly error?: string;
  readonly cause?: string;
  /** The execution input's action: "sync" or "verify". */
  readonly action?: string;
  readonly load?: string;
  /** The execution's output (JSON text) once it succeeded. */
  readonly output?: string;
}

export interface ExportFacts {
  readonly arn: string;
  /** IN_PROGRESS, COMPLETED or FAILED (DescribeExport). */
  readonly status?: string;
  /** T0: the point in time the export holds. */
  readonly exportTime?: Date;
  readonly itemCount?: number;
  readonly failure?: string;
}

/** DescribeMapRun's item counts (one item = one export data file). */
export interface FileCounts {
  readonly total: number;
  readonly pending: number;
  readonly running: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly aborted: number;
}

export interface FailedFile {
  /** The file as s3://bucket/key (from the child's input). */
  readonly key: string;
  /** The error and cause, as one line (e.g. "TargetRefusedError: target t@eu-west-1 refused ..."). */
  readonly reason: string;
}

export interface LoadFacts {
  readonly mapRunArn: string;
  /** The Map state that ran it (LoadDataFiles, VerifyFiles, VerifySegments, ...). */
  readonly name?: string;
  readonly status?: string;
  readonly startDate?: Date;
  readonly stopDate?: Date;
  readonly files: FileCounts;
  /** Items written by the finished files read so far (their children's outputs). */
  readonly itemsWritten: number;
  /** Finished files whose output has not been read yet (read a bounded number per refresh). */
  readonly filesUnread: number;
  readonly failedFiles: readonly FailedFile[];
}

export interface ImportFacts {
  readonly table: string;
  readonly status: string;
  readonly items?: number;
  readonly failure?: string;
}

export interface Snapshot {
  readonly execution: ExecutionFacts;
  readonly export?: ExportFacts;
  /** The first Map Run: one item per export data file. */
  readonly load?: LoadFacts;
  /** Map Runs after it (a verify's scan of the targets in segments). */
  readonly laterRuns?: readonly LoadFacts[];
  readonly imports: readonly ImportFacts[];
}

export type Outcome = 'running' | 'succeeded' | 'failed';

export interface ProgressView {
  readonly outcome: Outcome;
  /** A verify run: its files' items are compared, not written. */
  readonly verify: boolean;
  readonly phase: string;
  readonly executionStatus: string;
  readonly exportState?: string;
  readonly files?: { readonly done: number; readonly total: number; readonly failed: number };
  /** The later Map Runs' items, by Map state name. */
  readonly laterRuns: readonly {
    readonly name: string;
    readonly done: number;
    readonly total: number;
    readonly failed: number;
  }[];
  readonly itemsWritten?: number;
  /** True when finished files are still to be read, so itemsWritten is a lower bound. */
  readonly itemsPartial: boolean;
  readonly itemsTotal?: number;
  readonly itemsPerSecond?: number;
  readonly etaSeconds?: number;
  readonly budget?: {
    readonly t0: Date;
    readonly deadline: Date;
    readonly hoursLeft: number;
    /** The ETA ends after the stream has dropped records the catch-up needs. */
    readonly etaPastDeadline: boolean;
  };
  readonly failedFiles: readonly FailedFile[];
  readonly imports: readonly ImportFacts[];
  readonly error?: string;
  readonly cause?: string;
  /** Why a run is not done although its execution says SUCCEEDED (failed files, aborted ones). */
  readonly problems: readonly string[];
  readonly elapsedSeconds: number;
}

/** The view of `s` at time `now` (a stopped execution is seen at its stop time). */
export function progressView(s: Snapshot, now: Date): ProgressView {
  const ex = s.execution;
  const at = ex.stopDate ?? now;
  const load = s.load;
  const problems: string[] = [];
  const failedCount = load ? failedOf(load.files) : 0;
  const later = s.laterRuns ?? [];
  if (ex.status === 'SUCCEEDED') {
    // The execution's status alone is not trusted: a Map with a tolerated failure count, or a
    // local AWS, ends SUCCEEDED with files that were never loaded.
    for (const [i, run] of (load ? [load, ...later] : later).entries()) {
      const unit = i === 0 && run === load ? 'file' : `${run.name ?? 'Map Run'} item`;
      const f = run.files;
      if (f.failed > 0) problems.push(`${plural(f.failed, unit)} failed`);
      if (f.timedOut > 0) problems.push(`${plural(f.timedOut, unit)} timed out`);
      if (f.aborted > 0) problems.push(`${plural(f.aborted, unit)} aborted`);
      if (f.pending + f.running > 0) problems.push(`${plural(f.pending + f.running, unit)} not finished`);
    }
  }
  if (ex.status === 'SUCCEEDED') {
    for (const i of s.imports) {
      if (i.status !== 'COMPLETED') problems.push(`the import into ${i.table} is ${i.status}`);
    }
  }
  const outcome: Outcome =
    ex.status === 'RUNNING'
      ? 'running'
      : ex.status === 'SUCCEEDED' && problems.length === 0
        ? 'succeeded'
        : 'failed';

  const itemsTotal = s.export?.itemCount;
  const loadSeconds = load?.startDate
    ? Math.max(0, ((load.stopDate ?? at).getTime() - load.startDate.getTime()) / 1000)
    : 0;
  const itemsPerSecond = load && loadSeconds > 0 ? load.itemsWritten / loadSeconds : undefined;
  const etaSeconds = outcome === 'running' && load ? eta(load, loadSeconds, itemsTotal) : undefined;

  // Only a sync waits on the stream: a verify leaves the mapping running, with nothing to catch up.
  const t0 = ex.action === 'verify' ? undefined : s.export?.exportTime;
  const budget = t0
    ? (() => {
        const deadline = new Date(t0.getTime() + STREAM_RETENTION_MS);
        return {
          t0,
          deadline,
          hoursLeft: (deadline.getTime() - at.getTime()) / 3_600_000,
          etaPastDeadline: etaSeconds !== undefined && at.getTime() + etaSeconds * 1000 > deadline.getTime(),
        };
      })()
    : undefined;

  return {
    outcome,
    verify: ex.action === 'verify',
    phase: phaseOf(s, outcome),
    executionStatus: ex.status,
    ...(s.export ? { exportState: s.export.status ?? 'STARTING' } : {}),
    ...(load
      ? {
          files: {
            done: load.files.succeeded,
            total: load.files.total,
            failed: failedCount,
          },
          itemsWritten: load.itemsWritten,
        }
      : {}),
    laterRuns: later.map((r) => ({
      name: r.name ?? 'Map Run',
      done: r.files.succeeded,
      total: r.files.total,
      failed: failedOf(r.files),
    })),
    itemsPartial: (load?.filesUnread ?? 0) > 0,
    ...(itemsTotal !== undefined ? { itemsTotal } : {}),
    ...(itemsPerSecond !== undefined ? { itemsPerSecond } : {}),
    ...(etaSeconds !== undefined ? { etaSeconds } : {}),
    ...(budget ? { budget } : {}),
    failedFiles: [...(load?.failedFiles ?? []), ...later.flatMap((r) => r.failedFiles)],
    imports: s.imports,
    ...(ex.error ? { error: ex.error } : {}),
    ...(ex.cause ? { cause: ex.cause } : {}),
    problems,
    elapsedSeconds: Math.max(0, (at.getTime() - ex.startDate.getTime()) / 1000),
  };
}

/**
 * Seconds to the end of the load: from the items left at the rate so far when the export's
 * item count is known and items have been counted, else from the files left at the rate of
 * files so far (a run's first files may all be still running: no estimate yet).
 */
function eta(load: LoadFacts, seconds: number, itemsTotal: number | undefined): number | undefined {
  if (seconds <= 0) return undefined;
  if (itemsTotal !== undefined && load.itemsWritten > 0 && load.filesUnread === 0) {
    const rate = load.itemsWritten / seconds;
    return Math.max(0, (itemsTotal - load.itemsWritten) / rate);
  }
  const done = load.files.succeeded;
  if (done === 0) return undefined;
  return Math.max(0, ((load.files.total - done) * seconds) / done);
}

function phaseOf(s: Snapshot, outcome: Outcome): string {
  if (outcome === 'succeeded') return 'done';
  if (outcome === 'failed') return 'failed';
  const verify = s.execution.action === 'verify';
  if (s.load) return verify ? 'verifying' : 'loading';
  if (s.imports.length > 0) return 'importing';
  if (s.export?.status === 'COMPLETED') {
    if (verify) return 'verifying';
    return s.execution.load === 'import' ? 'importing' : 'loading';
  }
  if (s.export) return 'exporting';
  return 'starting';
}

function failedOf(f: FileCounts): number {
  return f.failed + f.timedOut + f.aborted;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A cause with a Lambda function's error inside it (the state machine's Catch formats the
 * caught cause, the function's {"errorType","errorMessage","trace"}, into a sentence of its
 * own): the error's message in place of the JSON, so that what to do is read, not a stack.
 */
export function readableCause(cause: string): string {
  const start = cause.search(/\{\s*"error(Type|Message)"/);
  if (start < 0) return cause;
  // The object ends at one of the closing braces after it: the first that parses.
  for (let end = cause.indexOf('}', start); end >= 0; end = cause.indexOf('}', end + 1)) {
    let parsed: { errorMessage?: unknown };
    try {
      parsed = JSON.parse(cause.slice(start, end + 1)) as { errorMessage?: unknown };
    } catch {
      continue;
    }
    if (typeof parsed.errorMessage !== 'string') return cause;
    return cause.slice(0, start) + parsed.errorMessage + readableCause(cause.slice(end + 1));
  }
  return cause;
}

/**
 * A failed file's reason in one line. A Lambda task's cause is the function's error as JSON
 * ({"errorType","errorMessage","trace"}); anything else is shown as it is.
 */
export function failureReason(error: string | undefined, cause: string | undefined): string {
  let text = cause ?? '';
  try {
    const parsed = JSON.parse(cause ?? '') as { errorType?: unknown; errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') {
      const type = typeof parsed.errorType === 'string' ? parsed.errorType : error;
      return `${type ? `${type}: ` : ''}${oneLine(parsed.errorMessage)}`;
    }
  } catch {
    text = cause ?? '';
  }
  return [error, oneLine(text)].filter((t) => t).join(': ') || 'no reason given';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
