/**
 * `make bench` (after bench/run.ts), or `npx tsx bench/loader.ts [--quick]`: the first-sync
 * loader's items per second in one invocation, against the same fake DynamoDB as the
 * replicator's benchmark (20 ms round trip) and a fake S3 serving one gzip export file.
 * The loader is the one `make build-lambda` builds (loader.mjs from the same zip), run in
 * a fresh node process; the endpoints run here. Then `ddbsync backfill` copying the same
 * items from a source table on the same fake endpoint, for comparison. Prints Markdown
 * (also .tmp/bench/loader.md).
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { backfillCommand } from '../cli/src/commands/backfill.js';
import { processIo } from '../cli/src/io.js';
import { buildZip } from '../scripts/build-lambda.js';
import type { BackfillRun } from './backfill-worker.js';
import { bundleWorker } from './bundle-worker.js';
import { FakeDynamoDb } from './fake-dynamodb.js';
import type { LoaderJob, LoaderRun } from './loader-worker.js';
import { makeWorkload } from './workload.js';

const QUICK = process.env.QUICK === '1' || process.argv.includes('--quick');
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 20);
const ITEMS = QUICK ? 20_000 : 50_000;
const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, '.tmp', 'bench');
const BUCKET = 'bench-exports';
const KEY = 'first-sync/bench/AWSDynamoDB/01767225600000-bench/data/part-0000.json.gz';
const TABLES = ['bench-replica-1', 'bench-replica-2', 'bench-replica-3'];
const SOURCE = 'bench-source';
/** Fresh backfill processes per row: the box is shared, so the median and the spread are shown. */
const BACKFILL_RUNS = QUICK ? 1 : 3;

interface Config {
  readonly label: string;
  readonly targets: number;
  readonly concurrency: number;
  readonly delayMs: number;
}

const CONFIGS: Config[] = [
  ...(QUICK ? [16, 64] : [16, 32, 64]).map((c) => ({
    label: `MAX_CONCURRENCY=${c}`,
    targets: 1,
    concurrency: c,
    delayMs: DELAY_MS,
  })),
  { label: 'three targets', targets: 3, concurrency: 64, delayMs: DELAY_MS },
  ...(QUICK
    ? []
    : [16, 64].map((c) => ({
        label: `far region, MAX_CONCURRENCY=${c}`,
        targets: 1,
        concurrency: c,
        delayMs: 80,
      }))),
  { label: 'zero round trip (CPU ceiling)', targets: 1, concurrency: 64, delayMs: 0 },
];

interface BackfillConfig {
  readonly label: string;
  /** --segments; undefined for the CLI's default. */
  readonly segments?: number;
  readonly delayMs: number;
}

// The command's own defaults (commander sets them when the options are declared), for the labels and the floor.
const BACKFILL_DEFAULTS = backfillCommand(processIo(), () => undefined).opts<{
  segments: number;
  pageSize: number;
  concurrency: number;
}>();
const BACKFILL_CONFIGS: BackfillConfig[] = [
  {
    label: `defaults (${BACKFILL_DEFAULTS.segments} segments, ${BACKFILL_DEFAULTS.pageSize}-item pages, ${BACKFILL_DEFAULTS.concurrency} writes in flight per segment)`,
    delayMs: DELAY_MS,
  },
  ...(QUICK ? [] : [{ label: '--segments 16', segments: 16, delayMs: DELAY_MS }]),
  { label: 'defaults, zero round trip (CPU ceiling)', delayMs: 0 },
];

/** A fake S3 that answers GetObject (path style, as the SDK sends to an IP endpoint) with one object. */
async function startFakeS3(key: string, body: Buffer): Promise<{ server: Server; endpoint: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] as string);
    if (req.method === 'GET' && path === `/${BUCKET}/${key}`) {
      res.writeHead(200, { 'Content-Type': 'application/x-gzip', 'Content-Length': body.length });
      res.end(body);
    } else {
      const xml =
        '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>not in the bench</Message></Error>';
      res.writeHead(404, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) });
      res.end(xml);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Runs a bundled worker in a fresh node process, answering its counter snapshots, and resolves to its result. */
function runWorker<R>(fake: FakeDynamoDb, worker: string, env: NodeJS.ProcessEnv): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(work, worker)], {
      env,
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let result: R | undefined;
    child.on('message', (m: { type: string; result?: R }) => {
      if (m.type === 'snapshot') child.send({ type: 'counters', counters: fake.takeCounters() });
      else if (m.type === 'result') result = m.result;
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`${worker} exited with ${code}`)),
    );
  });
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/** The median, and the lowest and highest when there are several. */
const spread = (xs: readonly number[], digits = 0): string =>
  xs.length > 1
    ? `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)} to ${fmt(Math.max(...xs), digits)})`
    : fmt(xs[0] ?? Number.NaN, digits);

