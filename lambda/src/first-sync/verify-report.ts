import { createHash } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { EventImage } from '../attribute-values.js';
import { VerifyReportError } from './errors.js';
import type { TargetTally } from './verify-compare.js';
import type { VerifyTargetSummary } from './verify-event.js';

/** Where report objects go and come from. Injectable: tests keep them in memory. */
export interface ReportStore {
  put(key: string, body: string): Promise<void>;
  /** Writes the object only if there is none at the key yet; false when there was (the first write wins). */
  create(key: string, body: string): Promise<boolean>;
  /** The object's text, or undefined when there is none. */
  find(key: string): Promise<string | undefined>;
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
    async create(key, body) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            IfNoneMatch: '*',
          }),
        );
        return true;
      } catch (err) {
        // 412: the object exists. 409: another conditional write of it is under way; it wins.
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412 || status === 409 || (err as Error).name === 'PreconditionFailed') return false;
        throw fail('PutObject', key, err);
      }
    },
    async find(key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await out.Body?.transformToString('utf8')) ?? '';
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404 || (err as Error).name === 'NoSuchKey') return undefined;
        throw fail('GetObject', key, err);
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

/** Where an invocation stopped: what it returned, so that a retry can return it again. */
export type PartProgress =
  | { readonly kind: 'file'; readonly startLine: number; readonly nextLine: number; readonly done: boolean }
  | {
      readonly kind: 'segment';
      readonly targetIndex: number;
      readonly done: boolean;
      readonly lastEvaluatedKey: EventImage | null;
    };

/** A report part: what one file or segment invocation found. */
export interface ReportPart {
  readonly kind: 'file' | 'segment';
  /** The file (s3://...) and its lines, or the segment and target scanned. */
  readonly source: string;
  readonly progress: PartProgress;
  readonly targets: PartTarget[];
}

/** A part's counts without its keys: a few hundred bytes, whatever the part holds. */
export interface PartTargetCounts {
  readonly target: string;
  readonly compared: number;
  readonly differing: number;
  readonly missing: number;
  readonly onlyInTarget: number;
  readonly settledOnRecheck: number;
  readonly changingOnRecheck: number;
  readonly repaired?: number;
  readonly repairErrors?: string[];
}

export interface PartCounts {
  readonly kind: 'file' | 'segment';
  readonly source: string;
  readonly progress: PartProgress;
  readonly targets: PartTargetCounts[];
}

export const PARTS = 'parts';
/** Each part's counts, beside it: summarize adds these up and reads keys only for the report's lists. */
export const COUNTS = 'counts';

/**
 * The part's key. A file part is named after the file and its first line, a segment part
 * after the segment, target and start key: an invocation retried over the same range
 * finds its part and returns what it recorded (the first write wins), instead of counting
 * again what it repaired the first time.
 */
export function partKey(reportPrefix: string, name: string): string {
  return `${reportPrefix}/${PARTS}/${name}.json`;
}

export function countsKey(reportPrefix: string, name: string): string {
  return `${reportPrefix}/${COUNTS}/${name}.json`;
}

export function countsOf(part: ReportPart): PartCounts {
  return {
    kind: part.kind,
    source: part.source,
    progress: part.progress,
    targets: part.targets.map((t) => ({
      target: t.target,
      compared: t.compared,
      differing: t.differing.length,
      missing: t.missing.length,
      onlyInTarget: t.onlyInTarget.length,
      settledOnRecheck: t.settledOnRecheck,
      changingOnRecheck: t.changingOnRecheck,
      ...(t.repaired === undefined ? {} : { repaired: t.repaired, repairErrors: t.repairErrors ?? [] }),
    })),
  };
}

