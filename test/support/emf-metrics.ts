/**
 * What CloudWatch Logs does with a Lambda function's embedded metric format (EMF) log lines,
 * for a local AWS (moto) that only stores logs: each valid EMF document becomes metric data
 * (PutMetricData), one datum per metric per dimension set, with the document's timestamp.
 *
 * The rules follow the specification,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html:
 * - the log event is a JSON object (on Lambda, after any metadata the runtime prepends) with
 *   an `_aws` member holding `Timestamp` (epoch milliseconds) and `CloudWatchMetrics`, an
 *   array of directives {Namespace, Dimensions, Metrics};
 * - Dimensions is an array of dimension sets; each set names root members whose values MUST
 *   be strings, and every set used creates its own metric (its own identity in CloudWatch);
 * - Metrics holds at most 100 definitions {Name, Unit?, StorageResolution?}; Name references a
 *   root member that MUST be a number or an array of at most 100 numbers; Unit defaults to None;
 * - a document that breaks a MUST yields no metric (the log event is kept, nothing is
 *   extracted): such documents are returned as rejected, with the rule they broke, so a test
 *   can insist there are none rather than silently lose a metric.
 * A dimension set holds at most 30 keys (the limit CloudWatch raised from the specification's
 * original 9).
 */
import {
  type CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

/** One metric of one dimension set of one EMF document: what CloudWatch would store. */
export interface ExtractedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly unit: StandardUnit;
  readonly dimensions: readonly Dimension[];
  readonly values: readonly number[];
  readonly timestamp: Date;
  /** 1 for a high-resolution metric, else 60 (the default). */
  readonly storageResolution: 1 | 60;
}

export interface RejectedDocument {
  readonly line: string;
  readonly reason: string;
}

export interface Extraction {
  readonly metrics: ExtractedMetric[];
  /** Lines that carry `_aws` but break the specification: CloudWatch extracts nothing from them. */
  readonly rejected: RejectedDocument[];
}

export class EmfDocumentError extends Error {
  override readonly name = 'EmfDocumentError';
}

const MAX_METRICS = 100;
const MAX_VALUES = 100;
const MAX_DIMENSION_KEYS = 30;
const UNITS: ReadonlySet<string> = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON object of a log line: the whole line, or what follows Lambda's metadata. */
function documentOf(line: string): Record<string, unknown> | undefined {
  const candidates = [line.trim()];
  const brace = line.indexOf('{');
  if (brace > 0) candidates.push(line.slice(brace).trim());
  for (const text of candidates) {
    if (!text.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(text);
      if (isObject(parsed)) return parsed;
    } catch {
      // not JSON from here; try after the metadata
    }
  }
  return undefined;
}

function fail(reason: string): never {
  throw new EmfDocumentError(reason);
}

