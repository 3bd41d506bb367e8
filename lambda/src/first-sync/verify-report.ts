import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { EventImage } from '../attribute-values.js';
import { VerifyReportError } from './errors.js';
import type { TargetTally } from './verify-compare.js';
import type { VerifyTargetSummary } from './verify-event.js';

/** Where report objects go and come from. Injectable: tests keep them in memory. */
export interface ReportStore {
  put(key: string, body: string): Promise<void>;
  /** Keys under the prefix, in S3's (lexicographic) order. */
  list(prefix: string): Promise<string[]>;
  get(key: string): Promise<string>;
}

export function s3ReportStore(s3: S3Client, bucket: string): ReportStore {
  const fail = (what: string, key: string, err: unknown) => {
    const e = err as Error;
    return new VerifyReportError(`${what} s3://${bucket}/${key} failed: ${e.name}: ${e.message}`, {
      cause: err,
    });
  };
  return {
    async put(key, body) {
      try {
        await s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
        );
      } catch (err) {
        throw fail('PutObject', key, err);
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      try {
        for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
          for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        }
      } catch (err) {
        throw fail('ListObjectsV2', prefix, err);
      }
      return keys;
    },
    async get(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await out.Body?.transformToString('utf8')) ?? '';
      } catch (err) {
        throw fail('GetObject', key, err);
      }
    },
  };
}

/** One invocation's findings for one target. Keys in DynamoDB JSON (binaries base64); never contents. */
export interface PartTarget {
  readonly target: string;
  readonly compared: number;
  readonly differing: EventImage[];
  readonly missing: EventImage[];
  readonly onlyInTarget: EventImage[];
  /** Differences gone on the re-check (changes being replicated) and sources still changing. */
  readonly settledOnRecheck: number;
  readonly changingOnRecheck: number;
  readonly repaired?: number;
  readonly repairErrors?: string[];
}

/** A report part: what one file or segment invocation found. */
export interface ReportPart {
  readonly kind: 'file' | 'segment';
  /** The file (s3://...) and its lines, or the segment and target scanned. */
  readonly source: string;
  readonly targets: PartTarget[];
}

export const PARTS = 'parts';

/**
 * The part's key. A file part is named after the file and its first line, a segment part
 * after the segment, target and start key: an invocation retried over the same range
 * writes the same object again instead of counting twice.
 */
export function partKey(reportPrefix: string, name: string): string {
  return `${reportPrefix}/${PARTS}/${name}.json`;
}

export function filePartName(fileKey: string, startLine: number): string {
  const base = fileKey.split('/').pop() ?? fileKey;
  return `file-${base.replace(/[^\w.-]/g, '_')}-${startLine}`;
}

export function segmentPartName(
  segment: number,
  totalSegments: number,
  targetIndex: number,
  start: EventImage | undefined,
): string {
  const from = start
    ? createHash('sha256').update(JSON.stringify(start)).digest('hex').slice(0, 16)
    : 'start';
  return `segment-${segment}-of-${totalSegments}-target-${targetIndex}-${from}`;
}

export function partTarget(label: string, tally: TargetTally, repair: boolean): PartTarget {
  return {
    target: label,
    compared: tally.compared,
    differing: tally.differing,
    missing: tally.missing,
    onlyInTarget: tally.onlyInTarget,
    settledOnRecheck: tally.settled,
    changingOnRecheck: tally.changing,
    ...(repair ? { repaired: tally.repaired, repairErrors: tally.repairErrors } : {}),
  };
}

const PARALLEL_READS = 32;

/** Keys listed per kind and target in report.json; the parts hold them all. */
export const MAX_REPORT_KEYS = 100_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface TargetReport extends Mutable<VerifyTargetSummary> {
  scannedInTarget: number;
  settledOnRecheck: number;
  changingOnRecheck: number;
  repairErrors: string[];
  differingKeys: EventImage[];
  missingKeys: EventImage[];
  onlyInTargetKeys: EventImage[];
  /** Set when more keys differ than report.json lists (MAX_REPORT_KEYS per kind). */
  keysTruncated?: boolean;
}

/**
 * Adds up the parts under the prefix into report.json: per target the counts and the
 * differing, missing and only-in-target keys. Targets with no part (nothing to compare)
 * are listed with zeros, so every configured target is in the report.
 */
export async function summarizeParts(
  store: ReportStore,
  reportPrefix: string,
  labels: readonly string[],
  createdAt: string,
): Promise<{ targets: TargetReport[]; report: object; reportKey: string }> {
  const byLabel = new Map<string, TargetReport>();
  for (const target of labels) byLabel.set(target, blank(target));
  const keys = await store.list(`${reportPrefix}/${PARTS}/`);
  let files = 0;
  let segments = 0;
  // Parts are read PARALLEL_READS at a time: a large table has tens of thousands of them.
  const read = async (key: string): Promise<ReportPart> => {
    try {
      return JSON.parse(await store.get(key)) as ReportPart;
    } catch (err) {
      if (err instanceof VerifyReportError) throw err;
      throw new VerifyReportError(`report part ${key} is not JSON: ${(err as Error).message}`);
    }
  };
  // Added up chunk by chunk: only a chunk's parts are held at once, whatever the run's size.
  const add = (part: ReportPart) => {
    if (part.kind === 'file') files++;
    else segments++;
    for (const p of part.targets) {
      let t = byLabel.get(p.target);
      if (!t) {
        t = blank(p.target);
        byLabel.set(p.target, t);
      }
      if (part.kind === 'file') t.compared += p.compared;
      else t.scannedInTarget += p.compared;
      t.differing += p.differing.length;
      t.missingInTarget += p.missing.length;
      t.onlyInTarget += p.onlyInTarget.length;
      t.settledOnRecheck += p.settledOnRecheck;
      t.changingOnRecheck += p.changingOnRecheck;
      t.repaired += p.repaired ?? 0;
      for (const e of p.repairErrors ?? []) if (!t.repairErrors.includes(e)) t.repairErrors.push(e);
      const cut = [
        append(t.differingKeys, p.differing),
        append(t.missingKeys, p.missing),
        append(t.onlyInTargetKeys, p.onlyInTarget),
      ];
      if (cut.includes(true)) t.keysTruncated = true;
    }
  };
  for (let i = 0; i < keys.length; i += PARALLEL_READS) {
    for (const part of await Promise.all(keys.slice(i, i + PARALLEL_READS).map(read))) add(part);
  }
  const targets = [...byLabel.values()];
  const reportKey = `${reportPrefix}/report.json`;
  const report = {
    createdAt,
    reportPrefix,
    parts: { files, segments },
    differences: targets.reduce((n, t) => n + t.differing + t.missingInTarget + t.onlyInTarget, 0),
    targets,
  };
  await store.put(reportKey, `${JSON.stringify(report, null, 1)}\n`);
  return { targets, report, reportKey };
}

function blank(target: string): TargetReport {
  return {
    target,
    compared: 0,
    differing: 0,
    missingInTarget: 0,
    onlyInTarget: 0,
    repaired: 0,
    scannedInTarget: 0,
    settledOnRecheck: 0,
    changingOnRecheck: 0,
    repairErrors: [],
    differingKeys: [],
    missingKeys: [],
    onlyInTargetKeys: [],
  };
}

/** Appends up to MAX_REPORT_KEYS in all; true when some did not fit. */
function append(into: EventImage[], keys: readonly EventImage[]): boolean {
  const room = MAX_REPORT_KEYS - into.length;
  into.push(...keys.slice(0, Math.max(0, room)));
  return keys.length > room;
}
