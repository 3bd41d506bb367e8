/**
 * Static checks of the Terraform module, offline: formatting, `init -backend=false` +
 * `validate` of the root module, both submodules and every example (including the
 * synthesized CDKTF stack), the modules' `terraform test` suites with mocked providers,
 * and the messages that bad inputs fail with.
 *
 * Terraform runs at most two at a time (two cores), with the shared plugin cache and a
 * data directory per configuration under a temporary directory, so nothing is written to
 * the checked-out `.terraform` directories.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runTerraform, TerraformError, type TerraformResult } from '../support/terraform.js';
import { dependsOn, errorMessagesOf, graphEdges } from './terraform-json.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DATA_ROOT = mkdtempSync(join(tmpdir(), 'ddbsync-tf-static-'));
const CDKTF_DIR = 'examples/cdktf';
const CDKTF_OUT = join(DATA_ROOT, 'cdktf.out');
const CDKTF_STACK = join(CDKTF_OUT, 'stacks', 'ddbsync');
/**
 * Only ends a hung command. The longest (one `terraform test` file: that is why the suites
 * are split into files) took 10 s to 83 s on a 2-core machine busy with other suites.
 */
const COMMAND_TIMEOUT_MS = 300_000;
/**
 * A check's own limit. It covers its wait for a free slot as well as its commands: checks
 * took up to 210 s (and the whole file up to 400 s) with other suites and a busy core.
 */
const CHECK_TIMEOUT_MS = 900_000;

afterAll(() => rmSync(DATA_ROOT, { recursive: true, force: true }));

/** Runs at most `n` tasks at once, in call order. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const slot = limiter(2);

/** How long each Terraform command ran (its own time, not its wait for a slot). */
const timings: { command: string; seconds: number }[] = [];
afterAll(() => {
  const total = timings.reduce((n, t) => n + t.seconds, 0);
  const longest = [...timings].sort((a, b) => b.seconds - a.seconds).slice(0, 8);
  console.log(
    [
      `${timings.length} terraform commands, ${total.toFixed(0)} s in all; the longest:`,
      ...longest.map((t) => `  ${t.seconds.toFixed(1).padStart(6)} s  ${t.command}`),
    ].join('\n'),
  );
});

/** Terraform in `dir` (absolute, or relative to the repository) with its own data directory. */
function terraform(dir: string, args: readonly string[]): Promise<TerraformResult> {
  const cwd = resolve(REPO, dir);
  const dataDir = join(DATA_ROOT, 'data', cwd.replace(/[^a-zA-Z0-9]+/g, '_'));
  return slot(async () => {
    const started = Date.now();
    try {
      return await runTerraform(cwd, args, { env: { TF_DATA_DIR: dataDir }, timeoutMs: COMMAND_TIMEOUT_MS });
    } finally {
      const command = `terraform ${args.filter((a) => a !== '-no-color').join(' ')} (${relative(REPO, cwd) || '.'})`;
      timings.push({ command, seconds: (Date.now() - started) / 1000 });
    }
  });
}

/** Terraform's own report of a failure: what it printed on both streams. */
function explain(err: unknown): Error {
  if (!(err instanceof TerraformError)) return err instanceof Error ? err : new Error(String(err));
  return new Error(
    `terraform ${err.args.join(' ')} in ${err.dir} exited ${err.exitCode}:\n${err.stderr.trim()}\n${err.stdout.slice(-6000).trim()}`,
  );
}

async function succeeds(run: () => Promise<TerraformResult>): Promise<TerraformResult> {
  try {
    return await run();
  } catch (err) {
    throw explain(err);
  }
}

const inits = new Map<string, Promise<TerraformResult>>();
/** `terraform init -backend=false` once per configuration, shared by the checks that need it. */
function initialized(dir: string): Promise<TerraformResult> {
  let done = inits.get(dir);
  if (!done) {
    done = terraform(dir, ['init', '-backend=false', '-input=false', '-no-color']);
    inits.set(dir, done);
  }
  return done;
}

