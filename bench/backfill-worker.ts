/**
 * One `ddbsync backfill` in a fresh process (bundled by bench/loader.ts, run with plain
 * node): the CLI's own run() on the argv in BENCH_BACKFILL_ARGS, so its option defaults,
 * DescribeTable checks and clients are the ones the bin uses. The fake DynamoDB is the
 * parent's (AWS_ENDPOINT_URL); the result and the counters travel over the IPC channel.
 */
import { performance } from 'node:perf_hooks';
import { run } from '../cli/src/main.js';
import { snapshot } from './counter-snapshot.js';
import type { FakeCounters } from './fake-dynamodb.js';

export interface BackfillRun {
  readonly code: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly output: string;
  readonly counters: FakeCounters;
}

async function main(): Promise<void> {
  const argv = JSON.parse(process.env.BENCH_BACKFILL_ARGS as string) as string[];
  let output = '';
  const sink = { write: (s: string) => (output += s) };
  await snapshot(); // zero the endpoint's counters: only the backfill's requests count
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const code = await run(argv, { stdout: sink, stderr: sink, env: process.env });
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const result: BackfillRun = {
    code,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    output,
    counters: await snapshot(),
  };
  process.send?.({ type: 'result', result }, () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
