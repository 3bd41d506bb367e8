import { Command } from 'commander';
import { createTargetWriters, targetId } from '#core';
import { describeTable, tableClient } from '../aws-context.js';
import { backfill } from '../backfill.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { integerIn, positiveNumber } from '../option-parsers.js';
import { createProgress } from '../progress.js';
import { addTableOptions, type ExitSink, globals, resolveTables, type TableOptions } from './shared.js';

interface BackfillFlags extends TableOptions {
  segments: number;
  rate?: number;
  readCapacity?: number;
  writeCapacity?: number;
  pageSize: number;
  concurrency: number;
  checkpoint?: string;
  dryRun?: boolean;
  progressInterval: number;
  writeTimeout: number;
}

export function backfillCommand(io: CliIo, exit: ExitSink): Command {
  const command = new Command('backfill').description(
    'Copy every item of the source table into the targets (the stream only carries changes made after ' +
      'it was turned on). Turn replication on first, then backfill, then run `ddbsync verify --repair`.',
  );
  addTableOptions(command)
    .option(
      '--segments <n>',
      'parallel Scan segments, each read and written by its own worker',
      integerIn(1, 64),
      4,
    )
    .option('--rate <items>', 'most items per second read and written (default: no limit)', positiveNumber)
    .option(
      '--read-capacity <units>',
      "most read capacity units per second taken from the source (computed from the items' sizes; default: no limit)",
      positiveNumber,
    )
    .option(
      '--write-capacity <units>',
      'most write capacity units per second put on each target (1 per started KB of each item; default: no limit)',
      positiveNumber,
    )
    .option(
      '--page-size <n>',
      'items per Scan page: the unit of rate limiting and checkpoints',
      integerIn(1, 1000),
      250,
    )
    .option(
      '--concurrency <n>',
      'BatchWriteItem requests in flight per target and segment',
      integerIn(1, 32),
      4,
    )
    .option('--checkpoint <file>', 'save progress here after every page; rerun with the same file to resume')
    .option('--dry-run', 'scan and count the items, write nothing')
    .option(
      '--progress-interval <seconds>',
      'seconds between progress lines when not on a terminal',
      positiveNumber,
      10,
    )
    .option(
      '--write-timeout <seconds>',
      'how long one page may retry throttled writes before the run stops',
      positiveNumber,
      300,
    )
    .addHelpText(
      'after',
      `
Examples:
  terraform output -json replication_targets_json > targets.json
  ddbsync backfill --source-table orders --targets-file targets.json --segments 8 --rate 2000 --checkpoint orders.ckpt
  ddbsync backfill --source-table orders --targets '[{"tableName":"orders","region":"eu-west-1"}]' --dry-run
  ddbsync backfill --source-table orders --targets-file targets.json --read-capacity 500 --write-capacity 1000
  ddbsync backfill --source-table orders --source-region us-east-1 \
    --source-role-arn arn:aws:iam::111111111111:role/orders-reader --targets-file targets.json \
    --exclude-attributes ssn,email --page-size 500 --concurrency 8 --progress-interval 30 --write-timeout 600

Exit codes: 0 copied (or counted), 2 error, 130 interrupted (resume with the same --checkpoint).`,
    )
    .action(async (flags: BackfillFlags, cmd: Command) => {
      const { ctx, source, targets } = resolveTables(flags, globals(cmd), io, 'backfill');
      const sourceClient = tableClient(ctx, source);
      const info = await describeTable(sourceClient, source.tableName, 'source');
      for (const t of targets)
        await describeTable(tableClient(ctx, t), t.tableName, `target ${targetId(t)}:`);
      const writers = createTargetWriters(targets, ctx.clientOptions);
      const label = flags.dryRun ? 'dry run' : 'backfill';
      const progress = createProgress(label, info.itemCount, io.stdout, flags.progressInterval * 1000);
      let result: Awaited<ReturnType<typeof backfill>>;
      try {
        result = await backfill({
          source: sourceClient,
          tableName: source.tableName,
          keyNames: info.keyNames,
          writers,
          segments: flags.segments,
          pageSize: flags.pageSize,
          concurrency: flags.concurrency,
          ...(flags.rate ? { rate: flags.rate } : {}),
          ...(flags.readCapacity ? { readCapacity: flags.readCapacity } : {}),
          ...(flags.writeCapacity ? { writeCapacity: flags.writeCapacity } : {}),
          dryRun: flags.dryRun === true,
          exclude: flags.excludeAttributes ?? new Set(),
          ...(flags.checkpoint ? { checkpointPath: flags.checkpoint } : {}),
          ...(io.signal ? { signal: io.signal } : {}),
          writeTimeoutMs: flags.writeTimeout * 1000,
          onProgress: (n) => progress.update(n),
          ...(io.hooks?.beforePageWrite ? { beforePageWrite: io.hooks.beforePageWrite } : {}),
        });
      } finally {
        progress.stop();
      }
      const rate = result.seconds > 0 ? Math.round(result.scanned / result.seconds) : result.scanned;
      const where = `${targets.length} target${targets.length === 1 ? '' : 's'}`;
      if (flags.dryRun) {
        io.stdout.write(
          `dry run: ${result.scanned} items in ${source.tableName} would be copied to ${where}; nothing was written (${result.seconds.toFixed(1)} s, ${rate} items/s)\n`,
        );
        return;
      }
      if (result.interrupted) {
        io.stderr.write(
          `backfill interrupted: ${result.copiedTotal} items copied so far${flags.checkpoint ? `; rerun the same command (same --checkpoint ${flags.checkpoint}) to resume` : '; without --checkpoint a rerun starts over'}\n`,
        );
        exit(EXIT.interrupted);
        return;
      }
      io.stdout.write(
        `backfill complete: ${result.written} items written to ${where} in ${result.seconds.toFixed(1)} s (${rate} items/s)` +
          `${result.resumed ? `, resumed from ${flags.checkpoint} (${result.copiedTotal} items in all runs)` : ''}\n` +
          `next: ddbsync verify --source-table ${source.tableName} --repair ... so changes made during the backfill converge\n`,
      );
    });
  return command;
}
