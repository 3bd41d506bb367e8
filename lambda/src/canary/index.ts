/**
 * Lambda entry point of the lag canary (handler "canary.handler"), run on a schedule.
 * Settings are read once, at cold start; a bad one fails the init naming it.
 */
import { coldStart } from '../cold-start.js';
import { createTargetClient, createTargetClients } from '../target-clients.js';
import { parseCanaryConfig } from './config.js';
import { createCanaryHandler } from './handler.js';

const { config, logger, metrics, clientOptions } = coldStart(parseCanaryConfig);

export const handler = createCanaryHandler({
  config,
  source: createTargetClient({ tableName: config.sourceTable, region: config.region }, clientOptions),
  targets: createTargetClients(config.targets, clientOptions),
  logger,
  metrics,
});
