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
import { invocationStart } from '../observability.js';
import { TableReader } from '../table-reader.js';
import { accountOfArn, targetLabel } from '../target-label.js';
import type { TargetWriter } from '../target-writer.js';
import { VerifyStalledError } from './errors.js';
import { openExportFile } from './export-file.js';
import { loaderTimeBudget } from './loader-handler.js';
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
import { verifyFileLines } from './verify-file.js';
import {
  filePartName,
  partKey,
  partTarget,
  type ReportPart,
  type ReportStore,
  segmentPartName,
  summarizeParts,
} from './verify-report.js';
import { keyPageReader, scanSegment } from './verify-segment.js';

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
  const start = invocationStart(deps.logger, deps.metrics);
  return async (event, context) => {
    start(context);
    const started = now();
    try {
      const input = parseVerifyEvent(event);
      const account = accountOfArn(context.invokedFunctionArn) ?? 'unknown';
      const labels = deps.targets.map((t) => targetLabel(t.config, account));
      if (input.mode === 'summarize') return await summarize(deps, input, labels, started);
      const keyNames = await deps.keyNames();
      const { stopAt, deadline } = loaderTimeBudget(started, context.getRemainingTimeInMillis());
      const reader = (client: DynamoDBClient, table: string) =>
        new TableReader(client, table, keyNames, { sleep, ...(deps.random ? { random: deps.random } : {}) });
      const options: CompareOptions = {
        source: {
          label: `source ${deps.config.sourceTable}`,
          reader: reader(deps.source, deps.config.sourceTable),
        },
        targets: deps.targets.map(
          (t, i): VerifiedTable => ({
            label: labels[i] as string,
            reader: reader(t.client, t.config.tableName),
            writer: t.writer,
          }),
        ),
        exclude: deps.config.excludeAttributes,
        recheckDelayMs: deps.config.recheckDelayMs,
        repair: input.repair,
        deadline,
        now,
        sleep,
        ...(deps.random ? { random: deps.random } : {}),
      };
      const timing = { stopAt, now };
      return input.mode === 'file'
        ? await verifyFile(deps, input, options, keyNames, timing, started)
        : await verifySegment(deps, input, options, keyNames, timing, started);
    } catch (err) {
      deps.logger.error('verify invocation failed; the state machine sees this error', err as Error);
      throw err;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

async function verifyFile(
  deps: VerifierDeps,
  input: VerifyFileEvent,
  options: CompareOptions,
  keyNames: readonly string[],
  timing: { stopAt: number; now: () => number },
  started: number,
): Promise<VerifyFileResult> {
  const file = `s3://${input.bucket}/${input.key}`;
  const lines = await openExportFile(deps.s3, input.bucket, input.key, file);
  const outcome = await verifyFileLines(
    lines,
    {
      file,
      startLine: input.startLine,
      keyNames,
      excludeAttributes: deps.config.excludeAttributes,
      concurrency: deps.config.concurrency,
      targets: options.targets.length,
      maxKeys: deps.maxPartKeys ?? MAX_PART_KEYS,
    },
    (batch) => compareExportBatch(batch, options),
    timing,
  );
  const targets = outcome.tallies.map((t, i) =>
    partTarget(options.targets[i]?.label as string, t, input.repair),
  );
  const compared = outcome.tallies[0]?.compared ?? 0;
  if (compared > 0) {
    const part: ReportPart = {
      kind: 'file',
      source: `${file} lines ${input.startLine + 1}-${outcome.nextLine}`,
      targets,
    };
    await deps
      .reports(input.bucket)
      .put(partKey(input.reportPrefix, filePartName(input.key, input.startLine)), JSON.stringify(part));
  }
  const differences = targets.reduce((n, t) => n + t.differing.length + t.missing.length, 0);
  deps.logger.info(
    outcome.done ? 'export file verified' : 'export file partly verified; continued from nextLine',
    {
      file,
      startLine: input.startLine,
      nextLine: outcome.nextLine,
      done: outcome.done,
      durationMs: timing.now() - started,
      targets: targets.map((t) => ({
        target: t.target,
        compared: t.compared,
        differing: t.differing.length,
        missing: t.missing.length,
        settledOnRecheck: t.settledOnRecheck,
        changingOnRecheck: t.changingOnRecheck,
        ...(t.repaired === undefined ? {} : { repaired: t.repaired }),
      })),
    },
  );
  return { key: input.key, done: outcome.done, nextLine: outcome.nextLine, compared, differences };
}

async function verifySegment(
  deps: VerifierDeps,
  input: VerifySegmentEvent,
  options: CompareOptions,
  keyNames: readonly string[],
  timing: { stopAt: number; now: () => number },
  started: number,
): Promise<VerifySegmentResult> {
  let scanned = 0;
  let onlyInTarget = 0;
  for (let i = input.targetIndex; i < deps.targets.length; i++) {
    const t = deps.targets[i] as VerifierTarget;
    const label = options.targets[i]?.label as string;
    const from = i === input.targetIndex ? input.lastEvaluatedKey : undefined;
    const tally = emptyTally();
    const result = await scanSegment(
      keyPageReader(t.client, t.config.tableName, label, keyNames, input.segment, input.totalSegments),
      from === undefined ? undefined : toSdkItem(from, 'lastEvaluatedKey'),
      keyNames,
      (keys) => compareTargetKeys(i, keys, options),
      (found) => addTally(tally, found),
      timing,
      () => keysHeld(tally) >= (deps.maxPartKeys ?? MAX_PART_KEYS),
    );
    scanned += tally.compared;
    onlyInTarget += tally.onlyInTarget.length;
    if (tally.compared > 0) {
      const part: ReportPart = {
        kind: 'segment',
        source: `segment ${input.segment} of ${input.totalSegments} of ${label}`,
        targets: [partTarget(label, tally, input.repair)],
      };
      const name = segmentPartName(input.segment, input.totalSegments, i, from);
      await deps.reports(input.bucket).put(partKey(input.reportPrefix, name), JSON.stringify(part));
    }
    deps.logger.info('target segment scanned', {
      target: label,
      segment: input.segment,
      totalSegments: input.totalSegments,
      done: result.done,
      scanned: tally.compared,
      onlyInTarget: tally.onlyInTarget.length,
      durationMs: timing.now() - started,
    });
    if (!result.done) {
      if (scanned === 0 && i === input.targetIndex) {
        throw new VerifyStalledError(
          `segment ${input.segment} of ${label}: the invocation had no time left to scan anything; give the verifier a longer timeout`,
        );
      }
      const lastEvaluatedKey = result.lastKey ? toEventImage(result.lastKey) : undefined;
      return {
        segment: input.segment,
        done: false,
        targetIndex: i,
        lastEvaluatedKey: lastEvaluatedKey ?? null,
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
  const { targets, reportKey } = await summarizeParts(
    deps.reports(input.bucket),
    input.reportPrefix,
    labels,
    new Date(started).toISOString(),
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
  deps.logger.info('verify summarized', { ...summary });
  return summary;
}
