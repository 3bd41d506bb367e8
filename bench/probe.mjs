// Runs in a fresh `node` process for the benchmark (plain ESM, no loaders unless traced).
//   node probe.mjs init <entry.mjs>   prints the milliseconds the import of the entry took
//   node probe.mjs trace <entry.mjs>  imports the entry with loader hooks that record every
//                                     file loaded, then invokes the handler on one record
import { register } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [mode, entry] = process.argv.slice(2);
if (mode === 'trace') {
  register(new URL('./trace-hooks.mjs', import.meta.url), {
    data: { traceFile: process.env.BENCH_TRACE_FILE },
  });
}
const t0 = performance.now();
const mod = await import(pathToFileURL(entry).href);
const initMs = performance.now() - t0;
if (mode === 'init') {
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ initMs })}\n`);
} else {
  const record = {
    eventName: 'INSERT',
    dynamodb: {
      Keys: { pk: { S: 'trace' }, sk: { N: '1' } },
      NewImage: { pk: { S: 'trace' }, sk: { N: '1' }, v: { S: 'x' } },
      SequenceNumber: '100',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
  const out = await mod.handler({ Records: [record] }, { getRemainingTimeInMillis: () => 60_000 });
  process.stdout.write(`BENCH_RESULT ${JSON.stringify({ initMs, out })}\n`);
}
