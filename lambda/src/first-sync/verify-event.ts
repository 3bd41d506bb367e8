import type { EventImage } from '../attribute-values.js';
import { VerifyEventError } from './errors.js';

/** Compare one export data file (from a line on) with every target. */
export interface VerifyFileEvent {
  readonly mode: 'file';
  readonly bucket: string;
  readonly key: string;
  readonly startLine: number;
  readonly reportPrefix: string;
  readonly repair: boolean;
}

/**
 * Find items present only in a target: one parallel-Scan segment of every target, target
 * after target; `targetIndex` and `lastEvaluatedKey` (wire form) say where to go on.
 */
export interface VerifySegmentEvent {
  readonly mode: 'segment';
  readonly bucket: string;
  readonly segment: number;
  readonly totalSegments: number;
  readonly reportPrefix: string;
  readonly repair: boolean;
  readonly targetIndex: number;
  readonly lastEvaluatedKey?: EventImage;
}

/** Add up the report objects under reportPrefix into <reportPrefix>/report.json. */
export interface VerifySummarizeEvent {
  readonly mode: 'summarize';
  readonly bucket: string;
  readonly reportPrefix: string;
}

export type VerifyEvent = VerifyFileEvent | VerifySegmentEvent | VerifySummarizeEvent;

/** What a file invocation returns: the state machine loops on `done` from `nextLine`. */
export interface VerifyFileResult {
  readonly key: string;
  readonly done: boolean;
  readonly nextLine: number;
  /** Keys compared by this invocation (with every target). */
  readonly compared: number;
  /** Differences counted by this invocation, over all targets. */
  readonly differences: number;
}

export interface VerifySegmentResult {
  readonly segment: number;
  readonly done: boolean;
  readonly targetIndex: number;
  /** Where to go on in target targetIndex; null from its start (the state machine needs the field). */
  readonly lastEvaluatedKey: EventImage | null;
  /** Target keys scanned by this invocation, over all targets. */
  readonly scanned: number;
  readonly onlyInTarget: number;
}

export interface VerifyTargetSummary {
  readonly target: string;
  readonly compared: number;
  readonly differing: number;
  readonly missingInTarget: number;
  readonly onlyInTarget: number;
  readonly repaired: number;
}

export interface VerifySummary {
  readonly targets: VerifyTargetSummary[];
  /** differing + missingInTarget + onlyInTarget over every target (before any repair). */
  readonly differences: number;
  /** s3://bucket/<reportPrefix>/report.json */
  readonly report: string;
}

// S3 bucket names: 3-63 of lower-case letters, digits, dots and hyphens.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Parallel Scan takes at most 1,000,000 segments. */
const MAX_SEGMENTS = 1_000_000;

/** Checks the event the state machine built; unknown fields are ignored. */
export function parseVerifyEvent(event: unknown): VerifyEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new VerifyEventError('(event)', 'must be an object with "mode": "file", "segment" or "summarize"');
  }
  const e = event as Record<string, unknown>;
  const bucket = text(e, 'bucket', (v) => BUCKET.test(v), 'an S3 bucket name');
  const reportPrefix = text(
    e,
    'reportPrefix',
    (v) => v !== '' && !v.startsWith('/') && !v.endsWith('/') && Buffer.byteLength(v) <= 900,
    'an S3 key prefix without leading or trailing "/" (1-900 bytes)',
  );
  switch (e.mode) {
    case 'file':
      return {
        mode: 'file',
        bucket,
        key: text(
          e,
          'key',
          (v) => v !== '' && Buffer.byteLength(v) <= 1024,
          'the S3 key of an export data file',
        ),
        startLine: whole(e, 'startLine', 0, Number.MAX_SAFE_INTEGER, 0),
        reportPrefix,
        repair: flag(e),
      };
    case 'segment': {
      const totalSegments = whole(e, 'totalSegments', 1, MAX_SEGMENTS);
      const lastEvaluatedKey = e.lastEvaluatedKey ?? undefined;
      if (
        lastEvaluatedKey !== undefined &&
        (typeof lastEvaluatedKey !== 'object' || Array.isArray(lastEvaluatedKey))
      ) {
        throw new VerifyEventError(
          'lastEvaluatedKey',
          'must be a key in DynamoDB JSON, as a segment invocation returned it',
        );
      }
      return {
        mode: 'segment',
        bucket,
        segment: whole(e, 'segment', 0, totalSegments - 1),
        totalSegments,
        reportPrefix,
        repair: flag(e),
        targetIndex: whole(e, 'targetIndex', 0, Number.MAX_SAFE_INTEGER, 0),
        ...(lastEvaluatedKey === undefined ? {} : { lastEvaluatedKey: lastEvaluatedKey as EventImage }),
      };
    }
    case 'summarize':
      return { mode: 'summarize', bucket, reportPrefix };
    default:
      throw new VerifyEventError(
        'mode',
        `must be "file", "segment" or "summarize", got ${JSON.stringify(e.mode) ?? 'undefined'}`,
      );
  }
}

function text(e: Record<string, unknown>, field: string, ok: (v: string) => boolean, what: string): string {
  const v = e[field];
  if (typeof v !== 'string' || !ok(v)) throw new VerifyEventError(field, `must be ${what}`);
  return v;
}

function whole(
  e: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
  fallback?: number,
): number {
  const v = e[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new VerifyEventError(
      field,
      `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v) ?? 'undefined'}`,
    );
  }
  return v;
}

function flag(e: Record<string, unknown>): boolean {
  const v = e.repair ?? false;
  if (typeof v !== 'boolean')
    throw new VerifyEventError('repair', `must be true or false, got ${JSON.stringify(v)}`);
  return v;
}