const exampleDirs = readdirSync(join(REPO, 'examples'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'cdktf')
  .flatMap((e) => {
    const dir = join('examples', e.name);
    const stages = readdirSync(join(REPO, dir), { withFileTypes: true }).filter(
      (s) => s.isDirectory() && existsSync(join(REPO, dir, s.name, 'main.tf')),
    );
    return stages.length > 0 ? stages.map((s) => join(dir, s.name)) : [dir];
  });

/** Configurations validated as they are; the root module goes through a caller (see the harness). */
const CONFIGS: readonly { name: string; dir: string }[] = [
  { name: 'root module (through test/terraform/harness/root)', dir: 'test/terraform/harness/root' },
  { name: 'modules/replicator', dir: 'modules/replicator' },
  { name: 'modules/target-access', dir: 'modules/target-access' },
  ...exampleDirs.map((dir) => ({ name: dir, dir })),
  // The first-sync end-to-end test's own root configuration (accounts B and C, two regions).
  { name: 'test/e2e/first-sync-stack', dir: 'test/e2e/first-sync-stack' },
];

/** Directories whose `terraform test` suites must pass, and the test directory of each. */
const SUITES: readonly { name: string; dir: string; testDir: string }[] = [
  { name: 'modules/replicator', dir: 'modules/replicator', testDir: 'tests' },
  { name: 'modules/target-access', dir: 'modules/target-access', testDir: 'tests' },
  { name: 'modules/first-sync', dir: 'modules/first-sync', testDir: 'tests' },
  { name: 'root module', dir: '.', testDir: 'test/terraform/root-module' },
];

/**
 * Every test file of the suites, each run by its own `terraform test -filter`: two run at
 * once, and no single command grows with the whole suite. (Files under messages/ fail on
 * purpose; BAD_INPUTS below runs them.)
 */
const SUITE_FILES = SUITES.flatMap(({ name, dir, testDir }) =>
  readdirSync(join(REPO, dir, testDir))
    .filter((f) => f.endsWith('.tftest.hcl'))
    .sort()
    .map((f) => ({ name, dir, testDir, file: join(testDir, f) })),
);

/**
 * Bad inputs and what their error must tell the user. Each file holds one run that
 * fails on purpose (a failing run skips the rest of its file).
 */
const BAD_INPUTS: readonly { dir: string; file: string; says: readonly string[] }[] = [
  {
    dir: 'modules/replicator',
    file: 'tests/messages/keys-only-stream.tftest.hcl',
    says: ['stream_view_type is KEYS_ONLY', 'Change stream_view_type to "NEW_AND_OLD_IMAGES"'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/old-image-stream.tftest.hcl',
    says: ['stream_view_type is OLD_IMAGE', 'Change stream_view_type to "NEW_AND_OLD_IMAGES"'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/disabled-stream.tftest.hcl',
    says: ['The source table has no stream', 'stream_enabled = true'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/batch-size.tftest.hcl',
    says: ['batch_size must be a whole number from 1 to 10000'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/target-role-account.tftest.hcl',
    says: ['targets[*].role_arn must be an IAM role ARN', '12-digit account id'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/missing-dlq.tftest.hcl',
    says: ['create_dlq is false but dlq_arn is not set'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/excluded-key.tftest.hcl',
    says: ["exclude_attributes names the source table's key attribute(s) sk"],
  },
  {
    dir: 'modules/target-access',
    file: 'tests/messages/replicator-role-account.tftest.hcl',
    says: ['replicator_role_arn must be an IAM role ARN', '12-digit account id'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/canary-heartbeat-json.tftest.hcl',
    says: ["canary.heartbeat_key must be DynamoDB JSON of the source table's full key"],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/canary-heartbeat-attributes.tftest.hcl',
    says: ["canary.heartbeat_key names the attribute(s) id, but the source table's key is pk, sk"],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/canary-heartbeat-prefix.tftest.hcl',
    says: ['"canary" must start with the reserved prefix __ddbsync_heartbeat__'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/canary-schedule.tftest.hcl',
    says: ['canary.schedule_expression must be an EventBridge Scheduler rate or cron expression'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/drift-alarm-runs.tftest.hcl',
    says: ['drift_detection.alarm_runs must be a whole number of consecutive runs from 1 to 100'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/drift-report-bucket.tftest.hcl',
    says: ['drift_detection.report_bucket must be an S3 bucket name', 'not an ARN or s3:// URL'],
  },
  {
    dir: 'modules/replicator',
    file: 'tests/messages/health-role-missing.tftest.hcl',
    says: [
      '222222222222/eu-west-1/orders-replica are written through a role but have no health_role_arn',
      'health_reader_role_arns',
    ],
  },
  {
    dir: 'modules/target-access',
    file: 'tests/messages/health-reader-role-arn.tftest.hcl',
    says: ['Every health_reader_role_arns entry must be an IAM role ARN'],
  },
  {
    dir: 'modules/target-access',
    file: 'tests/messages/first-sync-import-bucket.tftest.hcl',
    says: ['first_sync_import is true but first_sync_export_bucket_arn is not set', 'bucket_arn output'],
  },
  {
    dir: 'modules/first-sync',
    file: 'tests/messages/pitr-off.tftest.hcl',
    says: [
      'Point-in-time recovery is off on the source table orders',
      'point_in_time_recovery { enabled = true }',
    ],
  },
  {
    dir: 'modules/first-sync',
    file: 'tests/messages/bucket-region.tftest.hcl',
    says: [
      'is for account 111111111111 in eu-west-1',
      "pass the source side's provider as aws.export_bucket",
    ],
  },
  {
    dir: 'modules/first-sync',
    file: 'tests/messages/write-capacity.tftest.hcl',
    says: [
      'target_write_capacity (25) is below max_concurrency (40)',
      'Lower max_concurrency or raise target_write_capacity',
    ],
  },
  {
    dir: '.',
    file: 'test/terraform/root-module/messages/target-account.tftest.hcl',
    says: [
      "aws.target provider's credentials are for account 222222222222, not target_account_id 333333333333",
    ],
  },
];

const badInputRuns = new Map<string, Promise<unknown>>();
/**
 * One `terraform test -json` over a whole directory of failing files (each file fails on
 * its own and its diagnostics name it), shared by that directory's cases. Resolves with
 * the TerraformError of the expected failure, or with the result if everything passed.
 */
function badInputRun(dir: string, testDir: string): Promise<unknown> {
  const key = `${dir}:${testDir}`;
  let run = badInputRuns.get(key);
  if (!run) {
    run = succeeds(() => initialized(dir)).then(() =>
      terraform(dir, ['test', '-json', `-test-directory=${testDir}`]).catch((err: unknown) => err),
    );
    badInputRuns.set(key, run);
  }
  return run;
}

/** Paths `terraform fmt -recursive` checks: every Terraform file of the repository, no node_modules. */
function fmtTargets(): string[] {
  const rootFiles = readdirSync(REPO).filter((f) => f.endsWith('.tf'));
  return [
    ...rootFiles,
    'modules',
    'test/terraform',
    'test/e2e',
    ...exampleDirs.map((d) => d.split('/').slice(0, 2).join('/')),
  ]
    .filter((p, i, all) => all.indexOf(p) === i)
    .sort();
}

// Every check runs concurrently (the slots above keep two commands at a time), the suites'
// long `terraform test` files first, so neither slot idles between groups of checks.
describe.concurrent('terraform test (mocked providers)', () => {
  it('each suite has test files', () => {
    for (const { name } of SUITES) expect(SUITE_FILES.filter((f) => f.name === name)).not.toEqual([]);
  });

  it.each(SUITE_FILES)(
    '$name: every run in $file passes',
    async ({ dir, testDir, file }) => {
      await succeeds(() => initialized(dir));
      const { stdout } = await succeeds(() =>
        terraform(dir, ['test', '-no-color', `-test-directory=${testDir}`, `-filter=${file}`]),
      );
      expect(stdout).toMatch(/Success! [1-9][0-9]* passed, 0 failed/);
    },
    CHECK_TIMEOUT_MS,
  );

  it.each(BAD_INPUTS)(
    '$dir: $file fails and says what to change',
    async ({ dir, file, says }) => {
      const outcome = await badInputRun(dir, dirname(file));
      if (!(outcome instanceof TerraformError)) {
        throw new Error(`terraform test in ${dir}/${dirname(file)} was expected to fail but passed`);
      }
      const messages = errorMessagesOf(outcome.stdout, file);
      expect(
        messages.length,
        `no error reported for ${file}:\n${outcome.stdout}${outcome.stderr}`,
      ).toBeGreaterThan(0);
      const text = messages.join('\n');
      for (const phrase of says) expect(text, `the error messages of ${file}`).toContain(phrase);
    },
    CHECK_TIMEOUT_MS,
  );
});

describe.concurrent('terraform fmt', () => {
  it(
    'every .tf, .tftest.hcl and .tfmock.hcl file is formatted (terraform fmt -check -recursive)',
    async () => {
      const targets = fmtTargets();
      const result = await terraform('.', [
        'fmt',
        '-check',
        '-recursive',
        '-list=true',
        '-no-color',
        ...targets,
      ]).catch((err: unknown) => err);
      if (result instanceof TerraformError) {
        expect.fail(`unformatted files (run terraform fmt -recursive):\n${result.stdout}${result.stderr}`);
      }
      if (result instanceof Error) throw result;
    },
    CHECK_TIMEOUT_MS,
  );
});

describe.concurrent('terraform validate', () => {
  it.each(CONFIGS)(
    '$name: init -backend=false and validate',
    async ({ dir }) => {
      await succeeds(() => initialized(dir));
      const { stdout } = await succeeds(() => terraform(dir, ['validate', '-no-color']));
      expect(stdout).toContain('The configuration is valid');
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'examples/cdktf: the app synthesizes a stack that validates',
    async () => {
      // make test installs them; a bare `vitest run` says what is missing instead of skipping.
      expect(
        existsSync(join(REPO, CDKTF_DIR, 'node_modules', 'cdktf')),
        'examples/cdktf has no node_modules/cdktf: run `npm ci --prefix examples/cdktf --omit=dev` (make test does)',
      ).toBe(true);
      await synthesizeCdktf();
      const result = await succeeds(() => initialized(CDKTF_STACK));
      expect(result.stdout).toContain('Terraform has been successfully initialized');
      const { stdout } = await succeeds(() => terraform(CDKTF_STACK, ['validate', '-no-color']));
      expect(stdout).toContain('The configuration is valid');
    },
    CHECK_TIMEOUT_MS,
  );
});

describe.concurrent('terraform graph', () => {
  it(
    'modules/replicator: the function is created after its log group and its role policy, the mapping after the function',
    async () => {
      await succeeds(() => initialized('modules/replicator'));
      const { stdout } = await succeeds(() => terraform('modules/replicator', ['graph']));
      const edges = graphEdges(stdout);
      const order: [string, string][] = [
        ['aws_lambda_function.this', 'aws_cloudwatch_log_group.this'],
        ['aws_lambda_function.this', 'aws_iam_role_policy.this'],
        ['aws_lambda_event_source_mapping.this', 'aws_lambda_function.this'],
      ];
      for (const [later, earlier] of order) {
        expect(dependsOn(edges, later, earlier), `${later} must depend on ${earlier}:\n${stdout}`).toBe(true);
      }
      expect(dependsOn(edges, 'aws_cloudwatch_log_group.this', 'aws_lambda_function.this')).toBe(false);
    },
    CHECK_TIMEOUT_MS,
  );
});

/** Runs the CDKTF app (main.ts) with the repository's tsx, writing the stack under DATA_ROOT. */
function synthesizeCdktf(): Promise<void> {
  const tsx = join(REPO, 'node_modules', '.bin', 'tsx');
  return new Promise((done, fail) => {
    const child = spawn(tsx, ['main.ts'], {
      cwd: join(REPO, CDKTF_DIR),
      env: { ...process.env, CDKTF_OUTDIR: CDKTF_OUT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => {
      if (code === 0 && existsSync(join(CDKTF_STACK, 'cdk.tf.json'))) done();
      else fail(new Error(`npx tsx main.ts in ${CDKTF_DIR} exited ${code} without a stack:\n${output}`));
    });
  });
}