/** The metrics one EMF document defines; throws EmfDocumentError when it breaks the specification. */
export function metricsOfDocument(doc: Record<string, unknown>): ExtractedMetric[] {
  const aws = doc._aws;
  if (!isObject(aws)) fail('_aws must be an object');
  const ts = aws.Timestamp;
  if (typeof ts !== 'number' || !Number.isFinite(ts))
    fail('_aws.Timestamp must be a number of epoch milliseconds');
  const directives = aws.CloudWatchMetrics;
  if (!Array.isArray(directives)) fail('_aws.CloudWatchMetrics must be an array');
  const timestamp = new Date(ts);
  const out: ExtractedMetric[] = [];
  for (const [i, directive] of directives.entries()) {
    const where = `CloudWatchMetrics[${i}]`;
    if (!isObject(directive)) fail(`${where} must be an object`);
    const { Namespace: namespace, Dimensions: dimensionSets, Metrics: definitions } = directive;
    if (typeof namespace !== 'string' || namespace.length < 1 || namespace.length > 255) {
      fail(`${where}.Namespace must be a string of 1-255 characters`);
    }
    if (!Array.isArray(dimensionSets) || dimensionSets.length < 1) {
      fail(`${where}.Dimensions must be an array of dimension sets (at least one, which may be empty)`);
    }
    if (!Array.isArray(definitions)) fail(`${where}.Metrics must be an array`);
    if (definitions.length > MAX_METRICS)
      fail(`${where}.Metrics has ${definitions.length} definitions; at most ${MAX_METRICS}`);

    const sets = dimensionSets.map((set, j): Dimension[] => {
      if (!Array.isArray(set) || set.length > MAX_DIMENSION_KEYS) {
        fail(`${where}.Dimensions[${j}] must be an array of at most ${MAX_DIMENSION_KEYS} member names`);
      }
      return set.map((key) => {
        if (typeof key !== 'string' || key === '') fail(`${where}.Dimensions[${j}] holds a non-string name`);
        const value = doc[key];
        if (typeof value !== 'string')
          fail(`dimension target "${key}" must be a root member with a string value`);
        return { Name: key, Value: value };
      });
    });

    for (const [k, def] of definitions.entries()) {
      if (!isObject(def) || typeof def.Name !== 'string' || def.Name === '') {
        fail(`${where}.Metrics[${k}] must be an object with a Name`);
      }
      const unit = def.Unit ?? 'None';
      if (typeof unit !== 'string' || !UNITS.has(unit))
        fail(`${where}.Metrics[${k}].Unit "${String(unit)}" is not a CloudWatch unit`);
      const resolution = def.StorageResolution ?? 60;
      if (resolution !== 1 && resolution !== 60)
        fail(`${where}.Metrics[${k}].StorageResolution must be 1 or 60`);
      const target = doc[def.Name];
      const values = Array.isArray(target) ? target : [target];
      if (
        values.length < 1 ||
        values.length > MAX_VALUES ||
        !values.every((v) => typeof v === 'number' && Number.isFinite(v))
      ) {
        fail(`metric target "${def.Name}" must be a number or an array of 1-${MAX_VALUES} numbers`);
      }
      for (const dimensions of sets) {
        out.push({
          namespace,
          name: def.Name,
          unit: unit as StandardUnit,
          dimensions,
          values: values as number[],
          timestamp,
          storageResolution: resolution,
        });
      }
    }
  }
  return out;
}

/** Every metric in these log lines; lines without `_aws` are ordinary log lines and are skipped. */
export function extractEmf(lines: Iterable<string>): Extraction {
  const metrics: ExtractedMetric[] = [];
  const rejected: RejectedDocument[] = [];
  for (const line of lines) {
    const doc = documentOf(line);
    if (!doc || !('_aws' in doc)) continue;
    try {
      metrics.push(...metricsOfDocument(doc));
    } catch (err) {
      if (!(err instanceof EmfDocumentError)) throw err;
      rejected.push({ line, reason: err.message });
    }
  }
  return { metrics, rejected };
}

// Well under PutMetricData's per-request limits on metrics and payload size.
const DATUMS_PER_REQUEST = 20;

/** Puts the metrics with PutMetricData, as CloudWatch Logs does after extraction; returns how many were put. */
export async function putExtractedMetrics(
  cloudwatch: CloudWatchClient,
  metrics: readonly ExtractedMetric[],
): Promise<number> {
  const byNamespace = new Map<string, MetricDatum[]>();
  for (const m of metrics) {
    const datums = byNamespace.get(m.namespace) ?? [];
    datums.push({
      MetricName: m.name,
      Dimensions: m.dimensions.map((d) => ({ Name: d.Name, Value: d.Value })),
      Timestamp: m.timestamp,
      Unit: m.unit,
      Values: [...m.values],
      StorageResolution: m.storageResolution,
    });
    byNamespace.set(m.namespace, datums);
  }
  for (const [namespace, datums] of byNamespace) {
    for (let i = 0; i < datums.length; i += DATUMS_PER_REQUEST) {
      await cloudwatch.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: datums.slice(i, i + DATUMS_PER_REQUEST),
        }),
      );
    }
  }
  return metrics.length;
}

/**
 * Extracts the EMF metrics from a function's log lines and puts them; throws when a line is
 * an EMF document CloudWatch would reject (its metrics would silently never exist).
 */
export async function publishEmfLogs(
  cloudwatch: CloudWatchClient,
  lines: Iterable<string>,
): Promise<ExtractedMetric[]> {
  const { metrics, rejected } = extractEmf(lines);
  if (rejected.length > 0) {
    throw new EmfDocumentError(
      `CloudWatch would extract nothing from ${rejected.length} EMF line(s): ${rejected.map((r) => r.reason).join('; ')}`,
    );
  }
  await putExtractedMetrics(cloudwatch, metrics);
  return metrics;
}
