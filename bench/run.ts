/**
 * `make bench` (and `make bench QUICK=1`): measures the replicator against a local fake
 * DynamoDB on 127.0.0.1 and prints a Markdown report (also written to .tmp/bench/).
 * Every figure is a ratio measured side by side in this one run; see BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { type BuildOptions, build } from 'esbuild';
import { unzipSync } from 'fflate';
import { buildZip, bundleReplicator, makeBuildDir } from '../scripts/build-lambda.js';
import { bundleWorker } from './bundle-worker.js';
import { FakeDynamoDb } from './fake-dynamodb.js';
import type { Job, JobResult, RunResult } from './worker.js';
import { makeWorkload } from './workload.js';

const QUICK = process.env.QUICK === '1' || process.argv.includes('--quick');
const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 20);
const FLOOR_CONCURRENCY = 16;
const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, '.tmp', 'bench');
const zipPath = join(root, 'dist', 'replicator.zip');
const TABLES = ['bench-replica-1', 'bench-replica-2', 'bench-replica-3'];

const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIABENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  // Node 20 here, nodejs22.x on Lambda: skip the SDK's Node-version warning (it writes to
  // stderr during client construction, which would count in the init times).
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_LAMBDA_FUNCTION_NAME: 'ddbsync-bench',
  POWERTOOLS_METRICS_NAMESPACE: 'ddbsync-bench',
  ...extra,
});
const targetsJson = (n: number, role = false): string =>
  JSON.stringify(
    TABLES.slice(0, n).map((tableName) => ({
      tableName,
      ...(role ? { roleArn: 'arn:aws:iam::222222222222:role/ddbsync-bench' } : {}),
    })),
  );

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

/** Same esbuild settings as scripts/build-lambda.ts, for the minimal comparison bundle. */
const LAMBDA_LIKE: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
};

async function prepare(): Promise<{
  bundleDir: string;
  minimalDir: string;
  zipCurrent: boolean;
  zipBytes: number;
  packages: Map<string, string[]>;
}> {
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  // The function as `make build-lambda` builds it from the current sources, unpacked; and
  // whether the committed dist/replicator.zip is that same zip.
  const built = await buildZip();
  const committed = await readFile(zipPath).catch(() => undefined);
  const zipCurrent = committed !== undefined && Buffer.compare(committed, Buffer.from(built)) === 0;
  const bundleDir = join(work, 'replicator');
  for (const [name, data] of Object.entries(unzipSync(built))) {
    await mkdir(join(bundleDir, name, '..'), { recursive: true });
    await writeFile(join(bundleDir, name), data);
  }
  // The same build with its source maps, to name the packages in each chunk. It goes where
  // buildZip builds: the chunk hashes depend on the maps' relative source paths.
  const mapsDir = await makeBuildDir();
  let packages: Map<string, string[]>;
  try {
    await bundleReplicator(mapsDir);
    packages = await chunkPackages(mapsDir);
  } finally {
    await rm(mapsDir, { recursive: true, force: true });
  }
  // The minimal bundle: nothing but a DynamoDB client, built the same way.
  const minimalDir = join(work, 'minimal');
  const entry = join(work, 'minimal-entry.ts');
  await writeFile(
    entry,
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n" +
      'const client = new DynamoDBClient({});\n' +
      'export const handler = async () => client.config.apiVersion;\n',
  );
  await build({
    ...LAMBDA_LIKE,
    entryPoints: { index: entry },
    outdir: minimalDir,
    nodePaths: [join(root, 'node_modules')],
  });
  // The worker runs under plain node (no tsx loader in the measured process).
  await bundleWorker(join(root, 'bench', 'worker.ts'), join(work, 'worker.mjs'));
  return { bundleDir, minimalDir, zipCurrent, zipBytes: built.byteLength, packages };
}

function runNode(
  args: string[],
  childEnv: NodeJS.ProcessEnv,
): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, code }));
  });
}

