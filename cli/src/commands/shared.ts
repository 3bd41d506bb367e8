import type { Command } from 'commander';
import type { TargetConfig } from '#core';
import { type AwsContext, awsContext, type GlobalOptions } from '../aws-context.js';
import { type ExitCode, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { nameList } from '../option-parsers.js';
import { readTargets } from '../targets-input.js';

export interface TableOptions {
  sourceTable: string;
  sourceRegion?: string;
  sourceRoleArn?: string;
  targets?: string;
  targetsFile?: string;
  excludeAttributes?: Set<string>;
}

/** The flags that name the source table and its targets, the same for backfill and verify. */
export function addTableOptions(command: Command): Command {
  return command
    .requiredOption('--source-table <name>', 'the replicated (source) table')
    .option('--source-region <region>', 'region of the source table (default: --region / AWS_REGION)')
    .option(
      '--source-role-arn <arn>',
      'role to assume to read the source table (default: your own credentials)',
    )
    .option(
      '--targets <json>',
      'the targets as the function\'s REPLICATION_TARGETS: \'[{"tableName":"t","region":"eu-west-1","roleArn":"arn:..."}]\'',
    )
    .option(
      '--targets-file <file>',
      'a file holding that JSON, or `terraform output -json replication_targets_json` / `terraform output -json`',
    )
    .option(
      '--exclude-attributes <names>',
      'attributes the function does not copy (its EXCLUDE_ATTRIBUTES), comma-separated',
      nameList,
    );
}

export interface ResolvedTables {
  readonly ctx: AwsContext;
  readonly source: TargetConfig;
  readonly targets: TargetConfig[];
}

export function resolveTables(
  opts: TableOptions,
  global: GlobalOptions,
  io: CliIo,
  command: string,
): ResolvedTables {
  const ctx = awsContext(global, io, command);
  const targets = readTargets(opts.targets, opts.targetsFile, ctx.region);
  const source: TargetConfig = {
    tableName: opts.sourceTable,
    region: opts.sourceRegion ?? ctx.region,
    ...(opts.sourceRoleArn ? { roleArn: opts.sourceRoleArn } : {}),
  };
  for (const t of targets) {
    if (t.tableName === source.tableName && t.region === source.region && t.roleArn === source.roleArn) {
      throw new UsageError(`target ${t.tableName}@${t.region} is the source table itself`);
    }
  }
  return { ctx, source, targets };
}

export function globals(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/**
 * Where a command's action records its exit code when it is not 0 (differences found, some
 * messages kept, interrupted); run() returns it. Thrown errors are for what went wrong.
 */
export type ExitSink = (code: ExitCode) => void;
