/**
 * `npm run docs`: writes the input and output tables of the root module and of each
 * submodule, parsed from their `.tf` files, between the `<!-- BEGIN_TF_DOCS -->` and
 * `<!-- END_TF_DOCS -->` markers of their README. `--check` writes nothing and exits 1,
 * naming every README whose tables are out of date. `--root <dir>` documents another
 * checkout laid out like this one.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@cdktf/hcl2json';

export const BEGIN_MARKER = '<!-- BEGIN_TF_DOCS -->';
export const END_MARKER = '<!-- END_TF_DOCS -->';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each module and the README that documents it, relative to the repository. */
export const DOCUMENTED_MODULES: readonly { readonly moduleDir: string; readonly readme: string }[] = [
  { moduleDir: '.', readme: 'README.md' },
  { moduleDir: 'modules/replicator', readme: 'modules/replicator/README.md' },
  { moduleDir: 'modules/target-access', readme: 'modules/target-access/README.md' },
  { moduleDir: 'modules/first-sync', readme: 'modules/first-sync/README.md' },
];

export class DocsMarkerError extends Error {
  override readonly name = 'DocsMarkerError';
  constructor(readonly file: string) {
    super(
      `${file} has no ${BEGIN_MARKER} ... ${END_MARKER} section (in that order) for the generated tables`,
    );
  }
}

export interface ModuleInput {
  readonly name: string;
  readonly description: string;
  readonly type: string;
  /** Absent for a required input. */
  readonly default?: unknown;
  readonly required: boolean;
}

export interface ModuleOutput {
  readonly name: string;
  readonly description: string;
}

export interface ModuleInterface {
  readonly inputs: readonly ModuleInput[];
  readonly outputs: readonly ModuleOutput[];
}

interface ParsedBlock {
  readonly description?: string;
  readonly type?: string;
  readonly default?: unknown;
}

type ParsedFile = { variable?: Record<string, ParsedBlock[]>; output?: Record<string, ParsedBlock[]> };

/** `${list(string)}` → `list(string)`: hcl2json wraps expressions in a template. */
function unwrapExpression(expression: string): string {
  const m = /^\$\{([\s\S]*)\}$/.exec(expression);
  return m?.[1] ?? expression;
}

/** A (possibly multi-line) type constraint on one line, object attributes separated by commas. */
export function oneLineType(type: string): string {
  const lines = unwrapExpression(type)
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '');
  let out = '';
  for (const [i, line] of lines.entries()) {
    if (i === 0) out = line;
    else if (/[{(]$/.test(out) || /^[})]/.test(line)) out += ` ${line}`;
    else out += `, ${line}`;
  }
  return out;
}

/** The variables and outputs declared in the `.tf` files of `moduleDir` (not its subdirectories), by name. */
export async function readModuleInterface(moduleDir: string): Promise<ModuleInterface> {
  const files = readdirSync(moduleDir)
    .filter((f) => f.endsWith('.tf'))
    .sort();
  const inputs: ModuleInput[] = [];
  const outputs: ModuleOutput[] = [];
  for (const file of files) {
    const path = join(moduleDir, file);
    const parsed = (await parse(path, readFileSync(path, 'utf8'))) as ParsedFile;
    for (const [name, [block]] of Object.entries(parsed.variable ?? {})) {
      if (!block) continue;
      const required = !('default' in block);
      inputs.push({
        name,
        description: block.description ?? '',
        type: block.type === undefined ? 'any' : oneLineType(block.type),
        ...(required ? {} : { default: block.default }),
        required,
      });
    }
    for (const [name, [block]] of Object.entries(parsed.output ?? {})) {
      if (block) outputs.push({ name, description: block.description ?? '' });
    }
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { inputs: inputs.sort(byName), outputs: outputs.sort(byName) };
}

/** A value as HCL would write it (JSON is valid HCL for these literals). */
function hclLiteral(value: unknown): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${cell(text)}\``;
}

/** The Markdown that goes between the markers: an inputs table (required ones first) and an outputs table. */
export function renderTables(api: ModuleInterface): string {
  const inputs = [...api.inputs.filter((i) => i.required), ...api.inputs.filter((i) => !i.required)];
  const lines = ['### Inputs', ''];
  if (inputs.length === 0) lines.push('No inputs.');
  else {
    lines.push('| Name | Description | Type | Default | Required |', '| --- | --- | --- | --- | :---: |');
    for (const i of inputs) {
      const fallback = i.required ? 'n/a' : code(hclLiteral(i.default));
      lines.push(
        `| ${code(i.name)} | ${cell(i.description)} | ${code(i.type)} | ${fallback} | ${i.required ? 'yes' : 'no'} |`,
      );
    }
  }
  lines.push('', '### Outputs', '');
  if (api.outputs.length === 0) lines.push('No outputs.');
  else {
    lines.push('| Name | Description |', '| --- | --- |');
    for (const o of api.outputs) lines.push(`| ${code(o.name)} | ${cell(o.description)} |`);
  }
  return lines.join('\n');
}

/** `readme` with the text between its markers replaced by `tables`. */
export function replaceBetweenMarkers(readme: string, tables: string, file: string): string {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER, begin + BEGIN_MARKER.length);
  if (begin < 0 || end < 0) throw new DocsMarkerError(file);
  return `${readme.slice(0, begin + BEGIN_MARKER.length)}\n${tables}\n${readme.slice(end)}`;
}

export interface DocsResult {
  readonly readme: string;
  readonly current: string;
  readonly expected: string;
}

/** What each README holds and what it should hold. */
export async function generateDocs(repo = REPO): Promise<DocsResult[]> {
  const results: DocsResult[] = [];
  for (const { moduleDir, readme } of DOCUMENTED_MODULES) {
    const path = join(repo, readme);
    const current = readFileSync(path, 'utf8');
    const tables = renderTables(await readModuleInterface(join(repo, moduleDir)));
    results.push({ readme, current, expected: replaceBetweenMarkers(current, tables, readme) });
  }
  return results;
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const rootAt = argv.indexOf('--root');
  const repo = rootAt >= 0 && argv[rootAt + 1] ? resolve(argv[rootAt + 1] as string) : REPO;
  const results = await generateDocs(repo);
  const stale = results.filter((r) => r.current !== r.expected);
  if (check) {
    for (const r of stale) {
      console.error(`${r.readme}: the module reference is out of date; run npm run docs`);
    }
    if (stale.length === 0)
      console.log(`module reference up to date in ${results.map((r) => r.readme).join(', ')}`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const r of stale) writeFileSync(join(repo, r.readme), r.expected);
  console.log(
    stale.length === 0
      ? 'module reference already up to date'
      : `updated ${stale.map((r) => relative(process.cwd(), join(repo, r.readme))).join(', ')}`,
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
