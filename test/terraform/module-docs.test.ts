import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BEGIN_MARKER,
  DocsMarkerError,
  END_MARKER,
  oneLineType,
  readModuleInterface,
  renderTables,
  replaceBetweenMarkers,
} from '../../scripts/gen-module-docs.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = join(REPO, 'node_modules', '.bin', 'tsx');
const SCRIPT = join(REPO, 'scripts', 'gen-module-docs.ts');
const scratch = mkdtempSync(join(tmpdir(), 'ddbsync-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runDocs(args: readonly string[]) {
  return spawnSync(TSX, [SCRIPT, ...args], { cwd: REPO, encoding: 'utf8', timeout: 60_000 });
}

/** A checkout-shaped directory: the root module and the submodules, each with a README. */
function fakeCheckout(): string {
  const root = mkdtempSync(join(scratch, 'repo-'));
  const readme = `# x\n\n${BEGIN_MARKER}\nold tables\n${END_MARKER}\n\nafter\n`;
  for (const dir of ['.', 'modules/replicator', 'modules/target-access', 'modules/first-sync']) {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'README.md'), readme);
    writeFileSync(
      join(root, dir, 'variables.tf'),
      'variable "table" {\n  description = "The | table."\n  type = string\n}\n\n' +
        'variable "tags" {\n  description = "Tags."\n  type = map(string)\n  default = {}\n}\n',
    );
    writeFileSync(
      join(root, dir, 'outputs.tf'),
      'output "arn" {\n  description = "ARN."\n  value = "x"\n}\n',
    );
  }
  return root;
}

describe('module reference (npm run docs)', () => {
  it('the committed READMEs are up to date with the .tf files (npm run docs -- --check)', () => {
    const result = runDocs(['--check']);
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it('--check exits 1 and names each stale README; a run then rewrites only between the markers', () => {
    const root = fakeCheckout();
    const stale = runDocs(['--check', '--root', root]);
    expect(stale.status).toBe(1);
    for (const f of [
      'README.md',
      'modules/replicator/README.md',
      'modules/target-access/README.md',
      'modules/first-sync/README.md',
    ]) {
      expect(stale.stderr).toContain(`${f}: the module reference is out of date`);
    }

    expect(runDocs(['--root', root]).status).toBe(0);
    const written = readFileSync(join(root, 'modules/replicator/README.md'), 'utf8');
    expect(written.startsWith(`# x\n\n${BEGIN_MARKER}\n### Inputs`)).toBe(true);
    expect(written.endsWith(`${END_MARKER}\n\nafter\n`)).toBe(true);
    expect(written).not.toContain('old tables');
    expect(runDocs(['--check', '--root', root]).status).toBe(0);
  });

  it('lists inputs (required first) with description, type, default and required, and outputs', async () => {
    const root = fakeCheckout();
    const tables = renderTables(await readModuleInterface(root));
    expect(tables.split('\n')).toEqual([
      '### Inputs',
      '',
      '| Name | Description | Type | Default | Required |',
      '| --- | --- | --- | --- | :---: |',
      '| `table` | The \\| table. | `string` | n/a | yes |',
      '| `tags` | Tags. | `map(string)` | `{}` | no |',
      '',
      '### Outputs',
      '',
      '| Name | Description |',
      '| --- | --- |',
      '| `arn` | ARN. |',
    ]);
  });

  it('writes multi-line object types on one line with their attributes separated', () => {
    expect(
      // hcl2json hands expressions over wrapped in a template: "${...}".
      oneLineType(`\${list(object({\n    table_name  = string\n    region      = optional(string)\n  }))}`),
    ).toBe('list(object({ table_name = string, region = optional(string) }))');
  });

  it('refuses a README without the markers, naming it', () => {
    expect(() => replaceBetweenMarkers('# no markers\n', 'tables', 'modules/x/README.md')).toThrow(
      DocsMarkerError,
    );
    expect(() => replaceBetweenMarkers(`${END_MARKER}\n${BEGIN_MARKER}\n`, 'tables', 'README.md')).toThrow(
      /README\.md has no/,
    );
  });
});