/** True when `table` on the fake holds exactly the workload's items. */
function holdsAll(fake: FakeDynamoDb, table: string, expected: ReadonlyMap<string, unknown>): boolean {
  const t = fake.tables.get(table);
  return (
    t?.size === expected.size && [...expected].every(([key, item]) => isDeepStrictEqual(t.get(key), item))
  );
}

async function main(): Promise<void> {
  await mkdir(work, { recursive: true });
  const log = (s: string) => process.stderr.write(`${s}\n`);

  // The bundle as `make build-lambda` builds it, unpacked; the worker bundled to plain ESM.
  const bundleDir = join(work, 'loader-bundle');
  for (const [name, data] of Object.entries(unzipSync(await buildZip('first-sync')))) {
    await mkdir(join(bundleDir, name, '..'), { recursive: true });
    await writeFile(join(bundleDir, name), data);
  }
  await bundleWorker(join(root, 'bench', 'loader-worker.ts'), join(work, 'loader-worker.mjs'));
  await bundleWorker(join(root, 'bench', 'backfill-worker.ts'), join(work, 'backfill-worker.mjs'));

  // One export data file of ITEMS distinct ~600-byte order items, as DynamoDB writes it.
  const { records, expected } = makeWorkload(ITEMS, ITEMS);
  const text = records.map((r) => `${JSON.stringify({ Item: r.dynamodb?.NewImage })}\n`).join('');
  const gz = gzipSync(Buffer.from(text));
  const s3 = await startFakeS3(KEY, gz);
  const fake = new FakeDynamoDb({ delayMs: DELAY_MS, keyNames: ['pk', 'sk'] });
  const dynamoEndpoint = await fake.start();
  log(
    `export file: ${fmt(ITEMS)} items, ${fmt(text.length / 1e6, 1)} MB (${fmt(gz.length / 1e6, 1)} MB gzip)`,
  );

  const awsEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIABENCH',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING: '1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
  };
  const rows: string[] = [];
  const backfillRows: string[] = [];
  const results: unknown[] = [];
  let allCorrect = true;
  try {
    for (const config of CONFIGS) {
      fake.reset({ delayMs: config.delayMs });
      const env: NodeJS.ProcessEnv = {
        ...awsEnv,
        AWS_LAMBDA_FUNCTION_NAME: 'ddbsync-bench-loader',
        POWERTOOLS_METRICS_NAMESPACE: 'ddbsync-bench',
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        REPLICATION_TARGETS: JSON.stringify(
          TABLES.slice(0, config.targets).map((tableName) => ({ tableName })),
        ),
        KEY_ATTRIBUTES: 'pk,sk',
        MAX_CONCURRENCY: String(config.concurrency),
      };
      log(`loader: ${config.label}, ${config.targets} target(s), ${config.delayMs} ms round trip`);
      const job: LoaderJob = { bundleDir, bucket: BUCKET, key: KEY, runs: QUICK ? 2 : 3 };
      const out = await runWorker<{ initMs: number; runs: LoaderRun[] }>(fake, 'loader-worker.mjs', {
        ...env,
        BENCH_LOADER_JOB: JSON.stringify(job),
      });
      // Correct when every target holds every item exactly as exported.
      const correct =
        out.runs.every((r) => r.result.done && r.result.items === ITEMS) &&
        TABLES.slice(0, config.targets).every((t) => holdsAll(fake, t, expected));
      allCorrect &&= correct;
      // The first invocation connects; the figure is the best of the later ones (the least disturbed by other work).
      const warm = out.runs.slice(1);
      const best = warm.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
      const itemsPerSecond = (ITEMS / best.wallMs) * 1000;
      const requestsPerTarget = best.counters.batchRequests / config.targets;
      const floorMs = Math.ceil(requestsPerTarget / config.concurrency) * config.delayMs;
      results.push({
        ...config,
        initMs: out.initMs,
        runs: out.runs.map(({ counters, ...r }) => ({ ...r, counters })),
        correct,
      });
      rows.push(
        `| ${config.label} | ${config.targets} | ${config.delayMs} ms | ${fmt(best.counters.batchRequests)} | ${best.counters.maxInFlight} | ` +
          `${fmt(out.runs[0]?.wallMs ?? 0)} ms | ${fmt(best.wallMs)} ms | **${fmt(itemsPerSecond)}** | ${fmt(best.cpuMs)} ms (${fmt((best.cpuMs / best.wallMs) * 100)} %) | ${fmt((ITEMS / best.cpuMs) * 1000)} | ` +
          `${config.delayMs > 0 ? `${fmt(floorMs)} ms` : '-'} | ${correct ? 'yes' : 'NO'} |`,
      );
    }

    // `ddbsync backfill` from a source table holding the same items, to one target on the same endpoint.
    const argv = [
      'backfill',
      '--source-table',
      SOURCE,
      '--targets',
      JSON.stringify([{ tableName: TABLES[0] }]),
    ];
    for (const config of BACKFILL_CONFIGS) {
      log(`backfill: ${config.label}, ${config.delayMs} ms round trip, ${BACKFILL_RUNS} run(s)`);
      const runs: BackfillRun[] = [];
      const endpointCpuMs: number[] = [];
      let correct = true;
      for (let i = 0; i < BACKFILL_RUNS; i++) {
        fake.reset({ delayMs: config.delayMs });
        fake.load(SOURCE, expected.values() as Iterable<Record<string, unknown>>);
        const endpointCpu0 = process.cpuUsage();
        const run = await runWorker<BackfillRun>(fake, 'backfill-worker.mjs', {
          ...awsEnv,
          BENCH_BACKFILL_ARGS: JSON.stringify([
            ...argv,
            ...(config.segments ? ['--segments', String(config.segments)] : []),
          ]),
        });
        const endpointCpu = process.cpuUsage(endpointCpu0);
        endpointCpuMs.push((endpointCpu.user + endpointCpu.system) / 1000);
        if (run.code !== 0) log(run.output);
        correct &&=
          run.code === 0 &&
          run.counters.scannedItems === ITEMS &&
          holdsAll(fake, TABLES[0] as string, expected);
        runs.push(run);
      }
      allCorrect &&= correct;
      results.push({ backfill: config, runs, endpointCpuMs, correct });
      const c = runs[0]?.counters;
      // Each segment's pages one after another: a Scan, then the page's writes, `concurrency` at a time.
      const segments = config.segments ?? BACKFILL_DEFAULTS.segments;
      const writeTrips = Math.ceil(
        Math.ceil(BACKFILL_DEFAULTS.pageSize / 25) / BACKFILL_DEFAULTS.concurrency,
      );
      const floorMs = Math.ceil((c?.scanRequests ?? 0) / segments) * (1 + writeTrips) * config.delayMs;
      backfillRows.push(
        `| ${config.label} | ${config.delayMs} ms | ${fmt(c?.scanRequests ?? 0)} | ${fmt(c?.batchRequests ?? 0)} | ${c?.maxInFlight ?? 0} | ` +
          `${spread(runs.map((r) => r.wallMs))} ms | **${spread(runs.map((r) => (ITEMS / r.wallMs) * 1000))}** | ` +
          `${spread(runs.map((r) => (r.cpuMs / r.wallMs) * 100))} % | ${spread(
            runs.map((r) => (r.cpuMs / ITEMS) * 1000),
            1,
          )} | ` +
          `${config.delayMs > 0 ? `${fmt(floorMs)} ms` : '-'} | ${spread(endpointCpuMs)} ms | ${correct ? 'yes' : 'NO'} |`,
      );
    }
  } finally {
    await fake.stop();
    await new Promise<void>((resolve) => s3.server.close(() => resolve()));
  }

  const report = [
    `Machine: ${cpus().length} CPUs, Node ${process.version}, load average ${loadavg()[0]?.toFixed(2)} at the end; ` +
      `one export file of ${fmt(ITEMS)} items (~600 bytes, ${fmt(text.length / 1e6, 1)} MB, ${fmt(gz.length / 1e6, 1)} MB gzip); ` +
      `${QUICK ? 2 : 3} invocations per row in one process, the best after the first shown.`,
    '',
    '| Run | Targets | Round trip | BatchWriteItem requests | Most in flight | First invocation | Best later invocation | Items/s | Loader CPU (share of wall) | Items per CPU-second | Network floor | Every item on every target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
    `\`ddbsync backfill\` (the CLI's run() in a fresh node process per run, ${BACKFILL_RUNS} run(s) per row: median (lowest to highest)), ` +
      `copying the same ${fmt(ITEMS)} items from a source table on the same endpoint to one target; wall and CPU from the command's start to its exit code.`,
    '',
    '| Backfill | Round trip | Scan requests | BatchWriteItem requests | Most in flight | Wall | Items/s | CPU (share of wall) | CPU per item (µs) | Network floor | Endpoint CPU | Every item on the target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...backfillRows,
  ].join('\n');
  process.stdout.write(`${report}\n`);
  await writeFile(join(work, 'loader.md'), `${report}\n`);
  await writeFile(join(work, 'loader.json'), JSON.stringify(results, null, 2));
  if (!allCorrect) process.exitCode = 1;
}

await main();
