/**
 * The committed dist/replicator.zip is what the Terraform module deploys (consumers need
 * no Node toolchain), so it must be exactly what the sources build now.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildZip } from '../../scripts/build-lambda.js';
import { REPO_ROOT } from '../support/terraform-workspace.js';

const STALE =
  'dist/replicator.zip is not what the sources build: run `make build-lambda` and commit dist/replicator.zip';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Entries that are missing, extra or different between two zips, for the failure message. */
function entryDifferences(committed: Uint8Array, built: Uint8Array): string[] {
  const a = unzipSync(committed);
  const b = unzipSync(built);
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.flatMap((name) => {
    const x = a[name];
    const y = b[name];
    if (!x) return [`${name}: only in the fresh build`];
    if (!y) return [`${name}: only in the committed zip`];
    return sha(x) === sha(y) ? [] : [`${name}: contents differ`];
  });
}

describe('dist/replicator.zip', () => {
  it('is byte-identical to what buildZip() produces from the sources', async () => {
    const committed = new Uint8Array(await readFile(join(REPO_ROOT, 'dist', 'replicator.zip')));
    const built = await buildZip();
    const same = Buffer.compare(Buffer.from(committed), Buffer.from(built)) === 0;
    const detail = same ? [] : entryDifferences(committed, built);
    expect(
      same,
      `${STALE}\n${detail.join('\n') || '(same entries and contents; zip metadata differs)'}`,
    ).toBe(true);
  });

  it('holds the handler Terraform configures (index.handler)', async () => {
    const entries = unzipSync(new Uint8Array(await readFile(join(REPO_ROOT, 'dist', 'replicator.zip'))));
    const index = entries['index.mjs'];
    expect(index, 'index.mjs at the root of the zip').toBeDefined();
    expect(Buffer.from(index as Uint8Array).toString('utf8')).toMatch(/export\s*\{[^}]*\bhandler\b/);
  });
});
