/**
 * Lambda entry point (handler "index.handler"). Configuration is read and checked once,
 * at cold start: a bad setting fails the init with a message naming it, and Lambda
 * keeps the batch to retry rather than dropping it.
 */
import { coldStart } from './cold-start.js';
import { parseConfig } from './config.js';
import { createHandler } from './handler.js';
import { createTargetWriters } from './target-writer.js';

const { config, logger, metrics, clientOptions } = coldStart(parseConfig);

export const handler = createHandler({
  config,
  writers: createTargetWriters(config.targets, clientOptions),
  logger,
  metrics,
});
