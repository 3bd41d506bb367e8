/**
 * The committed dist/*.zip packages are what the Terraform modules deploy (consumers need
 * no Node toolchain), so each must be exactly what the sources build now.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildZip, PACKAGES, type PackageName, zipPathOf } from '../../scripts/build-lambda.js';

const stale = (name: string) =>
  `dist/${name}.zip is not what the sources build: run \`make build-lambda\` and commit dist/${name}.zip`;

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

describe.each(Object.keys(PACKAGES) as PackageName[])('dist/%s.zip', (name) => {
  it('is byte-identical to what buildZip() produces from the sources', async () => {
    const committed = new Uint8Array(await readFile(zipPathOf(name)));
    const built = await buildZip(name);
    const same = Buffer.compare(Buffer.from(committed), Buffer.from(built)) === 0;
    const detail = same ? [] : entryDifferences(committed, built);
    expect(
      same,
      `${stale(name)}\n${detail.join('\n') || '(same entries and contents; zip metadata differs)'}`,
    ).toBe(true);
  });

  it('holds, at its root, every handler Terraform configures for it (<file>.handler)', async () => {
    const entries = unzipSync(new Uint8Array(await readFile(zipPathOf(name))));
    for (const handler of Object.keys(PACKAGES[name])) {
      const file = entries[`${handler}.mjs`];
      expect(file, `${handler}.mjs at the root of dist/${name}.zip`).toBeDefined();
      expect(Buffer.from(file as Uint8Array).toString('utf8')).toMatch(/export\s*\{[^}]*\bhandler\b/);
    }
  });
});
