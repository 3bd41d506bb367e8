import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { toSdkItem } from '../attribute-values.js';
import { sleep as realSleep } from '../backoff.js';
import type { TargetConfig } from '../config.js';
import { MetricUnit, publishTargetMetrics } from '../health-metrics.js';
import { toEventImage } from '../lambda-event.js';
import { accountOfArn, targetLabel } from '../target-label.js';
import type { TargetWriter } from '../target-writer.js';
import { VerifyStalledError } from './errors.js';
import { openExportFile } from './export-file.js';
import { loaderTimeBudget } from './loader-handler.js';
import { stepHandler } from './step-handler.js';
import {
  addTally,
  type CompareOptions,
  compareExportBatch,
  compareTargetKeys,
  emptyTally,
  keysHeld,
  MAX_PART_KEYS,
  type VerifiedTable,
} from './verify-compare.js';
import type { VerifierConfig } from './verify-config.js';
import {
  parseVerifyEvent,
  type VerifyFileEvent,
  type VerifyFileResult,
  type VerifySegmentEvent,
  type VerifySegmentResult,
  type VerifySummarizeEvent,
  type VerifySummary,
} from './verify-event.js';
import { KEYS_PER_BATCH, verifyFileLines } from './verify-file.js';
import { pacedReader } from './verify-read.js';
import {
  countsOf,
  filePartName,
  MAX_REPORT_KEYS,
  type PartCounts,
  partTarget,
  type ReportPart,
  type ReportStore,
  recordedPart,
  recordPart,
  segmentPartName,
  summarizeParts,
} from './verify-report.js';
import { keyPageReader, SCAN_PAGE_KEYS, scanSegment } from './verify-segment.js';

/** The verifier's metric: differences per target (Target dimension), published by summarize. */
export const VERIFY_METRIC = { differences: 'FirstSyncVerifyDifferences' } as const;

export interface VerifierTarget {
  readonly config: TargetConfig;
  readonly client: DynamoDBClient;
  readonly writer: TargetWriter;
}

export interface VerifierDeps {
  readonly config: VerifierConfig;
  /** The source table's client (the function's own credentials). */
  readonly source: DynamoDBClient;
  readonly targets: readonly VerifierTarget[];
  /** Reads the export files. */
  readonly s3: S3Client;
  /** The report objects' store in a bucket. */
  readonly reports: (bucket: string) => ReportStore;
  /** The table's key attribute names (key-schema.ts). */
  readonly keyNames: () => Promise<readonly string[]>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Keys an invocation records before it stops and is continued (MAX_PART_KEYS). */
  readonly maxPartKeys?: number;
  /** Keys listed per kind and target in report.json (MAX_REPORT_KEYS). */
  readonly maxReportKeys?: number;
}

/** What an invocation reads with: the tables' readers, their read units and the scan's pacing. */
interface Reading {
  readonly options: CompareOptions;
  /** Per table, source first: the read capacity units DynamoDB said this invocation took. */
  readonly units: () => { source: number; targets: number[] };
  readonly takes: readonly ((units: number) => Promise<void>)[];
  /** Export batches compared at once and keys per Scan page, under READ_CAPACITY. */
  readonly concurrency: number;
  readonly scanPageKeys: number;
}

export type VerifierHandler = (
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
) => Promise<VerifyFileResult | VerifySegmentResult | VerifySummary>;

/**
 * The verifier's Lambda handler (verifier-index.ts), one of three modes per event: "file"
 * compares an export data file with every target by key, "segment" looks for items only
 * in a target with a keys-only parallel Scan, "summarize" adds up the report parts and
 * publishes FirstSyncVerifyDifferences per target. Logs counts and never an item's
 * contents; report objects hold keys only.
 */
export function createVerifierHandler(deps: VerifierDeps): VerifierHandler {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  return stepHandler(
    deps,
    'verify invocation failed; the state machine sees this error',
    async (event, context) => {
      const started = now();
      const input = parseVerifyEvent(event);
      const account = accountOfArn(context.invokedFunctionArn) ?? 'unknown';
      const labels = deps.targets.map((t) => targetLabel(t.config, account));
      if (input.mode === 'summarize') return await summarize(deps, input, labels, started);
      const keyNames = await deps.keyNames();
      const { stopAt, deadline } = loaderTimeBudget(started, context.getRemainingTimeInMillis());
      const reading = readers(deps, keyNames, labels, input.repair, deadline, now, sleep);
      const timing = { stopAt, now };
      return input.mode === 'file'
        ? await verifyFile(deps, input, reading, keyNames, timing, started)
        : await verifySegment(deps, input, reading, keyNames, timing, started);
    },
  );
}

