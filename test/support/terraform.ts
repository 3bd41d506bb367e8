/**
 * Runs Terraform in a directory with an isolated environment: providers come from a
 * filesystem mirror when one is configured or present (so tests, the demo and CI work
 * offline), downloaded plugins are shared through one cache, and `-var` values are
 * passed as TF_VAR_* so they never need quoting.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mirror directories used when TF_PROVIDER_MIRROR is not set (first that exists wins). */
export const KNOWN_PROVIDER_MIRRORS = ['/opt/tf-plugins'];

/** The only provider the module and its examples use. */
const MIRRORED_PROVIDERS = ['registry.terraform.io/hashicorp/aws'];

export class TerraformError extends Error {
  override readonly name = 'TerraformError';
  constructor(
    readonly dir: string,
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(
      `terraform ${args.join(' ')} failed in ${dir} (exit ${exitCode ?? 'signal'}):\n${stderr.trim() || stdout.slice(-4000).trim()}`,
    );
  }
}

export interface TerraformResult {
  readonly stdout: string;
  readonly stderr: string;
}

export type TerraformVar = string | number | boolean | null | readonly unknown[] | Record<string, unknown>;

export interface RunOptions {
  /** Extra environment (for example AWS credentials of a local AWS API). */
  env?: Record<string, string | undefined>;
  /** Input variables, passed as TF_VAR_<name>; non-strings are JSON-encoded (HCL accepts JSON values). */
  vars?: Record<string, TerraformVar | undefined>;
  /** Kill Terraform after this many milliseconds (default 10 minutes). */
  timeoutMs?: number;
  /** Called with every chunk of output, for progress in long runs. */
  onOutput?: (chunk: string) => void;
}

let cachedEnv: Record<string, string | undefined> | undefined;
let logged = false;

function tempRoot(): string {
  const dir = join(process.env.DDBSYNC_TF_TMP ?? join(tmpdir(), 'ddbsync-terraform'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The mirror to use: TF_PROVIDER_MIRROR, else the first known mirror directory that exists. */
export function providerMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TF_PROVIDER_MIRROR;
  if (explicit !== undefined && explicit !== '') return explicit;
  return KNOWN_PROVIDER_MIRRORS.find((dir) => existsSync(dir));
}

/** The CLI configuration that installs the mirrored providers from `mirror` and nothing else from the network. */
export function mirrorCliConfig(mirror: string, pluginCacheDir: string): string {
  const list = MIRRORED_PROVIDERS.map((p) => JSON.stringify(p)).join(', ');
  return [
    `plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`,
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = [${list}]`,
    '  }',
    '  direct {',
    `    exclude = [${list}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Environment for Terraform child processes: a shared plugin cache, and a CLI config
 * pointing at the provider mirror when there is one. Computed once per process.
 */
export function terraformEnv(): Record<string, string | undefined> {
  if (cachedEnv) return { ...cachedEnv };
  const root = tempRoot();
  const pluginCache = process.env.TF_PLUGIN_CACHE_DIR || join(root, 'plugin-cache');
  mkdirSync(pluginCache, { recursive: true });
  const env: Record<string, string | undefined> = {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    TF_PLUGIN_CACHE_DIR: pluginCache,
    // The cache may be shared by parallel inits; let Terraform trust what is already there.
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: '1',
  };
  const mirror = providerMirror();
  if (mirror !== undefined) {
    if (process.env.TF_PROVIDER_MIRROR === undefined && !logged) {
      logged = true;
      console.error(`terraform: TF_PROVIDER_MIRROR is not set; using the provider mirror found at ${mirror}`);
    }
    const file = join(root, 'terraform.tfrc');
    writeFileSync(file, mirrorCliConfig(mirror, pluginCache));
    env.TF_CLI_CONFIG_FILE = file;
  } else {
    const configured = process.env.TF_CLI_CONFIG_FILE;
    // A CLI config that does not exist only produces a warning on every command: drop it.
    if (configured !== undefined && configured !== '' && !existsSync(configured)) {
      env.TF_CLI_CONFIG_FILE = undefined;
    }
  }
  cachedEnv = env;
  return { ...env };
}

function varValue(value: TerraformVar): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Runs `terraform <args>` in `dir`; resolves with its output, rejects with TerraformError. */
export function runTerraform(
  dir: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<TerraformResult> {
  const merged: Record<string, string | undefined> = { ...process.env, ...terraformEnv(), ...options.env };
  for (const [name, value] of Object.entries(options.vars ?? {})) {
    if (value !== undefined) merged[`TF_VAR_${name}`] = varValue(value);
  }
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) env[k] = v;

  return new Promise((resolve, reject) => {
    const child = spawn(process.env.TERRAFORM ?? 'terraform', [...args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onOutput?.(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onOutput?.(d.toString());
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 600_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new TerraformError(dir, args, null, stdout, `cannot run terraform: ${err.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else reject(new TerraformError(dir, args, code, stdout, stderr));
    });
  });
}

/** `terraform init` without prompts; `backend: false` for validate-only runs. */
export function init(
  dir: string,
  options: RunOptions & { backend?: boolean } = {},
): Promise<TerraformResult> {
  const args = ['init', '-input=false', '-no-color'];
  if (options.backend === false) args.push('-backend=false');
  return runTerraform(dir, args, options);
}

export function validate(dir: string, options: RunOptions = {}): Promise<TerraformResult> {
  return runTerraform(dir, ['validate', '-no-color'], options);
}

export function apply(dir: string, options: RunOptions = {}): Promise<TerraformResult> {
  return runTerraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color'], options);
}

export function destroy(dir: string, options: RunOptions = {}): Promise<TerraformResult> {
  return runTerraform(dir, ['destroy', '-auto-approve', '-input=false', '-no-color'], options);
}

/** `terraform output -json`, unwrapped to name → value. */
export async function output(dir: string, options: RunOptions = {}): Promise<Record<string, unknown>> {
  const { stdout } = await runTerraform(dir, ['output', '-json', '-no-color'], options);
  const parsed = JSON.parse(stdout) as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
}

/**
 * Environment for Terraform against a local AWS API (moto): its fake credentials, and
 * none of the caller's profile or session. The endpoint itself goes into an override
 * file (test/support/local-aws-override.ts).
 */
export function localAwsEnv(): Record<string, string | undefined> {
  return {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
