import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ColdStart } from './cold-start.js';
import type { TargetConfig } from './config.js';
import { createTargetClient, createTargetClients } from './target-clients.js';

/** The settings both checks share: the source table, in the function's own region, and its targets. */
export interface HealthCheckConfig {
  readonly region: string;
  readonly sourceTable: string;
  readonly targets: readonly TargetConfig[];
}

/** What the scheduled health checks (the canary, drift detection) are given: the source, its targets, and the clock. */
export interface HealthCheckDeps<C> {
  readonly config: C;
  /** Client for the source table (the function's own account and region). */
  readonly source: DynamoDBClient;
  /** One client per config.targets entry, in the same order. */
  readonly targets: readonly DynamoDBClient[];
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The deps from a health check's cold start: the source table's client and one per target, sessions as the cold start names them. */
export function healthCheckDeps<C extends HealthCheckConfig>(start: ColdStart<C>): HealthCheckDeps<C> {
  const { config, logger, metrics, clientOptions } = start;
  return {
    config,
    source: createTargetClient({ tableName: config.sourceTable, region: config.region }, clientOptions),
    targets: createTargetClients(config.targets, clientOptions),
    logger,
    metrics,
  };
}
