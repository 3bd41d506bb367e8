import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { accountOfArn, targetLabel } from '../target-label.js';
import type { ImporterConfig } from './import-config.js';
import { describeImports } from './import-describe.js';
import { type DescribeImportsResult, parseImporterEvent, type StartImportsResult } from './import-event.js';
import type { ImportLimits } from './import-limits.js';
import { startImports } from './import-start.js';
import { stepHandler } from './step-handler.js';

/** The importer's metric, beside the loader's. */
export const IMPORTER_METRIC = { itemsImported: 'FirstSyncItemsImported' } as const;

export interface ImporterDeps {
  readonly config: ImporterConfig;
  /** One client per target, in REPLICATION_TARGETS order. */
  readonly clients: readonly DynamoDBClient[];
  readonly source: DynamoDBClient;
  readonly s3: S3Client;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly limits?: ImportLimits;
  readonly now?: () => number;
}

export type ImporterHandler = (
  event: unknown,
  context?: Partial<Context>,
) => Promise<StartImportsResult | DescribeImportsResult>;

/**
 * The importer's Lambda handler (see importer-index.ts): "start" starts an ImportTable per
 * target, "describe" reports how they are doing. Throws, failing the state machine's task
 * with the error's name and message; logs what it did, never an item (it reads none).
 */
export function createImporterHandler(deps: ImporterDeps): ImporterHandler {
  const now = deps.now ?? Date.now;
  const handle = stepHandler(
    deps,
    'importer step failed; the state machine fails the run with this error',
    async (event: unknown) => {
      const input = parseImporterEvent(event);
      if (input.action === 'start') {
        const result = await startImports(
          {
            targets: deps.config.targets,
            clients: deps.clients,
            source: deps.source,
            s3: deps.s3,
            excludeAttributes: deps.config.excludeAttributes,
            ...(deps.limits ? { limits: deps.limits } : {}),
          },
          input,
        );
        deps.logger.info('imports started', { exportArn: input.exportArn, ...result });
        return result;
      }
      const result = await describeImports(
        {
          // A target without a role or table ARN is in the function's account, the
          // account its import's ARN names: its label is found again as start made it.
          clientFor: (imp) => {
            const i = deps.config.targets.findIndex(
              (t) => targetLabel(t, accountOfArn(imp.importArn) ?? '') === imp.target,
            );
            return i < 0 ? undefined : deps.clients[i];
          },
          streamReserveSeconds: deps.config.streamReserveSeconds,
          now,
        },
        input,
      );
      if (result.failed.length > 0) deps.logger.error('import failed', { ...result });
      else deps.logger.info(result.done ? 'imports completed' : 'imports running', { ...result });
      if (result.done && result.failed.length === 0) {
        deps.metrics.addMetric(IMPORTER_METRIC.itemsImported, MetricUnit.Count, result.items.imported);
      }
      return result;
    },
  );
  return (event, context = {}) => handle(event, context);
}