/**
 * Every table gets its own token bucket of READ_CAPACITY units per second, fed by what
 * DynamoDB says each read took. Under a cap, only as many export batches run at once as a
 * second of capacity reads (100 units a batch at least), and a Scan page's source lookups
 * take about a second of it: a read waits off its units after it returns, so what is in
 * flight is the most the cap can be overshot by, and the waits stay short of the
 * invocation's deadline.
 */
function readers(
  deps: VerifierDeps,
  keyNames: readonly string[],
  labels: readonly string[],
  repair: boolean,
  deadline: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): Reading {
  const cap = deps.config.readCapacity;
  const timing = { now, sleep, ...(deps.random ? { random: deps.random } : {}) };
  const tables = [
    { client: deps.source, tableName: deps.config.sourceTable },
    ...deps.targets.map((t) => ({ client: t.client, tableName: t.config.tableName })),
  ].map((t) => pacedReader(t.client, t.tableName, keyNames, cap, timing));
  const source = tables[0] as (typeof tables)[number];
  const options: CompareOptions = {
    source: { label: `source ${deps.config.sourceTable}`, reader: source.reader },
    targets: deps.targets.map(
      (t, i): VerifiedTable => ({
        label: labels[i] as string,
        reader: (tables[i + 1] as (typeof tables)[number]).reader,
        writer: t.writer,
      }),
    ),
    exclude: deps.config.excludeAttributes,
    recheckDelayMs: deps.config.recheckDelayMs,
    repair,
    deadline,
    ...timing,
  };
  return {
    options,
    units: () => ({ source: source.used(), targets: tables.slice(1).map((t) => t.used()) }),
    takes: tables.map((t) => t.take),
    concurrency:
      cap === undefined
        ? deps.config.concurrency
        : Math.min(deps.config.concurrency, Math.max(1, Math.floor(cap / KEYS_PER_BATCH))),
    scanPageKeys: cap === undefined ? SCAN_PAGE_KEYS : Math.min(SCAN_PAGE_KEYS, cap),
  };
}

/** What a file invocation returns, from the counts it (or the first invocation over its range) recorded. */
function fileResult(key: string, counts: PartCounts): VerifyFileResult {
  const progress = counts.progress;
  if (progress.kind !== 'file') throw new Error(`report part for ${key} is not a file's`);
  return {
    key,
    done: progress.done,
    nextLine: progress.nextLine,
    compared: counts.targets[0]?.compared ?? 0,
    differences: counts.targets.reduce((n, t) => n + t.differing + t.missing, 0),
  };
}

async function verifyFile(
  deps: VerifierDeps,
  input: VerifyFileEvent,
  reading: Reading,
  keyNames: readonly string[],
  timing: { stopAt: number; now: () => number },
  started: number,
): Promise<VerifyFileResult> {
  const file = `s3://${input.bucket}/${input.key}`;
  const store = deps.reports(input.bucket);
  const name = filePartName(input.key, input.startLine);
  // A retry of an invocation that recorded its range returns what it recorded: compared
  // again, the keys it repaired would no longer count as differences.
  const earlier = await recordedPart(store, input.reportPrefix, name);
  if (earlier) {
    const result = fileResult(input.key, earlier);
    deps.logger.info('export file range already verified by an earlier invocation; its result stands', {
      file,
      startLine: input.startLine,
      nextLine: result.nextLine,
      done: result.done,
    });
    return result;
  }
  const { options } = reading;
  const lines = await openExportFile(deps.s3, input.bucket, input.key, file);
  const outcome = await verifyFileLines(
    lines,
    {
      file,
      startLine: input.startLine,
      keyNames,
      excludeAttributes: deps.config.excludeAttributes,
      concurrency: reading.concurrency,
      targets: options.targets.length,
      maxKeys: deps.maxPartKeys ?? MAX_PART_KEYS,
    },
    (batch) => compareExportBatch(batch, options),
    timing,
  );
  const targets = outcome.tallies.map((t, i) =>
    partTarget(options.targets[i]?.label as string, t, input.repair),
  );
  const part: ReportPart = {
    kind: 'file',
    source: `${file} lines ${input.startLine + 1}-${outcome.nextLine}`,
    progress: { kind: 'file', startLine: input.startLine, nextLine: outcome.nextLine, done: outcome.done },
    targets,
  };
  // Nothing compared, nothing to record (a range of heartbeat lines only).
  const counts =
    (outcome.tallies[0]?.compared ?? 0) > 0
      ? await recordPart(store, input.reportPrefix, name, part)
      : countsOf(part);
  const result = fileResult(input.key, counts);
  deps.logger.info(
    result.done ? 'export file verified' : 'export file partly verified; continued from nextLine',
    {
      file,
      startLine: input.startLine,
      nextLine: result.nextLine,
      done: result.done,
      durationMs: timing.now() - started,
      readUnits: reading.units(),
      targets: counts.targets.map((t) => ({
        target: t.target,
        compared: t.compared,
        differing: t.differing,
        missing: t.missing,
        settledOnRecheck: t.settledOnRecheck,
        changingOnRecheck: t.changingOnRecheck,
        ...(t.repaired === undefined ? {} : { repaired: t.repaired }),
      })),
    },
  );
  return result;
}

