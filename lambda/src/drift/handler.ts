import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { sleep as realSleep } from '../backoff.js';
import { ConfigError, DriftCheckError } from '../errors.js';
import type { HealthCheckDeps } from '../health-check-deps.js';
import { MetricUnit, publishTargetMetrics } from '../health-metrics.js';
import { toEventImage } from '../lambda-event.js';
import { HEALTH_METRIC } from '../observability.js';
import { TableReader } from '../table-reader.js';
import { accountOfArn, targetLabel } from '../target-label.js';
import { dynamoDbTargetWriter } from '../target-writer.js';
import { TokenBucket } from '../token-bucket.js';
import type { DriftConfig } from './config.js';
import { driftReport, type PutReport, reportKey } from './report.js';
import { type DriftRun, runDrift } from './run.js';

export interface DriftDeps extends HealthCheckDeps<DriftConfig> {
  /** Writes the report object; needed when config.reportBucket is set. */
  readonly putReport?: PutReport;
  readonly random?: () => number;
}

export interface DriftTargetSummary {
  readonly target: string;
  readonly sampledKeys: number;
  readonly drifted: number;
  readonly settledOnRecheck: number;
  readonly changingOnRecheck: number;
  readonly repaired?: number;
  readonly error?: string;
}

export interface DriftSummary {
  readonly sourceSampled: number;
  readonly wholeTable: boolean;
  readonly targets: DriftTargetSummary[];
  /** s3://bucket/key of the report, when one was written. */
  readonly report?: string;
}

export type DriftHandler = (
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
) => Promise<DriftSummary>;

/** Time kept for the re-check's reads, the repair, the metrics and the report, besides the delay. */
export const DRIFT_RESERVE_MS = 20_000;
/** Drifted keys logged per target and run; the report holds them all. */
export const MAX_LOGGED_KEYS = 1000;

/**
 * The drift check, run on a schedule: samples the source and every target, confirms each
 * difference with a consistent re-read after a delay, repairs when asked, and publishes
 * per target DriftedItems, DriftSampledItems (and DriftRepairedItems with repair). The keys
 * of drifted items (never contents) go to the log and to the report object. A target that
 * cannot be read publishes nothing, and the invocation fails once the others are done.
 */
