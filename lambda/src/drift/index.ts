/**
 * Lambda entry point of the drift check (handler "drift.handler"), run on a schedule.
 * Settings are read once, at cold start; a bad one fails the init naming it.
 */
import { createLogger, createMetrics } from '../observability.js';
import { createTargetClient, createTargetClients, sessionName } from '../target-clients.js';
import { parseDriftConfig } from './config.js';
import { createDriftHandler } from './handler.js';
import { s3ReportWriter } from './report.js';

const logger = createLogger();
const metrics = createMetrics();

const config = (() => {
  try {
    return parseDriftConfig(process.env);
  } catch (err) {
    logger.error('invalid configuration; fix the setting named below and redeploy', err as Error);
    throw err;
  }
})();

const clientOptions = {
  stsRegion: config.region,
  sessionName: sessionName('ddbsync', process.env.AWS_LAMBDA_FUNCTION_NAME),
};

export const handler = createDriftHandler({
  config,
  source: createTargetClient({ tableName: config.sourceTable, region: config.region }, clientOptions),
  targets: createTargetClients(config.targets, clientOptions),
  logger,
  metrics,
  ...(config.reportBucket ? { putReport: s3ReportWriter(config.region) } : {}),
});
