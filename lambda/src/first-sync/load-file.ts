import { type BatchWriteResult, MAX_ITEMS_PER_BATCH, type WriteEntry } from '../batch-writer.js';
import { TargetWriteError } from '../errors.js';
import type { TargetWriter } from '../target-writer.js';
import { TokenBucket } from '../token-bucket.js';
import { ExportLineError, ExportReadError, LoadStalledError, TargetRefusedError } from './errors.js';
import { exportLineEntry } from './export-item.js';
import { exportLines, MAX_LINE_BYTES } from './export-lines.js';
import { putWriteUnits } from './write-units.js';

export interface LoadSettings {
  /** Names the file in errors and logs, e.g. s3://bucket/key. */
  readonly file: string;
  /** Lines already loaded; they are read and passed over. */
  readonly startLine: number;
  readonly keyNames: readonly string[];
  readonly excludeAttributes: ReadonlySet<string>;
  /** BatchWriteItem requests (of up to 25 items) in flight per target. */
  readonly concurrency: number;
  /** Write capacity units per second per target; undefined: no cap. */
  readonly writeCapacity?: number;
  /** Request bytes in flight at most, whatever the item count (default MAX_IN_FLIGHT_BYTES). */
  readonly maxInFlightBytes?: number;
  readonly maxLineBytes?: number;
}

