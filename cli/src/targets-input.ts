import { readFileSync } from 'node:fs';
import { ConfigError, parseTargets, type TargetConfig } from '#core';
import { UsageError } from './errors.js';

/**
 * Reads the targets the way the function does (REPLICATION_TARGETS), from --targets or
 * --targets-file. Also accepted: what Terraform prints for the module's
 * `replication_targets_json` output, i.e. `terraform output -json replication_targets_json`
 * (a JSON string holding the array) or `terraform output -json` (all outputs).
 */
export function readTargets(
  inline: string | undefined,
  file: string | undefined,
  defaultRegion: string | undefined,
): TargetConfig[] {
  if (inline !== undefined && file !== undefined) {
    throw new UsageError('give either --targets or --targets-file, not both');
  }
  if (inline === undefined && file === undefined) {
    throw new UsageError(
      'no targets: give --targets \'[{"tableName":"...","region":"..."}]\' or --targets-file',
    );
  }
  let raw = inline as string;
  let where = '--targets';
  if (file !== undefined) {
    where = `--targets-file ${file}`;
    try {
      raw = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${where}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? err})`, {
        cause: err,
      });
    }
  }
  try {
    return parseTargets(unwrapTerraformOutput(raw), defaultRegion);
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new UsageError(`${where}: ${err.message.replace(/^REPLICATION_TARGETS/, 'targets')}`, {
        cause: err,
      });
    }
    throw err;
  }
}

/** Peels Terraform's output wrappers off until the targets array (as JSON text) remains. */
export function unwrapTerraformOutput(raw: string): string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw; // let parseTargets name the JSON error
  }
  for (let depth = 0; depth < 4; depth++) {
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
        continue;
      } catch {
        return raw;
      }
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      if ('replication_targets_json' in obj) {
        value = obj.replication_targets_json;
        continue;
      }
      if ('value' in obj && ('type' in obj || 'sensitive' in obj)) {
        value = obj.value;
        continue;
      }
    }
    break;
  }
  return JSON.stringify(value);
}
