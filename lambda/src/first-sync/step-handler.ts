import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { invocationStart } from '../observability.js';

/**
 * The frame every first-sync handler runs its step in: the cold start and the request on
 * the logger, a failure logged (saying what the state machine does with it) and re-thrown
 * for the state machine to see, and the step's metrics published either way.
 */
export function stepHandler<C extends Partial<Context>, R>(
  deps: { readonly logger: Logger; readonly metrics: Metrics },
  failure: string,
  step: (event: unknown, context: C) => Promise<R>,
): (event: unknown, context: C) => Promise<R> {
  const start = invocationStart(deps.logger, deps.metrics);
  return async (event, context) => {
    start(context);
    try {
      return await step(event, context);
    } catch (err) {
      deps.logger.error(failure, err as Error);
      throw err;
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}