function benchResult<T>(stdout: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`probe printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('BENCH_RESULT '.length)) as T;
}

function runJob(
  fake: FakeDynamoDb,
  job: Job,
  childEnv: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(work, 'worker.mjs')], {
      env: { ...childEnv, BENCH_JOB: JSON.stringify(job) },
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let result: JobResult | undefined;
    child.on('message', (m: { type: string; result?: JobResult }) => {
      if (m.type === 'snapshot') {
        child.send({ type: 'counters', counters: fake.takeCounters() });
      } else if (m.type === 'result') {
        result = m.result;
      }
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      result ? resolve(result) : reject(new Error(`worker exited with ${code} for ${JSON.stringify(job)}`)),
    );
  });
}

/** Checks that every target table ended in the state the workload's last changes describe. */
function verify(fake: FakeDynamoDb, records: number, keys: number, tables: string[]): boolean {
  const { expected } = makeWorkload(records, keys);
  for (const table of tables) {
    const state = fake.tables.get(table);
    if (!state) return false;
    for (const [key, image] of expected) {
      const got = state.get(key);
      if (image === undefined ? got !== undefined : !isDeepStrictEqual(got, image)) return false;
    }
  }
  return true;
}

interface HandlerRow {
  records: number;
  keys: number;
  targets: number;
  delayMs: number;
  note: string;
  firstMs: number;
  warmMs: number;
  cpuMs: number;
  requests: number;
  items: number;
  retries: number;
  maxInFlight: number;
  floorMs: number;
  correct: boolean;
  result: JobResult;
}

async function handlerJob(
  fake: FakeDynamoDb,
  bundleDir: string,
  endpoint: string,
  o: {
    records: number;
    keys: number;
    targets: number;
    delayMs?: number;
    throttleRate?: number;
    unprocessedRate?: number;
    warmRuns?: number;
    measureMemory?: boolean;
    measurePlan?: boolean;
    note?: string;
    maxConcurrency?: number;
  },
): Promise<HandlerRow> {
  const delayMs = o.delayMs ?? DELAY_MS;
  const tables = TABLES.slice(0, o.targets);
  fake.reset({ delayMs, throttleRate: o.throttleRate ?? 0, unprocessedRate: o.unprocessedRate ?? 0 });
  const job: Job = {
    kind: 'handler',
    bundleDir,
    records: o.records,
    keys: o.keys,
    tables,
    warmRuns: o.warmRuns ?? (QUICK ? 3 : 7),
    measureMemory: o.measureMemory ?? false,
    measurePlan: o.measurePlan ?? false,
  };
  const result = await runJob(
    fake,
    job,
    env({
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      REPLICATION_TARGETS: targetsJson(o.targets),
      ...(o.maxConcurrency ? { MAX_CONCURRENCY: String(o.maxConcurrency) } : {}),
    }),
  );
  const correct = verify(fake, o.records, o.keys, tables);
  const [first, ...warm] = result.runs as [RunResult, ...RunResult[]];
  const w = warm.length > 0 ? warm : [first];
  const requests = median(w.map((r) => r.counters.batchRequests));
  const items = median(w.map((r) => r.counters.items));
  const firstTries = Math.ceil(Math.min(o.records, o.keys) / 25) * o.targets;
  return {
    records: o.records,
    keys: o.keys,
    targets: o.targets,
    delayMs,
    note: o.note ?? '',
    firstMs: first.wallMs,
    warmMs: median(w.map((r) => r.wallMs)),
    cpuMs: median(w.map((r) => r.cpuMs)),
    requests,
    items,
    retries: Math.max(0, requests - firstTries),
    maxInFlight: Math.max(...w.map((r) => r.counters.maxInFlight)),
    floorMs: Math.ceil(requests / o.targets / FLOOR_CONCURRENCY) * delayMs,
    correct,
    result,
  };
}

async function initTimes(bundleDir: string, minimalDir: string, runs: number) {
  const probe = join(root, 'bench', 'probe.mjs');
  const e = env({ REPLICATION_TARGETS: targetsJson(1) });
  const replicator: number[] = [];
  const minimal: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Alternate, so drift in machine load hits both alike.
    for (const [dir, out] of [
      [bundleDir, replicator],
      [minimalDir, minimal],
    ] as const) {
      const { stdout } = await runNode([probe, 'init', join(dir, 'index.mjs')], e);
      out.push(benchResult<{ initMs: number }>(stdout).initMs);
    }
  }
  return { replicator: median(replicator), minimal: median(minimal), runs };
}

async function chunkTrace(bundleDir: string, endpoint: string, role: boolean) {
  const traceFile = join(work, `trace-${role ? 'role' : 'norole'}.txt`);
  await writeFile(traceFile, '');
  const probe = join(root, 'bench', 'probe.mjs');
  const { stdout } = await runNode(
    [probe, 'trace', join(bundleDir, 'index.mjs')],
    env({
      BENCH_TRACE_FILE: traceFile,
      REPLICATION_TARGETS: targetsJson(1, role),
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ENDPOINT_URL_STS: endpoint,
    }),
  );
  const r = benchResult<{ out: { batchItemFailures: unknown[] } }>(stdout);
  const loaded = (await readFile(traceFile, 'utf8'))
    .split('\n')
    .filter((u) => u.includes('/replicator/'))
    .map((u) => u.slice(u.indexOf('/replicator/') + '/replicator/'.length));
  return { loaded: [...new Set(loaded)].sort(), ok: r.out.batchItemFailures.length === 0 };
}

/** chunk file → the npm packages in it, from the source maps of a fresh build. */
async function chunkPackages(fresh: string): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  const files = (await readdir(fresh, { recursive: true })).filter((f) => f.endsWith('.mjs.map'));
  for (const f of files) {
    const sm = JSON.parse(await readFile(join(fresh, f), 'utf8')) as { sources: string[] };
    const pkgs = new Set<string>();
    for (const s of sm.sources) {
      const i = s.lastIndexOf('node_modules/');
      if (i < 0) {
        pkgs.add('ddbsync');
        continue;
      }
      const parts = s.slice(i + 13).split('/');
      pkgs.add((parts[0] as string).startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string));
    }
    map.set(f.replace(/\\/g, '/').replace(/\.map$/, ''), [...pkgs]);
  }
  return map;
}

async function baselineJob(fake: FakeDynamoDb, endpoint: string, records: number, keys: number) {
  fake.reset({ delayMs: DELAY_MS, throttleRate: 0, unprocessedRate: 0 });
  const job: Job = { kind: 'baseline', records, keys, tables: TABLES.slice(0, 1), warmRuns: 0 };
  const result = await runJob(fake, job, env({ AWS_ENDPOINT_URL_DYNAMODB: endpoint }));
  const run = result.runs[0] as RunResult;
  return {
    records,
    wallMs: run.wallMs,
    requests: run.counters.putItemRequests + run.counters.deleteItemRequests,
    correct: verify(fake, records, keys, TABLES.slice(0, 1)),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = loadavg()[0] as number;
  log(`bench: ${QUICK ? 'QUICK subset' : 'full run'}, delay ${DELAY_MS} ms`);
  const { bundleDir, minimalDir, zipCurrent, zipBytes, packages } = await prepare();
  const fake = new FakeDynamoDb({ delayMs: DELAY_MS });
  const endpoint = await fake.start();
  try {
    log('init time (fresh processes)…');
    const init = await initTimes(bundleDir, minimalDir, QUICK ? 7 : 15);

    log('chunk trace…');
    const noRole = await chunkTrace(bundleDir, endpoint, false);
    const withRole = await chunkTrace(bundleDir, endpoint, true);
    const stsCounter = fake.counters.stsRequests;

    log('handler workloads…');
    const rows: HandlerRow[] = [];
    for (const records of [100, 1_000, 10_000]) {
      for (const keys of [...new Set([10, records / 5, records])]) {
        for (const targets of [1, 3]) {
          const row = await handlerJob(fake, bundleDir, endpoint, { records, keys, targets });
          rows.push(row);
          log(`  ${records} records / ${keys} keys / ${targets} target(s): ${fmt(row.warmMs)} ms`);
        }
      }
    }
    log('throttling…');
    const throttled = [
      await handlerJob(fake, bundleDir, endpoint, {
        records: 10_000,
        keys: 2_000,
        targets: 1,
        unprocessedRate: 0.1,
        note: '10 % of items UnprocessedItems',
      }),
      await handlerJob(fake, bundleDir, endpoint, {
        records: 10_000,
        keys: 2_000,
        targets: 1,
        throttleRate: 0.1,
        note: '10 % of requests throttled',
      }),
    ];
    log('MAX_CONCURRENCY…');
    const concurrency = [];
    // The default is 64; show the headline workload and the all-distinct-keys one either side of it.
    for (const keys of [2_000, 10_000]) {
      for (const maxConcurrency of [32, 128]) {
        concurrency.push(
          await handlerJob(fake, bundleDir, endpoint, {
            records: 10_000,
            keys,
            targets: 1,
            maxConcurrency,
            note: `MAX_CONCURRENCY=${maxConcurrency}`,
          }),
        );
      }
    }
    log('CPU (zero delay) and memory…');
    const cpu = await handlerJob(fake, bundleDir, endpoint, {
      records: 10_000,
      keys: 2_000,
      targets: 1,
      delayMs: 0,
      warmRuns: QUICK ? 5 : 15,
      measurePlan: true,
    });
    const mem = await handlerJob(fake, bundleDir, endpoint, {
      records: 10_000,
      keys: 2_000,
      targets: 1,
      warmRuns: 2,
      measureMemory: true,
    });

    log('per-record baseline…');
    const baselineSizes = QUICK ? [100, 1_000] : [100, 1_000, 10_000];
    const baseline = [];
    for (const n of baselineSizes) {
      const b = await baselineJob(fake, endpoint, n, n / 5);
      baseline.push(b);
      log(`  baseline ${n} records: ${fmt(b.wallMs / 1000, 2)} s`);
    }

    // ---- report ----
    const target = rows.find(
      (r) => r.records === 10_000 && r.keys === 2_000 && r.targets === 1,
    ) as HandlerRow;
    const b10k = baseline.find((b) => b.records === 10_000);
    const b1k = baseline.find((b) => b.records === 1_000) as (typeof baseline)[number];
    const baselineWall = b10k ? b10k.wallMs : b1k.wallMs * 10;
    const baselineReq = b10k ? b10k.requests : b1k.requests * 10;
    const baselineHow = b10k ? 'measured' : 'EXTRAPOLATED linearly (10 x the 1,000-record run; QUICK=1)';
    const credChunks = [...packages]
      .filter(([, p]) => p.includes('@aws-sdk/credential-providers'))
      .map(([f]) => f);
    const stsChunks = [...packages]
      .filter(([, p]) => p.some((x) => x === '@aws-sdk/nested-clients'))
      .map(([f]) => f);
    const loadedCred = (l: string[]) => credChunks.filter((c) => l.includes(c));
    const cpuInfo = (await readFile('/proc/cpuinfo', 'utf8').catch(() => '')).match(
      /model name\s*:\s*(.*)/,
    )?.[1];

    const speed = baselineWall / target.warmMs;
    const fewer = baselineReq / target.requests;
    const vsFloor = target.warmMs / target.floorMs;
    const initRatio = init.replicator / init.minimal;
    const lines: string[] = [];
    const p = (s = ''): void => {
      lines.push(s);
    };
    p(`## Results (${new Date().toISOString().slice(0, 10)}, \`make bench${QUICK ? ' QUICK=1' : ''}\`)`);
    p();
    p(
      `Machine: ${cpus().length} CPUs (nproc), ${cpuInfo ?? 'unknown CPU'}, Node ${process.version}; ` +
        `load average ${fmt(loadBefore, 2)} at the start and ${fmt(loadavg()[0] as number, 2)} at the end (other work on the machine slows the wall times); ` +
        `fake DynamoDB round trip ${DELAY_MS} ms; dist/replicator.zip ${zipCurrent ? 'matches the sources' : 'is NOT what the sources build (figures are for the sources; run make build-lambda)'}.`,
    );
    p();
    p('### Targets (10,000 records over 2,000 keys, one target)');
    p();
    p('| Figure | Measured | Target | Met |');
    p('|---|---|---|---|');
    const yes = (b: boolean): string => (b ? 'yes' : '**no**');
    p(
      `| Wall time vs per-record baseline | ${fmt(baselineWall / 1000, 1)} s / ${fmt(target.warmMs)} ms = **${fmt(speed, 0)}x** faster (first invocation: ${fmt(baselineWall / target.firstMs, 0)}x); baseline ${baselineHow} | ≥ 1,000x | ${yes(speed >= 1000)} |`,
    );
    p(
      `| Write requests vs baseline | ${baselineReq} / ${target.requests} = **${fmt(fewer, 0)}x** fewer | ≥ 100x | ${yes(fewer >= 100)} |`,
    );
    p(
      `| Wall time vs network floor ceil(${target.requests}/16) x ${DELAY_MS} ms = ${target.floorMs} ms | ${fmt(target.warmMs)} ms = **${fmt(vsFloor, 2)}x** (first invocation ${fmt(target.firstMs / target.floorMs, 2)}x) | ≤ 1.5x | ${yes(vsFloor <= 1.5)} |`,
    );
    p(
      `| Handler CPU per 10,000 records (zero delay, median of ${cpu.result.runs.length - 1}) | **${fmt(cpu.cpuMs)} ms** CPU, ${fmt(cpu.warmMs)} ms wall; of which planning (planBatch alone, median of 11) ${fmt(cpu.result.planMs ?? Number.NaN)} ms | small | - |`,
    );
    p(
      `| Module init (import of index.mjs), median of ${init.runs} fresh processes | ${fmt(init.replicator)} ms vs minimal DynamoDB-client bundle ${fmt(init.minimal)} ms = **${fmt(initRatio, 2)}x** | ≤ 1.3x | ${yes(initRatio <= 1.3)} |`,
    );
    p(
      `| Zip size (built from the sources) | **${fmt(zipBytes / 1024)} KB** (${zipBytes} bytes) | < 250 KB | ${yes(zipBytes < 250 * 1024)} |`,
    );
    const m = mem.result.memory;
    if (m) {
      p(
        `| Peak memory, 10,000-record batch | RSS ${m.peakRssMb} MB peak (${m.rssAfterEventMb} MB with the event built, before the first invocation); heap ${m.peakHeapMb} MB peak (${m.heapAfterEventMb} MB before) | - | - |`,
      );
    }
    const credNo = loadedCred(noRole.loaded);
    const credYes = loadedCred(withRole.loaded);
    p(
      `| STS/credential code loaded only for role targets | no role: ${credNo.length === 0 ? 'credential-providers chunk **not loaded**' : `**loaded** (${credNo.join(', ')})`}; with a role: ${credYes.length > 0 ? `**loaded** (${credYes.join(', ')}), ${stsCounter} AssumeRole call(s)` : '**not loaded**'} | loaded only with a role | ${yes(credNo.length === 0 && credYes.length > 0 && noRole.ok && withRole.ok)} |`,
    );
    p();
    p(`### Handler, ${DELAY_MS} ms round trip (median of the warm invocations; the first shown apart)`);
    p();
    p(
      '| Records | Keys | Targets | Write requests | Items | Most in flight | Network floor | First invocation | Warm (median) | Warm / floor | CPU (ms) | Final state correct |',
    );
    p('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of [...rows, ...throttled, ...concurrency]) {
      p(
        `| ${r.records.toLocaleString('en')}${r.note ? ` (${r.note})` : ''} | ${r.keys.toLocaleString('en')} | ${r.targets} | ${r.requests} | ${r.items} | ${r.maxInFlight} | ${r.floorMs} ms | ${fmt(r.firstMs)} ms | ${fmt(r.warmMs)} ms | ${fmt(r.warmMs / r.floorMs, 2)}x | ${fmt(r.cpuMs)} | ${r.correct ? 'yes' : '**NO**'} |`,
      );
    }
    p();
    p('### Per-record baseline (PutItem/DeleteItem per record, awaited in order; one target)');
    p();
    p('| Records | Requests | Wall time | Per request | Final state correct |');
    p('|---:|---:|---:|---:|---|');
    for (const b of baseline) {
      p(
        `| ${b.records.toLocaleString('en')} | ${b.requests} | ${fmt(b.wallMs / 1000, 2)} s | ${fmt(b.wallMs / b.requests, 2)} ms | ${b.correct ? 'yes' : '**NO**'} |`,
      );
    }
    p();
    p('### Chunks loaded (import plus one invocation)');
    p();
    const label = (f: string): string => `${f} (${(packages.get(f) ?? []).join(', ') || 'shared'})`;
    p(`- No role (${noRole.loaded.length} files): ${noRole.loaded.map(label).join('; ')}`);
    p(`- With a role (${withRole.loaded.length} files): ${withRole.loaded.map(label).join('; ')}`);
    p(
      `- Never loaded in either: ${[...packages.keys()]
        .filter((f) => !noRole.loaded.includes(f) && !withRole.loaded.includes(f))
        .map(label)
        .join('; ')}`,
    );
    p(`- STS chunks (nested-clients): ${stsChunks.join(', ')}`);
    p();
    p(`Bench took ${fmt((Date.now() - started) / 1000, 0)} s.`);

    const report = lines.join('\n');
    await writeFile(join(work, 'results.md'), `${report}\n`);
    await writeFile(
      join(work, 'results.json'),
      JSON.stringify(
        { init, zipBytes, rows, throttled, concurrency, cpu, mem, baseline, noRole, withRole },
        null,
        2,
      ),
    );
    process.stdout.write(`${report}\n`);
    const allCorrect =
      [...rows, ...throttled, cpu, mem].every((r) => r.correct) && baseline.every((b) => b.correct);
    if (!allCorrect || !zipCurrent) process.exitCode = 1;
  } finally {
    await fake.stop();
  }
}

