/**
 * Lambda entry point (handler "index.handler"). Configuration is read and checked once,
 * at cold start: a bad setting fails the init with a message naming it, and Lambda
 * keeps the batch to retry rather than dropping it.
 */
import { parseConfig } from './config.js';
import { createHandler } from './handler.js';
import { createLogger, createMetrics } from './observability.js';
import { sessionName } from './target-clients.js';
import { createTargetWriters } from './target-writer.js';

const logger = createLogger();
const metrics = createMetrics();

const config = (() => {
  try {
    return parseConfig(process.env);
  } catch (err) {
    logger.error('invalid configuration; fix the setting named below and redeploy', err as Error);
    throw err;
  }
})();

const writers = createTargetWriters(config.targets, {
  stsRegion: process.env.AWS_REGION,
  sessionName: sessionName('ddbsync', process.env.AWS_LAMBDA_FUNCTION_NAME),
});

export const handler = createHandler({ config, writers, logger, metrics });
