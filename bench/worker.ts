/**
 * One benchmark job in a fresh process (bundled by bench/run.ts and run with plain node):
 * either the replicator's handler, imported from the unzipped bundle, or the per-record
 * baseline. The endpoint comes from AWS_ENDPOINT_URL_DYNAMODB, set by the parent, which
 * also runs the fake DynamoDB; results and counter snapshots travel over the IPC channel.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StreamEvent } from '#core';
import { planBatch } from '#core';
import { replicatePerRecord } from './baseline.js';
import { snapshot } from './counter-snapshot.js';
import type { FakeCounters } from './fake-dynamodb.js';
import { makeWorkload } from './workload.js';

export interface Job {
  kind: 'handler' | 'baseline';
  /** Directory holding the unzipped bundle (index.mjs), for handler jobs. */
  bundleDir?: string;
  records: number;
  keys: number;
  tables: string[];
  /** Invocations after the first (the first is reported on its own). */
  warmRuns: number;
  measureMemory?: boolean;
  /** Also time the planner alone (planBatch, from the same sources) on the batch. */
  measurePlan?: boolean;
}

export interface RunResult {
  wallMs: number;
  cpuMs: number;
  counters: FakeCounters;
}

export interface JobResult {
  initMs?: number;
  runs: RunResult[];
  /** Median milliseconds of planBatch alone on the batch. */
  planMs?: number;
  memory?: {
    rssAfterEventMb: number;
    peakRssMb: number;
    heapAfterEventMb: number;
    peakHeapMb: number;
  };
}

type Handler = (event: StreamEvent, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;

const mb = (n: number): number => Math.round((n / 1024 / 1024) * 10) / 10;

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_JOB as string) as Job;
  let run: () => Promise<unknown>;
  let initMs: number | undefined;
  const { records } = makeWorkload(job.records, job.keys);

  if (job.kind === 'handler') {
    const t0 = performance.now();
    const mod = (await import(pathToFileURL(`${job.bundleDir}/index.mjs`).href)) as { handler: Handler };
    initMs = performance.now() - t0;
    const event: StreamEvent = { Records: records };
    run = () => {
      const start = Date.now();
      return mod.handler(event, { getRemainingTimeInMillis: () => 900_000 - (Date.now() - start) });
    };
  } else {
    const client = new DynamoDBClient({ region: process.env.AWS_REGION, maxAttempts: 3 });
    run = () => replicatePerRecord(records, client, job.tables);
  }

  const heapAfterEvent = process.memoryUsage().heapUsed;
  const rssAfterEvent = process.memoryUsage.rss();
  let peakHeap = heapAfterEvent;
  const sampler = job.measureMemory
    ? setInterval(() => {
        const h = process.memoryUsage().heapUsed;
        if (h > peakHeap) peakHeap = h;
      }, 1)
    : undefined;

  await snapshot(); // zero the counters before the first invocation
  const runs: RunResult[] = [];
  for (let i = 0; i <= job.warmRuns; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    runs.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, counters: await snapshot() });
  }
  if (sampler) clearInterval(sampler);

  const result: JobResult = { initMs, runs };
  if (job.measurePlan) {
    const times: number[] = [];
    const settings = { excludeAttributes: new Set<string>(), skipTtlDeletes: false };
    for (let i = 0; i < 11; i++) {
      const t0 = performance.now();
      planBatch(records, settings);
      times.push(performance.now() - t0);
    }
    result.planMs = times.sort((a, b) => a - b)[5];
  }
  if (job.measureMemory) {
    const h = process.memoryUsage().heapUsed;
    if (h > peakHeap) peakHeap = h;
    result.memory = {
      rssAfterEventMb: mb(rssAfterEvent),
      peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
      heapAfterEventMb: mb(heapAfterEvent),
      peakHeapMb: mb(peakHeap),
    };
  }
  process.send?.({ type: 'result', result }, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
