/**
 * Lambda entry point of the lag canary (handler "canary.handler"), run on a schedule.
 * Settings are read once, at cold start; a bad one fails the init naming it.
 */
import { createLogger, createMetrics } from '../observability.js';
import { createTargetClient, createTargetClients, sessionName } from '../target-clients.js';
import { parseCanaryConfig } from './config.js';
import { createCanaryHandler } from './handler.js';

const logger = createLogger();
const metrics = createMetrics();

const config = (() => {
  try {
    return parseCanaryConfig(process.env);
  } catch (err) {
    logger.error('invalid configuration; fix the setting named below and redeploy', err as Error);
    throw err;
  }
})();

const clientOptions = {
  stsRegion: process.env.AWS_REGION,
  sessionName: sessionName('ddbsync', process.env.AWS_LAMBDA_FUNCTION_NAME),
};

export const handler = createCanaryHandler({
  config,
  source: createTargetClient({ tableName: config.sourceTable, region: config.region }, clientOptions),
  targets: createTargetClients(config.targets, clientOptions),
  logger,
  metrics,
});
