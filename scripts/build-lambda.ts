/**
 * Bundles the functions for the nodejs22.x runtime into dist/<package>.zip (PACKAGES below).
 * Each zip is reproducible: entries sorted, fixed timestamps and attributes, so two
 * builds from the same sources are byte-identical and the committed artifact can be
 * checked for freshness (`--check`).
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Zippable, zipSync } from 'fflate';

const root = fileURLToPath(new URL('..', import.meta.url));
const mapsDir = join(root, 'dist', 'sourcemaps');
// 1980-01-01, the earliest time a zip entry can hold; any fixed value works.
const FIXED_MTIME = new Date('1980-01-01T00:00:00Z');

/**
 * The deployment packages, one zip each under dist/. Handlers in one package are bundled
 * together and share chunks; packages are bundled apart, because esbuild splits by file:
 * built with the others, the replicator's index.mjs loaded chunks holding the health checks'
 * DynamoDB commands and S3's XML protocol, and its init took 14% longer. Separate zips keep
 * the replicator's package, the one on every stream batch's path, as small as it was.
 */
export const PACKAGES = {
  /** The replicator (index.handler): what the stream mapping invokes. */
  replicator: { index: join(root, 'lambda/src/index.ts') },
  /** The lag canary (canary.handler) and drift detection (drift.handler). */
  health: {
    canary: join(root, 'lambda/src/canary/index.ts'),
    drift: join(root, 'lambda/src/drift/index.ts'),
  },
  /** The first sync: the loader (loader.handler) the Step Functions Distributed Map runs. */
  'first-sync': {
    loader: join(root, 'lambda/src/loader-index.ts'),
    /** The import path's ImportTable starter and poller (importer.handler). */
    importer: join(root, 'lambda/src/importer-index.ts'),
    /** The distributed verify (verifier.handler): file, segment and summarize modes. */
    verifier: join(root, 'lambda/src/verifier-index.ts'),
  },
} as const satisfies Record<string, Record<string, string>>;

export type PackageName = keyof typeof PACKAGES;
const PACKAGE_NAMES = Object.keys(PACKAGES) as PackageName[];

/** dist/<name>.zip, the committed package Terraform deploys. */
export function zipPathOf(name: PackageName): string {
  return join(root, 'dist', `${name}.zip`);
}

/** Bundles one package's handlers into outdir. */
export async function bundlePackage(name: PackageName, outdir: string): Promise<void> {
  await bundle(PACKAGES[name], outdir);
}

/** The replicator's package (the benchmark measures it). */
export function bundleReplicator(outdir: string): Promise<void> {
  return bundlePackage('replicator', outdir);
}

async function bundle(entryPoints: Record<string, string>, outdir: string): Promise<void> {
  await build({
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    splitting: true, // the STS/credential code becomes a chunk loaded only for role targets
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
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

/** The zip of one package, built in memory; with keepMaps its source maps go to dist/sourcemaps/<name>/. */
export async function buildZip(name: PackageName = 'replicator', keepMaps = false): Promise<Uint8Array> {
  const outdir = await makeBuildDir();
  try {
    await bundlePackage(name, outdir);
    const files: Zippable = {};
    for (const file of await listFiles(outdir)) {
      if (file.endsWith('.map')) {
        if (keepMaps) {
          await mkdir(join(mapsDir, name, file, '..'), { recursive: true });
          await cp(join(outdir, file), join(mapsDir, name, file));
        }
        continue;
      }
      files[file] = [
        await readFile(join(outdir, file)),
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
  let stale = 0;
  for (const name of PACKAGE_NAMES) {
    const path = zipPathOf(name);
    const zip = await buildZip(name, !check);
    if (!check) {
      await writeFile(path, zip);
      console.log(`wrote dist/${name}.zip (${zip.byteLength} bytes)`);
      continue;
    }
    const committed = await readFile(path).catch(() => undefined);
    if (committed && Buffer.compare(committed, Buffer.from(zip)) === 0) {
      console.log(`dist/${name}.zip is current (${zip.byteLength} bytes)`);
    } else {
      console.error(
        `dist/${name}.zip is not what the sources build; run \`make build-lambda\` and commit it`,
      );
      stale++;
    }
  }
  if (stale > 0) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