export function createDriftHandler(deps: DriftDeps): DriftHandler {
  const { config, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const random = deps.random ?? Math.random;
  let keyNames: Promise<string[]> | undefined;

  return async (_event, context) => {
    if (typeof context.awsRequestId === 'string') logger.addContext(context as Context);
    try {
      const startedAt = now();
      const remaining = context.getRemainingTimeInMillis();
      const reserve = config.recheckDelayMs + DRIFT_RESERVE_MS;
      if (remaining < reserve + 5_000) {
        throw new ConfigError(
          'RECHECK_DELAY_MS',
          `${config.recheckDelayMs} ms plus ${DRIFT_RESERVE_MS / 1000} s for the re-check does not fit in this ` +
            `invocation's ${Math.floor(remaining / 1000)} s; give the function a longer timeout`,
        );
      }
      keyNames ??= describeKey(deps.source, config.sourceTable).catch((err) => {
        keyNames = undefined;
        throw err;
      });
      const names = await keyNames;
      const account = accountOfArn(context.invokedFunctionArn) ?? 'unknown';
      const reader = (client: DynamoDBClient, table: string) => {
        // Each table has its own capacity, so each gets its own cap.
        const bucket = new TokenBucket(config.readCapacity, now, sleep);
        return new TableReader(client, table, names, { consumed: (u) => bucket.take(u), sleep, random });
      };
      const run = await runDrift({
        source: reader(deps.source, config.sourceTable),
        targets: config.targets.map((t, i) => {
          const client = deps.targets[i] as DynamoDBClient;
          return {
            label: targetLabel(t, account),
            reader: reader(client, t.tableName),
            ...(config.repair ? { writer: dynamoDbTargetWriter(t, client) } : {}),
          };
        }),
        config,
        now,
        sleep,
        random,
        // Sampling gets half the time the re-check does not need; the comparisons the rest.
        sampleDeadline: startedAt + (remaining - reserve) / 2,
        deadline: startedAt + remaining - 5_000,
      });

      publish(run);
      logRun(run);
      let report: string | undefined;
      if (config.reportBucket) {
        const requestId = context.awsRequestId ?? 'local';
        const key = reportKey(startedAt, requestId);
        const body = driftReport(run, {
          sourceTable: config.sourceTable,
          requestId,
          startedAt,
          finishedAt: now(),
          repair: config.repair,
          sampleItems: config.sampleItems,
        });
        if (!deps.putReport) throw new Error('REPORT_BUCKET is set but no report writer was given');
        await deps.putReport(config.reportBucket, key, `${JSON.stringify(body, null, 2)}\n`);
        report = `s3://${config.reportBucket}/${key}`;
        logger.info('drift report written', { report });
      }
      const failures = run.targets.flatMap((t) =>
        t.error ? [{ target: t.target, error: `${t.error.name}: ${t.error.message.split('\n')[0]}` }] : [],
      );
      if (failures.length > 0) throw new DriftCheckError(failures);
      return summary(run, report);
    } catch (err) {
      logger.error('drift run failed', err as Error);
      throw err;
    }
  };

  function publish(run: DriftRun): void {
    for (const t of run.targets) {
      if (t.error) continue;
      publishTargetMetrics(metrics, t.target, [
        { name: HEALTH_METRIC.driftedItems, unit: MetricUnit.Count, value: t.drifted.length },
        { name: HEALTH_METRIC.driftSampledItems, unit: MetricUnit.Count, value: t.sampledKeys },
        ...(config.repair
          ? [{ name: HEALTH_METRIC.driftRepairedItems, unit: MetricUnit.Count, value: t.repaired }]
          : []),
      ]);
    }
  }

  function logRun(run: DriftRun): void {
    for (const t of run.targets) {
      if (t.error) {
        logger.error('drift check of a target failed', { target: t.target, error: t.error.message });
        continue;
      }
      for (const d of t.drifted.slice(0, MAX_LOGGED_KEYS)) {
        logger.warn('drifted item', {
          target: t.target,
          kind: d.kind,
          key: toEventImage(d.key),
          ...(d.attributes ? { attributes: d.attributes } : {}),
          ...(d.repaired !== undefined ? { repaired: d.repaired } : {}),
        });
      }
      const line = {
        target: t.target,
        sampledKeys: t.sampledKeys,
        drifted: t.drifted.length,
        ...(t.drifted.length > MAX_LOGGED_KEYS ? { keysNotLogged: t.drifted.length - MAX_LOGGED_KEYS } : {}),
        candidates: t.candidates,
        settledOnRecheck: t.settledOnRecheck,
        changingOnRecheck: t.changingOnRecheck,
        onlyInTargetExpected: t.onlyInTargetExpected,
        ...(config.repair ? { repaired: t.repaired, repairErrors: t.repairErrors } : {}),
      };
      if (t.drifted.length > 0) logger.warn('drift found', line);
      else logger.info('no drift found', line);
    }
    logger.info('drift run sampled the source', {
      sourceSampled: run.sourceSampled,
      wholeTable: run.wholeTable,
      heartbeatsSkipped: run.heartbeatsSkipped,
    });
  }

  function summary(run: DriftRun, report: string | undefined): DriftSummary {
    return {
      sourceSampled: run.sourceSampled,
      wholeTable: run.wholeTable,
      targets: run.targets.map((t) => ({
        target: t.target,
        sampledKeys: t.sampledKeys,
        drifted: t.drifted.length,
        settledOnRecheck: t.settledOnRecheck,
        changingOnRecheck: t.changingOnRecheck,
        ...(config.repair ? { repaired: t.repaired } : {}),
      })),
      ...(report ? { report } : {}),
    };
  }
}

/** The source table's key attribute names (a target has the same key schema). */
async function describeKey(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const names = (out.Table?.KeySchema ?? []).map((k) => k.AttributeName as string);
  if (names.length === 0) throw new Error(`DescribeTable of ${tableName} returned no key schema`);
  return names;
}
