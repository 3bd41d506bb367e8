/**
 * Bundles the replicator for the nodejs22.x runtime and writes dist/replicator.zip.
 * The zip is reproducible: entries sorted, fixed timestamps and attributes, so two
 * builds from the same sources are byte-identical and the committed artifact can be
 * checked for freshness (`--check`).
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Zippable, zipSync } from 'fflate';

const root = fileURLToPath(new URL('..', import.meta.url));
const zipPath = join(root, 'dist', 'replicator.zip');
const mapsDir = join(root, 'dist', 'sourcemaps');
// 1980-01-01, the earliest time a zip entry can hold; any fixed value works.
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

/**
 * Handlers built together share chunks. The replicator (index) is built apart from the canary
 * and drift handlers: esbuild tree-shakes a shared file for all entry points at once, so their
 * DynamoDB commands would land in chunks the replicator loads at cold start.
 */
const ENTRY_GROUPS: { entryPoints: Record<string, string>; chunkNames: string }[] = [
  { entryPoints: { index: join(root, 'lambda/src/index.ts') }, chunkNames: 'chunks/[name]-[hash]' },
  {
    entryPoints: {
      canary: join(root, 'lambda/src/canary/index.ts'),
      drift: join(root, 'lambda/src/drift/index.ts'),
    },
    chunkNames: 'chunks/health/[name]-[hash]',
  },
];

export async function bundleReplicator(outdir: string): Promise<void> {
  for (const { entryPoints, chunkNames } of ENTRY_GROUPS) await bundle(outdir, entryPoints, chunkNames);
}

async function bundle(
  outdir: string,
  entryPoints: Record<string, string>,
  chunkNames: string,
): Promise<void> {
  await build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    splitting: true, // the STS/credential code becomes a chunk loaded only for role targets
    outExtension: { '.js': '.mjs' },
    chunkNames,
    mainFields: ['module', 'main'],
    minify: true,
    // Maps go beside the zip (dist/sourcemaps/), not into it: they would double its size
    // and --enable-source-maps slows every cold start.
    sourcemap: 'external',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    // Bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
}

/**
 * A fresh directory to bundle into, inside the checkout at a fixed depth: the source maps
 * name sources by their path relative to it, and esbuild's chunk hashes cover the maps, so
 * a build under the system temp dir would name its chunks after where the checkout lives.
 */
export async function makeBuildDir(): Promise<string> {
  await mkdir(join(root, '.tmp'), { recursive: true });
  return mkdtemp(join(root, '.tmp', 'build-'));
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

export async function buildZip(keepMaps = false): Promise<Uint8Array> {
  const outdir = await makeBuildDir();
  try {
    await bundleReplicator(outdir);
    const files: Zippable = {};
    for (const name of await listFiles(outdir)) {
      if (name.endsWith('.map')) {
        if (keepMaps) {
          await mkdir(join(mapsDir, name, '..'), { recursive: true });
          await cp(join(outdir, name), join(mapsDir, name));
        }
        continue;
      }
      files[name] = [
        await readFile(join(outdir, name)),
        { mtime: FIXED_MTIME, level: 9, os: 3, attrs: 0o644 << 16 },
      ];
    }
    return zipSync(files);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  if (!check) await rm(mapsDir, { recursive: true, force: true });
  const zip = await buildZip(!check);
  if (check) {
    const committed = await readFile(zipPath).catch(() => undefined);
    if (!committed || Buffer.compare(committed, Buffer.from(zip)) !== 0) {
      console.error(
        'dist/replicator.zip is not what the sources build; run `make build-lambda` and commit it',
      );
      process.exit(1);
    }
    console.log(`dist/replicator.zip is current (${zip.byteLength} bytes)`);
    return;
  }
  await writeFile(zipPath, zip);
  console.log(`wrote dist/replicator.zip (${zip.byteLength} bytes)`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
