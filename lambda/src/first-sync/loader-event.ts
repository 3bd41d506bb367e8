import { LoaderEventError } from './errors.js';
import { parseExportTime } from './stream-budget.js';

/** One Distributed Map child's work: an export data file, from a line on. */
export interface LoaderEvent {
  readonly bucket: string;
  readonly key: string;
  /** Lines of the file already loaded by earlier invocations (0: from the start). */
  readonly startLine: number;
  /**
   * The export's time T0 (epoch ms) for the stream budget; undefined when the caller
   * (an older state machine) does not pass it, and then the budget is not checked.
   */
  readonly exportTime?: number;
}

/** What the state machine reads back: Choice on `done`, then invoke again from `nextLine`. */
export interface LoaderResult {
  readonly key: string;
  readonly done: boolean;
  readonly nextLine: number;
  /** Items written to every target by this invocation (lines startLine to nextLine). */
  readonly items: number;
  /** Uncompressed bytes of those lines, so a file's invocations add up to its size. */
  readonly bytes: number;
}

// S3 bucket names: 3-63 of lower-case letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks the event the state machine's ItemSelector (or the loop) built; unknown fields are ignored. */
export function parseLoaderEvent(event: unknown): LoaderEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new LoaderEventError(
      '(event)',
      'must be an object like {"bucket": "...", "key": "...", "startLine": 0}',
    );
  }
  const e = event as Record<string, unknown>;
  if (typeof e.bucket !== 'string' || !BUCKET.test(e.bucket)) {
    throw new LoaderEventError(
      'bucket',
      `must be an S3 bucket name, got ${JSON.stringify(e.bucket) ?? 'undefined'}`,
    );
  }
  if (typeof e.key !== 'string' || e.key === '' || Buffer.byteLength(e.key) > 1024) {
    throw new LoaderEventError('key', 'must be the S3 key of an export data file (1-1024 bytes)');
  }
  const startLine = e.startLine ?? 0;
  if (typeof startLine !== 'number' || !Number.isSafeInteger(startLine) || startLine < 0) {
    throw new LoaderEventError(
      'startLine',
      `must be a whole number of lines already loaded (0 or more), got ${JSON.stringify(startLine)}`,
    );
  }
  const exportTime = parseExportTime(e.exportTime, (detail) => new LoaderEventError('exportTime', detail));
  return { bucket: e.bucket, key: e.key, startLine, ...(exportTime === undefined ? {} : { exportTime }) };
}
