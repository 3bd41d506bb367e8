/**
 * Lambda entry point of the drift check (handler "drift.handler"), run on a schedule.
 * Settings are read once, at cold start; a bad one fails the init naming it.
 */
import { coldStart } from '../cold-start.js';
import { createTargetClient, createTargetClients } from '../target-clients.js';
import { parseDriftConfig } from './config.js';
import { createDriftHandler } from './handler.js';
import { s3ReportWriter } from './report.js';

const { config, logger, metrics, clientOptions } = coldStart(parseDriftConfig, (c) => c.region);

export const handler = createDriftHandler({
  config,
  source: createTargetClient({ tableName: config.sourceTable, region: config.region }, clientOptions),
  targets: createTargetClients(config.targets, clientOptions),
  logger,
  metrics,
  ...(config.reportBucket ? { putReport: s3ReportWriter(config.region) } : {}),
});
