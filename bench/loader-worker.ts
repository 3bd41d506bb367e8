/**
 * One loader benchmark job in a fresh process (bundled by bench/loader.ts, run with plain
 * node): imports loader.mjs from the unzipped bundle and invokes its handler on one export
 * file, `runs` times. S3 and DynamoDB are the parent's fake endpoints (AWS_ENDPOINT_URL_S3,
 * AWS_ENDPOINT_URL_DYNAMODB); results and counter snapshots travel over the IPC channel.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { snapshot } from './counter-snapshot.js';
import type { FakeCounters } from './fake-dynamodb.js';

export interface LoaderJob {
  readonly bundleDir: string;
  readonly bucket: string;
  readonly key: string;
  readonly runs: number;
}

export interface LoaderRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly result: { done: boolean; nextLine: number; items: number; bytes: number };
  readonly counters: FakeCounters;
}

type Handler = (
  event: unknown,
  context: { getRemainingTimeInMillis(): number },
) => Promise<LoaderRun['result']>;

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_LOADER_JOB as string) as LoaderJob;
  const t0 = performance.now();
  const mod = (await import(pathToFileURL(`${job.bundleDir}/loader.mjs`).href)) as { handler: Handler };
  const initMs = performance.now() - t0;
  await snapshot();
  const runs: LoaderRun[] = [];
  for (let i = 0; i < job.runs; i++) {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    const result = await mod.handler(
      { bucket: job.bucket, key: job.key, startLine: 0 },
      { getRemainingTimeInMillis: () => 900_000 - (performance.now() - start) },
    );
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    runs.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, result, counters: await snapshot() });
  }
  process.send?.({ type: 'result', result: { initMs, runs } }, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
