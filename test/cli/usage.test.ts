/**
 * What a user sees before anything runs: help for every command with every flag shown in an
 * example, and mistakes reported as one line on stderr with a non-zero exit (no stack trace),
 * through the in-process entry and through the real bin in its own process.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/src/io.js';
import { buildProgram } from '../../cli/src/main.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import { cli, createTable, sourceClient, TARGET_ROLE, useMoto } from './helpers.js';

const REPO = join(import.meta.dirname, '..', '..');
const io: CliIo = { stdout: { write: () => true }, stderr: { write: () => true }, env: {} };
const commands = buildProgram(io).commands.map((c) => c.name());
/** Every command that runs something, as its argv path: the top-level ones and first-sync's. */
const leaves = buildProgram(io).commands.flatMap((c) =>
  c.commands.length > 0 ? c.commands.map((sub) => `${c.name()} ${sub.name()}`) : [c.name()],
);
const commandAt = (path: string) =>
  path
    .split(' ')
    .reduce<Command | undefined>((c, name) => c?.commands.find((x) => x.name() === name), buildProgram(io));

/** The text after "Examples:" in a help page. */
const examplesOf = (help: string) => help.slice(help.indexOf('Examples:'));

describe('ddbsync --help', () => {
  it('has the five commands, first-sync with its three', () => {
    expect(commands).toEqual(['backfill', 'verify', 'redrive', 'status', 'first-sync']);
    expect(leaves.filter((l) => l.startsWith('first-sync '))).toEqual([
      'first-sync start',
      'first-sync status',
      'first-sync verify',
    ]);
  });

  it.each(leaves)('%s --help lists every flag and uses each one in an example', async (name) => {
    const r = await cli([...name.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const command = commandAt(name);
    const flags = (command?.options ?? []).map((o) => o.long as string);
    expect(flags.length).toBeGreaterThan(3);
    expect(r.stdout).toContain('Examples:');
    for (const flag of flags) {
      expect(r.stdout, `${name} --help lists ${flag}`).toContain(flag);
      expect(examplesOf(r.stdout), `an example of ${name} uses ${flag}`).toContain(flag);
    }
    expect(r.stdout).toMatch(/Exit codes: 0 /);
  });

  it('the top-level help shows the global flags in an example', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--region', '--profile']) expect(examplesOf(r.stdout)).toContain(flag);
  });
});

describe('ddbsync mistakes', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
    useMoto(moto);
    await createTable(sourceClient(), 'usage-src');
  });
  afterAll(async () => {
    await moto?.stop();
  });

  const targets = JSON.stringify([{ tableName: 'usage-dst', region: 'eu-west-1', roleArn: TARGET_ROLE }]);
  const oneLine = (stderr: string) => {
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
  };

  it.each([
    [
      'a missing source table',
      ['verify', '--source-table', 'no-such-table', '--targets', targets],
      'ddbsync: source table "no-such-table" does not exist in us-east-1\n',
    ],
    [
      'a missing target table (in the other account)',
      ['backfill', '--source-table', 'usage-src', '--targets', targets],
      'ddbsync: target usage-dst@eu-west-1 as arn:aws:iam::222222222222:role/ddbsync-target: table "usage-dst" does not exist in eu-west-1\n',
    ],
    [
      'a bad flag value',
      ['backfill', '--source-table', 'usage-src', '--targets', targets, '--segments', 'many'],
      "ddbsync: option '--segments <n>' argument 'many' is invalid. must be a whole number from 1 to 64 (see ddbsync backfill --help)\n",
    ],
    [
      'a missing required flag',
      ['redrive', '--targets', targets],
      "ddbsync: required option '--queue-url <url>' not specified (see ddbsync redrive --help)\n",
    ],
    [
      'an unknown flag',
      ['status', '--function', 'f', '--colour'],
      "ddbsync: unknown option '--colour' (see ddbsync status --help)\n",
    ],
    [
      'an unknown command',
      ['backfil'],
      "ddbsync: unknown command 'backfil' (Did you mean backfill?) (see ddbsync --help)\n",
    ],
    [
      'unreadable targets',
      ['verify', '--source-table', 'usage-src', '--targets', '[{"tableName":'],
      /^ddbsync: --targets: .*JSON/,
    ],
    [
      'a missing first-sync option',
      ['first-sync', 'start', '--load', 'import'],
      "ddbsync: required option '--state-machine-arn <arn>' not specified (see ddbsync first-sync start --help)\n",
    ],
    [
      'a missing state machine',
      [
        'first-sync',
        'status',
        '--state-machine-arn',
        'arn:aws:states:us-east-1:123456789012:stateMachine:none',
      ],
      /^ddbsync: state machine arn:aws:states:us-east-1:123456789012:stateMachine:none: /,
    ],
    [
      'a missing function',
      ['status', '--function', 'nope'],
      'ddbsync: function "nope" does not exist in us-east-1\n',
    ],
  ] as const)('%s: one line on stderr, exit 2', async (_what, argv, expected) => {
    const r = await cli([...argv]);
    expect(r.code).toBe(2);
    if (typeof expected === 'string') expect(r.stderr).toBe(expected);
    else expect(r.stderr).toMatch(expected);
    oneLine(r.stderr);
  });

  // The built file package.json's bin runs, in an environment without any variable that
  // hides warnings: on Node 20 the AWS SDK would print its 8-line end-of-support notice at the
  // first client unless the bundle turns it off.
  const bin = join(REPO, 'dist', 'ddbsync.mjs');
  const quiet = [
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
    'AWS_SDK_JS_SUPPRESS_NODE_DEPRECATION_WARNING',
    'NODE_NO_WARNINGS',
  ];
  const bareEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !quiet.includes(k)));

  it('the bin in its own process: help exits 0', () => {
    const help = spawnSync(process.execPath, [bin, 'redrive', '--help'], {
      env: bareEnv(),
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--queue-url');
    expect(help.stderr).toBe('');
  });

  it('the bin in its own process: a failed AWS call is one line on stderr, exit 2, no SDK notice', () => {
    const bad = spawnSync(
      process.execPath,
      [bin, 'verify', '--source-table', 'no-such-table', '--targets', targets],
      { env: bareEnv(), encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('ddbsync: source table "no-such-table" does not exist in us-east-1\n');
  });
});