async function verifySegment(
  deps: VerifierDeps,
  input: VerifySegmentEvent,
  reading: Reading,
  keyNames: readonly string[],
  timing: { stopAt: number; now: () => number },
  started: number,
): Promise<VerifySegmentResult> {
  const { options } = reading;
  const store = deps.reports(input.bucket);
  let scanned = 0;
  let onlyInTarget = 0;
  for (let i = input.targetIndex; i < deps.targets.length; i++) {
    const t = deps.targets[i] as VerifierTarget;
    const label = options.targets[i]?.label as string;
    const from = i === input.targetIndex ? input.lastEvaluatedKey : undefined;
    const name = segmentPartName(input.segment, input.totalSegments, i, from);
    // As for files: a range already recorded keeps its first result.
    let counts = await recordedPart(store, input.reportPrefix, name);
    if (!counts) {
      const tally = emptyTally();
      const result = await scanSegment(
        keyPageReader(
          t.client,
          t.config.tableName,
          label,
          keyNames,
          input.segment,
          input.totalSegments,
          {
            take: reading.takes[i + 1] as (units: number) => Promise<void>,
            retry: options,
          },
          reading.scanPageKeys,
        ),
        from === undefined ? undefined : toSdkItem(from, 'lastEvaluatedKey'),
        keyNames,
        (keys) => compareTargetKeys(i, keys, options),
        (found) => addTally(tally, found),
        timing,
        () => keysHeld(tally) >= (deps.maxPartKeys ?? MAX_PART_KEYS),
      );
      if (!result.done && tally.compared === 0 && scanned === 0 && i === input.targetIndex) {
        throw new VerifyStalledError(
          `segment ${input.segment} of ${label}: the invocation had no time left to scan anything; give the verifier a longer timeout`,
        );
      }
      const part: ReportPart = {
        kind: 'segment',
        source: `segment ${input.segment} of ${input.totalSegments} of ${label}`,
        progress: {
          kind: 'segment',
          targetIndex: i,
          done: result.done,
          lastEvaluatedKey: result.lastKey ? toEventImage(result.lastKey) : null,
        },
        targets: [partTarget(label, tally, input.repair)],
      };
      counts = tally.compared > 0 ? await recordPart(store, input.reportPrefix, name, part) : countsOf(part);
      deps.logger.info('target segment scanned', {
        target: label,
        segment: input.segment,
        totalSegments: input.totalSegments,
        done: result.done,
        scanned: tally.compared,
        onlyInTarget: tally.onlyInTarget.length,
        durationMs: timing.now() - started,
        readUnits: reading.units(),
      });
    }
    const progress = counts.progress;
    if (progress.kind !== 'segment') throw new Error(`report part ${name} is not a segment's`);
    scanned += counts.targets[0]?.compared ?? 0;
    onlyInTarget += counts.targets[0]?.onlyInTarget ?? 0;
    if (!progress.done) {
      return {
        segment: input.segment,
        done: false,
        targetIndex: i,
        lastEvaluatedKey: progress.lastEvaluatedKey,
        scanned,
        onlyInTarget,
      };
    }
  }
  return {
    segment: input.segment,
    done: true,
    targetIndex: deps.targets.length,
    lastEvaluatedKey: null,
    scanned,
    onlyInTarget,
  };
}

async function summarize(
  deps: VerifierDeps,
  input: VerifySummarizeEvent,
  labels: readonly string[],
  started: number,
): Promise<VerifySummary> {
  const { targets, reportKey, partsRead } = await summarizeParts(
    deps.reports(input.bucket),
    input.reportPrefix,
    labels,
    new Date(started).toISOString(),
    deps.maxReportKeys ?? MAX_REPORT_KEYS,
  );
  for (const t of targets) {
    publishTargetMetrics(deps.metrics, t.target, [
      {
        name: VERIFY_METRIC.differences,
        unit: MetricUnit.Count,
        value: t.differing + t.missingInTarget + t.onlyInTarget,
      },
    ]);
  }
  const summary: VerifySummary = {
    targets: targets.map((t) => ({
      target: t.target,
      compared: t.compared,
      differing: t.differing,
      missingInTarget: t.missingInTarget,
      onlyInTarget: t.onlyInTarget,
      repaired: t.repaired,
    })),
    differences: targets.reduce((n, t) => n + t.differing + t.missingInTarget + t.onlyInTarget, 0),
    report: `s3://${input.bucket}/${reportKey}`,
  };
  deps.logger.info('verify summarized', { ...summary, partsReadForKeys: partsRead });
  return summary;
}