/** `--profile`: CPU profile of the handler on 10,000 records / 2,000 keys, summed by function. */
async function profile(): Promise<void> {
  await prepare();
  // Unminified, so that the profile names functions; otherwise built like the zip.
  const bundleDir = join(work, 'prof-bundle');
  await build({
    ...LAMBDA_LIKE,
    minify: false,
    entryPoints: { index: join(root, 'lambda/src/index.ts') },
    outdir: bundleDir,
  });
  const delayMs = Number(process.env.BENCH_DELAY_MS ?? 0);
  const fake = new FakeDynamoDb({ delayMs });
  const endpoint = await fake.start();
  const dir = join(work, 'prof');
  try {
    const job: Job = {
      kind: 'handler',
      bundleDir,
      records: 10_000,
      keys: 2_000,
      tables: TABLES.slice(0, 1),
      warmRuns: 20,
    };
    await runJob(
      fake,
      job,
      env({ AWS_ENDPOINT_URL_DYNAMODB: endpoint, REPLICATION_TARGETS: targetsJson(1) }),
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200'],
    );
  } finally {
    await fake.stop();
  }
  const file = (await readdir(dir))[0] as string;
  const prof = JSON.parse(await readFile(join(dir, file), 'utf8')) as {
    nodes: {
      id: number;
      callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const n = byId.get(id);
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    if (!n) return;
    const f = n.callFrame;
    const where = f.url
      ? `${f.url.replace(/.*\/replicator\//, '').replace(/.*\//, '')}:${f.lineNumber}:${f.columnNumber}`
      : '';
    const k = `${f.functionName || '(anon)'} ${where}`;
    self.set(k, (self.get(k) ?? 0) + dt);
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
  process.stdout.write(`total ${fmt(total / 1000)} ms sampled\n`);
  for (const [k, us] of top) process.stdout.write(`${fmt(us / 1000).padStart(9)} ms  ${k}\n`);
}

/** `--target-only`: just the headline workload (10,000 records / 2,000 keys), for quick iteration. */
async function targetOnly(): Promise<void> {
  const { bundleDir } = await prepare();
  const fake = new FakeDynamoDb({ delayMs: DELAY_MS });
  const endpoint = await fake.start();
  try {
    for (const delayMs of [DELAY_MS, 0]) {
      const r = await handlerJob(fake, bundleDir, endpoint, {
        records: 10_000,
        keys: 2_000,
        targets: 1,
        delayMs,
        ...(process.env.BENCH_MAX_CONCURRENCY
          ? { maxConcurrency: Number(process.env.BENCH_MAX_CONCURRENCY) }
          : {}),
      });
      const line = `delay ${delayMs} ms: first ${fmt(r.firstMs)} ms, warm ${fmt(r.warmMs)} ms, floor ${r.floorMs} ms, cpu ${fmt(r.cpuMs)} ms, ${r.requests} requests, correct ${r.correct}`;
      process.stdout.write(`${line}\n`);
    }
    const r = await handlerJob(fake, bundleDir, endpoint, {
      records: 10_000,
      keys: 10_000,
      targets: 1,
      maxConcurrency: 128,
    });
    process.stdout.write(
      `10,000 keys, MAX_CONCURRENCY=128: warm ${fmt(r.warmMs)} ms, most in flight ${r.maxInFlight}, ${r.requests} requests\n`,
    );
  } finally {
    await fake.stop();
  }
}

if (process.argv.includes('--profile')) await profile();
else if (process.argv.includes('--target-only')) await targetOnly();
else await main();
