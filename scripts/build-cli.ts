/**
 * Bundles the ddbsync CLI into dist/ddbsync.mjs, the file package.json's bin runs, so the
 * CLI starts as plain JavaScript with no TypeScript loader. Only the repository's own code
 * is bundled (cli/ and the core it imports as #core); npm packages stay imports resolved
 * from node_modules. The output is deterministic, so the committed file can be checked for
 * freshness (`--check`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_BUNDLE = join(root, 'dist', 'ddbsync.mjs');

// The SDK reads this variable when a client is made (its runtimeConfig), not when it is
// imported, so setting it first thing in the bundle's body is early enough. On Node 20 it
// would otherwise print an 8-line notice before the CLI's one-line messages.
const BANNER = `#!/usr/bin/env node
// Built from cli/ by scripts/build-cli.ts (make build-cli): edit the sources, not this file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';`;

/** The bundle's text, built in memory. */
export async function buildCli(): Promise<string> {
  const result = await build({
    entryPoints: [join(root, 'cli/bin/ddbsync.ts')],
    outfile: CLI_BUNDLE,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    // The comments that name each source file are relative to this, not to where the checkout lives.
    absWorkingDir: root,
    // Whitespace and syntax only: names stay readable in a stack trace, and the bundle does
    // not read as a second copy of the sources to tools that compare files line by line.
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: false,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: BANNER },
  });
  const [file] = result.outputFiles;
  if (!file || result.outputFiles.length !== 1) throw new Error('esbuild did not produce one file');
  return file.text;
}

async function main(): Promise<void> {
  const built = await buildCli();
  if (process.argv.includes('--check')) {
    const committed = await readFile(CLI_BUNDLE, 'utf8').catch(() => undefined);
    if (committed !== built) {
      console.error('dist/ddbsync.mjs is not what the sources build; run `make build-cli` and commit it');
      process.exit(1);
    }
    console.log(`dist/ddbsync.mjs is current (${Buffer.byteLength(built)} bytes)`);
    return;
  }
  await writeFile(CLI_BUNDLE, built, { mode: 0o755 });
  console.log(`wrote dist/ddbsync.mjs (${Buffer.byteLength(built)} bytes)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
