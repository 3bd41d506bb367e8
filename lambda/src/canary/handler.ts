import { randomUUID } from 'node:crypto';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { type EventImage, toSdkItem } from '../attribute-values.js';
import { sleep as realSleep } from '../backoff.js';
import { ConfigError } from '../errors.js';
import type { HealthCheckDeps } from '../health-check-deps.js';
import { MetricUnit, publishTargetMetrics } from '../health-metrics.js';
import { HEARTBEAT_AT, HEARTBEAT_ID } from '../heartbeat.js';
import { HEALTH_METRIC } from '../observability.js';
import { accountOfArn, targetLabel } from '../target-label.js';
import type { CanaryConfig } from './config.js';
import { type Heartbeat, type HeartbeatRead, waitForHeartbeat } from './heartbeat-wait.js';

export interface CanaryDeps extends HealthCheckDeps<CanaryConfig> {
  readonly newId?: () => string;
}

export interface CanaryTargetResult {
  /** The Target dimension: `<account>/<region>/<table>`. */
  readonly target: string;
  readonly arrived: boolean;
  readonly latencyMs?: number;
  readonly reads: number;
  readonly error?: string;
}

export interface CanaryResult {
  readonly heartbeatId: string;
  readonly writtenAt: string;
  readonly targets: CanaryTargetResult[];
}

export type CanaryHandler = (
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
) => Promise<CanaryResult>;

/** Time kept free after the threshold for publishing metrics before the function's timeout. */
export const CANARY_MARGIN_MS = 5_000;

/**
 * The canary: writes a heartbeat item (a new random id and its write time) into the source
 * table, then waits for it in every target at once and publishes, per target,
 * HeartbeatMissing (1 when it was not seen within the threshold, else 0, every run) and
 * EndToEndLatency (when it was seen). The heartbeat travels the real path: the source
 * table's stream, the replicator, the target table. Throws when the heartbeat cannot be
 * written: that is no statement about replication, and the invocation's error shows it.
 */
export function createCanaryHandler(deps: CanaryDeps): CanaryHandler {
  const { config, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  const newId = deps.newId ?? randomUUID;
  const key = toSdkItem(config.heartbeatKey);
  const projection = {
    ProjectionExpression: '#id, #at',
    ExpressionAttributeNames: { '#id': HEARTBEAT_ID, '#at': HEARTBEAT_AT },
  };

  return async (_event, context) => {
    if (typeof context.awsRequestId === 'string') logger.addContext(context as Context);
    try {
      const remaining = context.getRemainingTimeInMillis();
      if (remaining < config.missThresholdMs + CANARY_MARGIN_MS) {
        throw new ConfigError(
          'MISS_THRESHOLD_SECONDS',
          `${config.missThresholdMs / 1000} s does not fit in this invocation's ${Math.floor(remaining / 1000)} s; ` +
            `give the function a timeout of at least the threshold + ${(CANARY_MARGIN_MS / 1000) * 3} s`,
        );
      }
      const account = accountOfArn(context.invokedFunctionArn) ?? 'unknown';
      const labels = config.targets.map((t) => targetLabel(t, account));

      const heartbeat: Heartbeat = { id: newId(), at: now() };
      await deps.source.send(
        new PutItemCommand({
          TableName: config.sourceTable,
          Item: toSdkItem(heartbeatItem(config, heartbeat)),
        }),
      );

      const results = await Promise.all(
        deps.targets.map((client, i) =>
          waitForHeartbeat(
            async (abortSignal): Promise<HeartbeatRead> => {
              const out = await client.send(
                new GetItemCommand({
                  TableName: (config.targets[i] as CanaryConfig['targets'][number]).tableName,
                  Key: key,
                  ConsistentRead: true,
                  ...projection,
                }),
                { abortSignal },
              );
              if (!out.Item) return undefined;
              const at = out.Item[HEARTBEAT_AT]?.N;
              return {
                ...(out.Item[HEARTBEAT_ID]?.S !== undefined ? { id: out.Item[HEARTBEAT_ID].S } : {}),
                ...(at !== undefined ? { at: Number(at) } : {}),
              };
            },
            heartbeat,
            { missThresholdMs: config.missThresholdMs, pollIntervalMs: config.pollIntervalMs, now, sleep },
          ),
        ),
      );

      const targets = results.map((r, i): CanaryTargetResult => {
        const target = labels[i] as string;
        publishTargetMetrics(metrics, target, [
          ...(r.latencyMs !== undefined
            ? [{ name: HEALTH_METRIC.endToEndLatency, unit: MetricUnit.Milliseconds, value: r.latencyMs }]
            : []),
          { name: HEALTH_METRIC.heartbeatMissing, unit: MetricUnit.Count, value: r.arrived ? 0 : 1 },
        ]);
        const error = r.error ? `${r.error.name}: ${r.error.message.split('\n')[0]}` : undefined;
        const line = { target, latencyMs: r.latencyMs, reads: r.reads, ...(error ? { error } : {}) };
        if (r.arrived) logger.info('heartbeat arrived', line);
        else if (r.gaveUp) logger.error('heartbeat check failed: the target cannot be read', line);
        else logger.warn(`heartbeat missing: not seen within ${config.missThresholdMs / 1000} s`, line);
        return {
          target,
          arrived: r.arrived,
          ...(r.latencyMs !== undefined ? { latencyMs: r.latencyMs } : {}),
          reads: r.reads,
          ...(error ? { error } : {}),
        };
      });
      return { heartbeatId: heartbeat.id, writtenAt: new Date(heartbeat.at).toISOString(), targets };
    } catch (err) {
      logger.error('canary run failed', err as Error);
      throw err;
    }
  };
}

/** The heartbeat item: the key, its id and write time, and its expiry when a TTL attribute is named. */
export function heartbeatItem(config: CanaryConfig, heartbeat: Heartbeat): EventImage {
  return {
    ...config.heartbeatKey,
    [HEARTBEAT_AT]: { N: String(heartbeat.at) },
    [HEARTBEAT_ID]: { S: heartbeat.id },
    ...(config.ttlAttribute
      ? { [config.ttlAttribute]: { N: String(Math.floor(heartbeat.at / 1000) + config.ttlSeconds) } }
      : {}),
  };
}
