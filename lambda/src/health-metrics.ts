import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { TARGET_DIMENSION } from './observability.js';

export interface MetricValue {
  readonly name: string;
  readonly unit: (typeof MetricUnit)[keyof typeof MetricUnit];
  readonly value: number;
}

/**
 * Publishes one target's values at once, with the `Target` dimension beside the service:
 * one EMF line per target, so each target's datapoints carry its own dimension set.
 */
export function publishTargetMetrics(metrics: Metrics, target: string, values: readonly MetricValue[]): void {
  if (values.length === 0) return;
  metrics.addDimension(TARGET_DIMENSION, target);
  for (const v of values) metrics.addMetric(v.name, v.unit, v.value);
  // Publishing also clears the dimension, so the next target starts clean.
  metrics.publishStoredMetrics();
}

export { MetricUnit };
