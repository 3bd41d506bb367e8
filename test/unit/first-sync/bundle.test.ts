/**
 * The loader has a package of its own (dist/first-sync.zip), and the replicator's cold start
 * is benchmarked: what index.mjs loads must not grow by the loader's S3 client
 * or its gunzip path. The files each handler loads at import are followed from its entry
 * through the static imports; their source maps say what they were built from.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePackage, makeBuildDir } from '../../../scripts/build-lambda.js';

let replicatorDir: string;
let loaderDir: string;
beforeAll(async () => {
  replicatorDir = await makeBuildDir();
  loaderDir = await makeBuildDir();
  await Promise.all([bundlePackage('replicator', replicatorDir), bundlePackage('first-sync', loaderDir)]);
});
afterAll(async () => {
  await rm(replicatorDir, { recursive: true, force: true });
  await rm(loaderDir, { recursive: true, force: true });
});

// `import ... from "./x"`, `export ... from "./x"` and `import "./x"`; not `import("./x")`.
const STATIC_IMPORT = /(?:from\s*|import\s*)"(\.{1,2}\/[^"]+)"/g;

/** The files an entry loads at import, with their text and the sources they were built from. */
async function loadedAtImport(
  dir: string,
  entry: string,
): Promise<{ files: string[]; text: string; sources: string[] }> {
  const seen = new Set<string>();
  const todo = [entry];
  let text = '';
  const sources: string[] = [];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(join(dir, file), 'utf8');
    text += code;
    const map = JSON.parse(await readFile(join(dir, `${file}.map`), 'utf8')) as { sources: string[] };
    sources.push(...map.sources);
    for (const m of code.matchAll(STATIC_IMPORT)) todo.push(join(file, '..', m[1] as string));
  }
  return { files: [...seen], text, sources };
}

const LOADER_ONLY = [
  /lambda\/src\/first-sync\//,
  /lambda\/src\/loader-index\.ts$/,
  /node_modules\/@aws-sdk\/client-s3\//,
  /node_modules\/@aws-sdk\/middleware-sdk-s3\//,
];

describe('the packages', () => {
  it('has the loader as loader.mjs, exporting handler', async () => {
    const { text, sources } = await loadedAtImport(loaderDir, 'loader.mjs');
    expect(text).toMatch(/export\s*\{[^}]*\bhandler\b/);
    for (const pattern of LOADER_ONLY) expect(sources.some((s) => pattern.test(s))).toBe(true);
    expect(text).toContain('createGunzip');
  });

  it('has the verifier as verifier.mjs, exporting handler, in the same package', async () => {
    const { text, sources } = await loadedAtImport(loaderDir, 'verifier.mjs');
    expect(text).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(sources.some((s) => /lambda\/src\/first-sync\/verify-compare\.ts$/.test(s))).toBe(true);
    expect(sources.some((s) => /lambda\/src\/target-clients\.ts$/.test(s))).toBe(true);
  });

  it('has the importer as importer.mjs, exporting handler, with ImportTable and without the loader', async () => {
    const { text, sources } = await loadedAtImport(loaderDir, 'importer.mjs');
    expect(text).toMatch(/export\s*\{[^}]*\bhandler\b/);
    expect(sources.some((s) => /lambda\/src\/importer-index\.ts$/.test(s))).toBe(true);
    expect(text).toContain('ImportTable');
    expect(sources.filter((s) => /lambda\/src\/(loader-index|first-sync\/load-file)\.ts$/.test(s))).toEqual(
      [],
    );
  });

  it("loads none of the loader's code in the replicator's index.mjs: no S3 client, no first-sync modules, no gunzip", async () => {
    const { text, sources } = await loadedAtImport(replicatorDir, 'index.mjs');
    for (const pattern of LOADER_ONLY) expect(sources.filter((s) => pattern.test(s))).toEqual([]);
    // S3's REST-XML protocol: in one build with the loader, esbuild put it into chunks that
    // index.mjs loads, and the replicator's init took 14% longer; PACKAGES keeps them apart.
    expect(sources.filter((s) => s.endsWith('/protocols/xml/AwsRestXmlProtocol.js'))).toEqual([]);
    expect(text).not.toContain('createGunzip');
  });
});