function parse<T>(key: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new VerifyReportError(`report object ${key} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * What an earlier invocation over the same range recorded, if one did: its counts, or,
 * when it stopped between writing the part and its counts, the counts made from the part
 * (and written now).
 */
export async function recordedPart(
  store: ReportStore,
  reportPrefix: string,
  name: string,
): Promise<PartCounts | undefined> {
  const counts = await store.find(countsKey(reportPrefix, name));
  if (counts !== undefined) return parse<PartCounts>(countsKey(reportPrefix, name), counts);
  const part = await store.find(partKey(reportPrefix, name));
  if (part === undefined) return undefined;
  const made = countsOf(parse<ReportPart>(partKey(reportPrefix, name), part));
  await store.create(countsKey(reportPrefix, name), JSON.stringify(made));
  return made;
}

/**
 * Writes the part, then its counts, each only if absent: the first invocation to record a
 * range wins, and a later one (a retry racing it) gets the winner's counts back.
 */
export async function recordPart(
  store: ReportStore,
  reportPrefix: string,
  name: string,
  part: ReportPart,
): Promise<PartCounts> {
  if (!(await store.create(partKey(reportPrefix, name), JSON.stringify(part)))) {
    const first = await recordedPart(store, reportPrefix, name);
    if (first === undefined) {
      throw new VerifyReportError(
        `report part ${partKey(reportPrefix, name)} was being written and is not there`,
      );
    }
    return first;
  }
  const counts = countsOf(part);
  await store.create(countsKey(reportPrefix, name), JSON.stringify(counts));
  return counts;
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

/** Report parts (up to ~3 MB each) read at once. */
const PARALLEL_READS = 32;
/** Counts objects (a few hundred bytes each) read at once. */
const PARALLEL_COUNT_READS = 64;

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
  /** Set when more keys differ than report.json lists (maxKeys per kind). */
  keysTruncated?: boolean;
}

const KINDS = [
  ['differing', 'differingKeys'],
  ['missing', 'missingKeys'],
  ['onlyInTarget', 'onlyInTargetKeys'],
] as const;

/**
 * Adds up the parts under the prefix into report.json: per target the counts and up to
 * `maxKeys` differing, missing and only-in-target keys each. The counts come from the small
 * counts objects only; a part (its keys) is read only while it has keys for a list not yet
 * full, so a run where everything differs reads a few parts, not terabytes of keys.
 * Targets with no part (nothing to compare) are listed with zeros, so every configured
 * target is in the report.
 */
export async function summarizeParts(
  store: ReportStore,
  reportPrefix: string,
  labels: readonly string[],
  createdAt: string,
  maxKeys = MAX_REPORT_KEYS,
): Promise<{ targets: TargetReport[]; report: object; reportKey: string; partsRead: number }> {
  const byLabel = new Map<string, TargetReport>();
  const get = (label: string) => {
    let t = byLabel.get(label);
    if (!t) {
      t = blank(label);
      byLabel.set(label, t);
    }
    return t;
  };
  for (const target of labels) get(target);
  const partsPrefix = `${reportPrefix}/${PARTS}/`;
  const countsPrefix = `${reportPrefix}/${COUNTS}/`;
  const [partKeys, countKeys] = await Promise.all([store.list(partsPrefix), store.list(countsPrefix)]);
  const counted = new Set(countKeys.map((k) => k.slice(countsPrefix.length)));
  const read = async <T>(key: string): Promise<T> => parse<T>(key, await store.get(key));
  let files = 0;
  let segments = 0;
  // Per part with keys: its key counts per target, to pick the parts the lists need.
  const withKeys: { key: string; counts: PartTargetCounts[] }[] = [];
  const add = (partKeyName: string, c: PartCounts) => {
    if (c.kind === 'file') files++;
    else segments++;
    for (const p of c.targets) {
      const t = get(p.target);
      if (c.kind === 'file') t.compared += p.compared;
      else t.scannedInTarget += p.compared;
      t.differing += p.differing;
      t.missingInTarget += p.missing;
      t.onlyInTarget += p.onlyInTarget;
      t.settledOnRecheck += p.settledOnRecheck;
      t.changingOnRecheck += p.changingOnRecheck;
      t.repaired += p.repaired ?? 0;
      for (const e of p.repairErrors ?? []) if (!t.repairErrors.includes(e)) t.repairErrors.push(e);
    }
    if (c.targets.some((p) => p.differing + p.missing + p.onlyInTarget > 0)) {
      withKeys.push({ key: partKeyName, counts: c.targets });
    }
  };
  // Parts whose counts were never written (an invocation cut between its two writes and
  // not retried) are counted from the part itself.
  const sources = partKeys.map((key) => {
    const name = key.slice(partsPrefix.length);
    return counted.has(name)
      ? { key, counts: () => read<PartCounts>(`${countsPrefix}${name}`) }
      : { key, counts: async () => countsOf(await read<ReportPart>(key)) };
  });
  for (let i = 0; i < sources.length; i += PARALLEL_COUNT_READS) {
    const chunk = sources.slice(i, i + PARALLEL_COUNT_READS);
    const counts = await Promise.all(chunk.map((s) => s.counts()));
    counts.forEach((c, j) => {
      add((chunk[j] as (typeof chunk)[number]).key, c);
    });
  }
  // The parts the lists need, in order: each brings keys to a list not yet full.
  const planned = new Map<string, number>();
  const needed = withKeys.filter(({ counts }) => {
    let useful = false;
    for (const p of counts) {
      for (const [kind] of KINDS) {
        const slot = `${kind} ${p.target}`;
        const have = planned.get(slot) ?? 0;
        if (p[kind] > 0 && have < maxKeys) {
          useful = true;
          planned.set(slot, have + p[kind]);
        }
      }
    }
    return useful;
  });
  for (let i = 0; i < needed.length; i += PARALLEL_READS) {
    const parts = await Promise.all(needed.slice(i, i + PARALLEL_READS).map((n) => read<ReportPart>(n.key)));
    for (const part of parts) {
      for (const p of part.targets) {
        const t = get(p.target);
        for (const [kind, list] of KINDS) append(t[list], p[kind], maxKeys);
      }
    }
  }
  for (const t of byLabel.values()) {
    if (t.differing > maxKeys || t.missingInTarget > maxKeys || t.onlyInTarget > maxKeys)
      t.keysTruncated = true;
  }
  const targets = [...byLabel.values()];
  const reportKey = `${reportPrefix}/report.json`;
  const report = {
    createdAt,
    reportPrefix,
    parts: { files, segments },
    maxKeysPerList: maxKeys,
    differences: targets.reduce((n, t) => n + t.differing + t.missingInTarget + t.onlyInTarget, 0),
    targets,
  };
  await store.put(reportKey, `${JSON.stringify(report, null, 1)}\n`);
  return { targets, report, reportKey, partsRead: needed.length };
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

/** Appends up to maxKeys in all. */
function append(into: EventImage[], keys: readonly EventImage[], maxKeys: number): void {
  const room = maxKeys - into.length;
  if (room > 0) into.push(...keys.slice(0, room));
}
