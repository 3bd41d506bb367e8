import { Command } from 'commander';
import { dynamoDbTargetWriter, TableReader, targetId } from '#core';
import { describeTable, tableClient } from '../aws-context.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { fraction, integerIn } from '../option-parsers.js';
import { verifyTables } from '../verify.js';
import { reportJson, summaryLines, writeReport } from '../verify-report.js';
import { addTableOptions, type ExitSink, globals, resolveTables, type TableOptions } from './shared.js';

interface VerifyFlags extends TableOptions {
  segments: number;
  sample?: number;
  pageSize: number;
  repair?: boolean;
  repairRounds: number;
  recheckDelay: number;
  report?: string;
  maxListed: number;
}

export function verifyCommand(io: CliIo, exit: ExitSink): Command {
  const command = new Command('verify').description(
    'Compare the source table with each target: items missing, extra or different (exact bytes). ' +
      'Differences found by the scans are re-read with consistent reads on both sides before they are reported.',
  );
  addTableOptions(command)
    .option('--segments <n>', 'parallel Scan segments read at once', integerIn(1, 64), 4)
    .option(
      '--sample <fraction>',
      'check only this fraction of the table (by Scan segment), e.g. 0.1',
      fraction,
    )
    .option('--page-size <n>', 'items per Scan page', integerIn(1, 1000), 500)
    .option('--repair', 'write the fixes: put the source item into the target, delete items the source lacks')
    .option(
      '--repair-rounds <n>',
      'repair and re-check rounds for keys that keep changing',
      integerIn(1, 10),
      3,
    )
    .option(
      '--recheck-delay <ms>',
      'wait before the consistent re-check so in-flight changes land',
      integerIn(0, 600_000),
      1000,
    )
    .option('--report <file>', 'write a machine-readable JSON report of the result here')
    .option('--max-listed <n>', 'differences printed per target', integerIn(0, 100_000), 20)
    .addHelpText(
      'after',
      `
Examples:
  terraform output -json replication_targets_json > targets.json
  ddbsync verify --source-table orders --targets-file targets.json
  ddbsync verify --source-table orders --targets-file targets.json --sample 0.1 --report verify.json --max-listed 50
  ddbsync verify --source-table orders --targets-file targets.json --repair --repair-rounds 5 --recheck-delay 2000
  ddbsync verify --source-table orders --source-region us-east-1 \
    --source-role-arn arn:aws:iam::111111111111:role/orders-reader \
    --targets '[{"tableName":"orders","region":"eu-west-1","roleArn":"arn:aws:iam::222222222222:role/orders-writer"}]' \
    --exclude-attributes ssn,email --segments 8 --page-size 1000

Exit codes: 0 the tables are equal (after repair, with --repair), 1 differences remain, 2 error.`,
    )
    .action(async (flags: VerifyFlags, cmd: Command) => {
      const { ctx, source, targets } = resolveTables(flags, globals(cmd), io, 'verify');
      const sourceClient = tableClient(ctx, source);
      const info = await describeTable(sourceClient, source.tableName, 'source');
      const verifyTargets = [];
      for (const t of targets) {
        const client = tableClient(ctx, t);
        await describeTable(client, t.tableName, `target ${targetId(t)}:`);
        verifyTargets.push({
          id: targetId(t),
          reader: new TableReader(client, t.tableName, info.keyNames),
          writer: dynamoDbTargetWriter(t, client),
        });
      }
      const reports = await verifyTables({
        source: new TableReader(sourceClient, source.tableName, info.keyNames),
        targets: verifyTargets,
        segments: flags.segments,
        ...(flags.sample !== undefined ? { sample: flags.sample } : {}),
        pageSize: flags.pageSize,
        exclude: flags.excludeAttributes ?? new Set(),
        repair: flags.repair === true,
        repairRounds: flags.repairRounds,
        recheckDelayMs: flags.recheckDelay,
        ...(io.hooks?.beforeRecheck ? { beforeRecheck: io.hooks.beforeRecheck } : {}),
      });
      const report = reportJson(source.tableName, flags.sample, flags.repair === true, reports);
      if (flags.report) writeReport(flags.report, report);
      for (const line of summaryLines(reports, flags.repair === true, flags.maxListed))
        io.stdout.write(`${line}\n`);
      const sampled =
        flags.sample !== undefined && flags.sample < 1
          ? ` (sampled ${flags.sample * 100}% of the table)`
          : '';
      if (report.equal) {
        io.stdout.write(`equal: every target matches ${source.tableName}${sampled}\n`);
        return;
      }
      io.stdout.write(
        `differences remain${sampled}${flags.repair ? '' : '; run again with --repair to fix them'}\n`,
      );
      exit(EXIT.differences);
    });
  return command;
}
