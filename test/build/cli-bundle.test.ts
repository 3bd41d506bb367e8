/**
 * The committed dist/ddbsync.mjs is what `npx ddbsync` runs (package.json bin), so it must be
 * exactly what the sources build now, and it must load with the runtime dependencies alone.
 */
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../scripts/build-cli.js';
import { REPO_ROOT } from '../support/terraform-workspace.js';

const STALE =
  'dist/ddbsync.mjs is not what the sources build: run `make build-cli` and commit dist/ddbsync.mjs';

const readBundle = () => readFile(join(REPO_ROOT, 'dist', 'ddbsync.mjs'), 'utf8');

/** The package an import specifier names: `@scope/name` or `name`, without a subpath. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

describe('dist/ddbsync.mjs', () => {
  it('is what buildCli() produces from the sources', async () => {
    const committed = await readBundle();
    const built = await buildCli();
    // Not toBe(built): a 90 KB diff would bury the one line that says what to do.
    expect(committed === built, STALE).toBe(true);
  });

  it('is the bin package.json installs, and imports only runtime dependencies and Node built-ins', async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      dependencies: Record<string, string>;
    };
    expect(pkg.bin.ddbsync).toBe('dist/ddbsync.mjs');
    const bundle = await readBundle();
    const specs = [
      // Static imports anywhere on a line (the bundle is whitespace-minified): import{a}from"x".
      // Not the word inside a string ("import" as an option value, followed later by a quote).
      ...bundle.matchAll(/(?<!["'])\bimport\s*(?:[\w$*{},\s]+?from\s*)?"([^"]+)"/g),
      ...bundle.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
    ].map((m) => m[1] as string);
    expect(specs.length).toBeGreaterThan(5);
    const builtins = new Set(builtinModules);
    const foreign = specs.filter(
      (s) => !s.startsWith('node:') && !builtins.has(s) && !(packageOf(s) in pkg.dependencies),
    );
    // A devDependency here (tsx, vitest, ...) would be missing after `npm ci --omit=dev`;
    // a relative path or #core would mean the project's own code was left out of the bundle.
    expect(foreign).toEqual([]);
  });
});
