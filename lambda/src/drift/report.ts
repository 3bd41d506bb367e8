import { toEventImage } from '../lambda-event.js';
import type { DriftRun } from './run.js';

export interface ReportMeta {
  readonly sourceTable: string;
  readonly requestId: string;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly repair: boolean;
  readonly sampleItems: number;
}

/** The S3 key of a run's report: drift/<ISO time>-<request id>.json, so keys sort by time. */
export function reportKey(startedAt: number, requestId: string): string {
  return `drift/${new Date(startedAt).toISOString()}-${requestId}.json`;
}

/**
 * The run's report: counts per target and the keys of drifted items in DynamoDB JSON
 * (binaries base64), with the names of the attributes that differ; never item contents.
 */
export function driftReport(run: DriftRun, meta: ReportMeta) {
  return {
    sourceTable: meta.sourceTable,
    requestId: meta.requestId,
    startedAt: new Date(meta.startedAt).toISOString(),
    finishedAt: new Date(meta.finishedAt).toISOString(),
    repair: meta.repair,
    sampleItems: meta.sampleItems,
    sourceSampled: run.sourceSampled,
    wholeTable: run.wholeTable,
    heartbeatsSkipped: run.heartbeatsSkipped,
    targets: run.targets.map((t) => ({
      target: t.target,
      ...(t.error ? { error: `${t.error.name}: ${t.error.message.split('\n')[0]}` } : {}),
      sampledKeys: t.sampledKeys,
      drifted: t.drifted.length,
      settledOnRecheck: t.settledOnRecheck,
      changingOnRecheck: t.changingOnRecheck,
      onlyInTargetExpected: t.onlyInTargetExpected,
      ...(meta.repair ? { repaired: t.repaired, repairErrors: t.repairErrors } : {}),
      differences: t.drifted.map((d) => ({
        kind: d.kind,
        key: toEventImage(d.key),
        ...(d.attributes ? { attributes: d.attributes } : {}),
        ...(d.repaired !== undefined ? { repaired: d.repaired } : {}),
      })),
    })),
  };
}

export type DriftReport = ReturnType<typeof driftReport>;

export type PutReport = (bucket: string, key: string, body: string) => Promise<void>;

/**
 * Puts report objects with S3 PutObject. The S3 client is loaded on the first report, so
 * a run without a bucket never loads it.
 */
export function s3ReportWriter(region: string): PutReport {
  let client: Promise<{ put: PutReport }> | undefined;
  return async (bucket, key, body) => {
    client ??= import('@aws-sdk/client-s3').then(({ S3Client, PutObjectCommand }) => {
      // The report bucket may be in another region: follow S3's redirect instead of failing the run.
      const s3 = new S3Client({ region, followRegionRedirects: true, maxAttempts: 5 });
      return {
        put: async (b: string, k: string, text: string) => {
          await s3.send(
            new PutObjectCommand({ Bucket: b, Key: k, Body: text, ContentType: 'application/json' }),
          );
        },
      };
    });
    await (await client).put(bucket, key, body);
  };
}
