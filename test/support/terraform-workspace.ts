/**
 * A throw-away copy of what Terraform needs to apply the examples (the root module's
 * *.tf files, modules/, examples/ and the committed dist/*.zip packages), so that no
 * state, lock file or .terraform directory lands in the repository.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The committed deployment package the module deploys by default. */
export const REPLICATOR_ZIP = join(REPO_ROOT, 'dist', 'replicator.zip');

export interface TerraformWorkspace {
  readonly root: string;
  /** Path of examples/<name> inside the copy. */
  example(name: string): string;
  remove(): Promise<void>;
}

/**
 * Not copied: local Terraform state and caches a developer may have in the repo, and the
 * CDKTF example (a Node project, not applied here) with its node_modules.
 */
function isSkipped(path: string): boolean {
  const name = basename(path);
  return (
    name === '.terraform' ||
    name === '.terraform.lock.hcl' ||
    name.startsWith('terraform.tfstate') ||
    name === 'node_modules' ||
    path === join(REPO_ROOT, 'examples', 'cdktf')
  );
}

export async function createTerraformWorkspace(prefix = 'ddbsync-tf-'): Promise<TerraformWorkspace> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const rootTf = (await readdir(REPO_ROOT)).filter((f) => f.endsWith('.tf'));
  for (const file of rootTf) await cp(join(REPO_ROOT, file), join(root, file));
  for (const dir of ['modules', 'examples']) {
    await cp(join(REPO_ROOT, dir), join(root, dir), { recursive: true, filter: (src) => !isSkipped(src) });
  }
  // Every committed package (replicator, health, first-sync): the modules deploy them from dist/.
  for (const zip of (await readdir(join(REPO_ROOT, 'dist'))).filter((f) => f.endsWith('.zip'))) {
    await cp(join(REPO_ROOT, 'dist', zip), join(root, 'dist', zip));
  }
  return {
    root,
    example: (name) => join(root, 'examples', name),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** The examples present in the repository (cdktf excluded: it is a Node project, not an HCL root). */
export async function exampleNames(): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, 'examples'), { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && e.name !== 'cdktf' && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}
