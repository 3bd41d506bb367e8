import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

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