export interface LoadTiming {
  /** No batch is sent after this time (epoch ms); what is in flight is then waited for. */
  readonly stopAt: number;
  /** Writes unfinished at this time give up (writeBatches' deadline). */
  readonly deadline: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export interface LoadOutcome {
  /** True when every line of the file from startLine on is on every target. */
  readonly done: boolean;
  /** Every line before it is on every target; the next invocation starts here. */
  readonly nextLine: number;
  /** Items (lines) from startLine to nextLine, each written to every target. */
  readonly items: number;
  /** Uncompressed bytes of those lines. */
  readonly bytes: number;
  /** BatchWriteItem requests sent, over all targets, and how many of them were retries. */
  readonly requests: number;
  readonly retries: number;
  /** Why it stopped before the end of the file, when it did. */
  readonly stoppedBy?: 'deadline' | 'read error';
  /** The read error it stopped at, when that was the reason. */
  readonly readError?: string;
}

/**
 * 32 MB of request bodies in flight at most: a few hundred ordinary items are far below
 * it; 400 KB items are held to about eighty. With the lines, parsed items and bodies that
 * is about 100 MB of memory, whatever the items' size.
 */
export const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;

/** Consecutive lines sent together to every target, and what became of them. */
interface Batch {
  /** Index of its first line, and of the line after its last. */
  readonly first: number;
  end: number;
  entries: WriteEntry[];
  units: number;
  requestBytes: number;
  lineBytes: number;
  state: 'open' | 'sending' | 'written' | 'unwritten';
}

interface Refusal {
  readonly target: string;
  readonly index: number;
  readonly detail: string;
}

/**
 * Loads one export data file's lines into every target: each line becomes a put (see
 * exportLineEntry), lines go in batches of up to 25 through each target's writer, with
 * `concurrency` batches in flight and the next line read only when a batch can go (so
 * memory stays bounded whatever the file's size). WRITE_CAPACITY paces the batches.
 *
 * A line counts as loaded when every target has accepted it and every line before it;
 * `nextLine` is the first line that is not, so an invocation stopped by its deadline
 * leaves nothing behind it unwritten, and the next one starts there. Lines after it may
 * have been written already; writing them again puts the same item.
 *
 * Fails (after the writes in flight have settled) with ExportLineError for a line that is
 * not an item, TargetRefusedError when a target refuses a write for good, ExportReadError
 * when the file cannot be read before anything was written, and LoadStalledError when the
 * deadline came before any line was written everywhere.
 */
export async function loadLines(
  source: AsyncIterable<Uint8Array>,
  settings: LoadSettings,
  writers: readonly TargetWriter[],
  timing: LoadTiming,
): Promise<LoadOutcome> {
  const { file, keyNames, excludeAttributes } = settings;
  const maxInFlightBytes = settings.maxInFlightBytes ?? MAX_IN_FLIGHT_BYTES;
  // A batch takes at most one second of the capacity (or one item), so no wait is longer.
  const maxBatchUnits = settings.writeCapacity ?? Number.POSITIVE_INFINITY;
  const bucket = new TokenBucket(settings.writeCapacity, timing.now, timing.sleep);

  // Batches not yet counted, in line order; the front ones are counted once written.
  const pending: Batch[] = [];
  const inFlight = new Set<Promise<void>>();
  let inFlightBytes = 0;
  let nextLine = settings.startLine;
  let items = 0;
  let bytes = 0;
  let requests = 0;
  let retries = 0;
  let refusal: Refusal | undefined;
  let deadlineError: TargetWriteError | undefined;

  const stopping = () =>
    refusal !== undefined || deadlineError !== undefined || timing.now() >= timing.stopAt;

  const count = () => {
    while (pending[0]?.state === 'written') {
      const b = pending.shift() as Batch;
      items += b.end - b.first;
      bytes += b.lineBytes;
      nextLine = b.end;
    }
  };

  const settle = (batch: Batch, results: BatchWriteResult[]) => {
    let written = true;
    results.forEach((result, t) => {
      requests += result.requests;
      retries += result.retries;
      for (const [i, error] of result.failed) {
        written = false;
        if (error instanceof TargetWriteError && error.code === 'DeadlineExceeded') {
          deadlineError ??= error;
          continue;
        }
        const index = batch.first + i;
        if (refusal === undefined || index < refusal.index) {
          refusal = { target: (writers[t] as TargetWriter).id, index, detail: error.message };
        }
      }
    });
    batch.state = written ? 'written' : 'unwritten';
    batch.entries = [];
    count();
  };

  const writeOptions = {
    deadline: timing.deadline,
    concurrency: 1,
    now: timing.now,
    sleep: timing.sleep,
    ...(timing.random ? { random: timing.random } : {}),
  };
  /** Sends a batch to every target once there is room for it; false when it is too late to. */
  const send = async (batch: Batch): Promise<boolean> => {
    while (
      inFlight.size >= settings.concurrency ||
      (inFlight.size > 0 && inFlightBytes + batch.requestBytes > maxInFlightBytes)
    ) {
      await Promise.race(inFlight);
    }
    await bucket.take(batch.units);
    if (stopping()) {
      batch.state = 'unwritten';
      return false;
    }
    batch.state = 'sending';
    const size = batch.requestBytes;
    inFlightBytes += size;
    const writes = writers.map((w) =>
      w.write(batch.entries, writeOptions).catch((err: unknown) => failedResult(batch.entries.length, err)),
    );
    const done = Promise.all(writes).then((results) => {
      inFlightBytes -= size;
      inFlight.delete(done);
      settle(batch, results);
    });
    inFlight.add(done);
    return true;
  };

  /** Reads lines into batches and sends them; true when it read to the end of the file. */
  const readAll = async (): Promise<boolean> => {
    let open: Batch | undefined;
    const lines = exportLines(source, {
      skip: settings.startLine,
      maxLineBytes: settings.maxLineBytes ?? MAX_LINE_BYTES,
      file,
    });
    for await (const line of lines) {
      if (stopping()) return false;
      const entry = exportLineEntry(line.text, keyNames, excludeAttributes, { file, line: line.index + 1 });
      const units =
        settings.writeCapacity === undefined ? 0 : putWriteUnits(entry.request.PutRequest?.Item ?? {});
      if (
        open !== undefined &&
        (open.entries.length === MAX_ITEMS_PER_BATCH || open.units + units > maxBatchUnits)
      ) {
        const sent = await send(open);
        open = undefined;
        if (!sent) return false;
      }
      if (open === undefined) {
        open = {
          first: line.index,
          end: line.index,
          entries: [],
          units: 0,
          requestBytes: 0,
          lineBytes: 0,
          state: 'open',
        };
        pending.push(open);
      }
      open.entries.push(entry);
      open.end = line.index + 1;
      open.units += units;
      open.requestBytes += entry.bytes;
      open.lineBytes += line.bytes;
    }
    if (open !== undefined) await send(open);
    return true;
  };

  let reachedEnd = false;
  let lineError: ExportLineError | undefined;
  let readError: unknown;
  try {
    reachedEnd = await readAll();
  } catch (err) {
    if (err instanceof ExportLineError) lineError = err;
    else readError = err;
  }
  // Nothing is left running when the invocation returns: Lambda would freeze it mid-write.
  await Promise.all([...inFlight]);
  // An open batch that was never sent (stopped, or an error while reading) stays unwritten.
  for (const b of pending) if (b.state === 'open') b.state = 'unwritten';
  count();

  if (lineError) throw lineError;
  if (refusal) {
    throw new TargetRefusedError(refusal.target, file, refusal.index + 1, refusal.detail);
  }
  const done = reachedEnd && readError === undefined && pending.length === 0;
  const outcome = { nextLine, items, bytes, requests, retries };
  if (done) return { done, ...outcome };
  const readDetail = readError === undefined ? undefined : describeReadError(readError);
  if (items === 0) {
    if (readDetail !== undefined) throw new ExportReadError(file, readDetail);
    throw new LoadStalledError(
      deadlineError
        ? `${file}: no line from ${settings.startLine} on was written to every target before the invocation's deadline; ` +
            `the last write gave up with ${deadlineError.message}. Is the target's capacity (or WRITE_CAPACITY) far too low?`
        : `${file}: the invocation had no time left to write anything from line ${settings.startLine + 1} on; give the loader a longer timeout`,
    );
  }
  return readDetail === undefined
    ? { done, ...outcome, stoppedBy: 'deadline' }
    : { done, ...outcome, stoppedBy: 'read error', readError: readDetail };
}

/** A writer that threw (writeBatches never does) failed every entry it was given. */
function failedResult(count: number, err: unknown): BatchWriteResult {
  const error = err instanceof Error ? err : new Error(String(err));
  return { failed: new Map(Array.from({ length: count }, (_, i) => [i, error])), requests: 0, retries: 0 };
}

function describeReadError(err: unknown): string {
  if (err instanceof ExportReadError) return err.detail;
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return `${e.name}${typeof code === 'string' ? ` ${code}` : ''}: ${e.message}`;
}
