/**
 * What every Lambda entry point does once, at cold start: make the logger and metrics,
 * read its settings (a bad one fails the init, logged with the setting's name, so Lambda
 * retries rather than drops the work) and name the sessions its assumed roles open.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { createLogger, createMetrics } from './observability.js';
import { type ClientOptions, sessionName } from './target-clients.js';

export interface ColdStart<C> {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly config: C;
  /** For createTargetClient(s): STS in `stsRegion` (default the function's), sessions named after the function. */
  readonly clientOptions: Pick<ClientOptions, 'stsRegion' | 'sessionName'>;
}

export function coldStart<C>(
  parse: (env: NodeJS.ProcessEnv) => C,
  stsRegion: (config: C) => string | undefined = () => process.env.AWS_REGION,
): ColdStart<C> {
  const logger = createLogger();
  const metrics = createMetrics();
  let config: C;
  try {
    config = parse(process.env);
  } catch (err) {
    logger.error('invalid configuration; fix the setting named below and redeploy', err as Error);
    throw err;
  }
  return {
    logger,
    metrics,
    config,
    clientOptions: {
      stsRegion: stsRegion(config),
      sessionName: sessionName('ddbsync', process.env.AWS_LAMBDA_FUNCTION_NAME),
    },
  };
}
