import { Command, Option } from 'commander';
import { EXIT, UsageError } from '../errors.js';
import { finalText, parseVerifyResult, summaryJson, unrepaired, verifyText } from '../first-sync/render.js';
import {
  checkImportSize,
  missing,
  newestExecution,
  type Session,
  session,
  startExecution,
} from '../first-sync/session.js';
import { watchExecution } from '../first-sync/watch.js';
import type { CliIo } from '../io.js';
import { positiveNumber, regionList } from '../option-parsers.js';
import { type ExitSink, globals } from './shared.js';

interface WatchFlags {
  interval: number;
  json?: boolean;
}
interface StartFlags extends WatchFlags {
  stateMachineArn: string;
  load: 'map' | 'import';
  name?: string;
  sourceTable?: string;
  targetRegions?: string[];
  wait: boolean;
}
interface StatusFlags extends WatchFlags {
  executionArn?: string;
  stateMachineArn?: string;
  watch?: boolean;
}
interface VerifyFlags extends WatchFlags {
  stateMachineArn: string;
  repair?: boolean;
  name?: string;
  wait: boolean;
}

const EXIT_CODES = `Exit codes: 0 done (status: done or still running; verify: every target equals the source),
1 verify found differences it did not repair, 2 the run failed (a failed, timed-out or aborted
execution, or a file that failed although the execution says SUCCEEDED) or the command could not
run, 130 stopped watching (Ctrl-C; the execution goes on: watch it again with status --watch).`;

const AWS_NOTE = `The state machine is the first-sync module's (Terraform output first_sync_state_machine_arn);
its region is taken from the ARN. Credentials and endpoint come from --profile and the standard
environment (AWS_PROFILE, AWS_ENDPOINT_URL, ...), as for every ddbsync command. It calls
states:StartExecution, DescribeExecution, GetExecutionHistory, DescribeMapRun, ListExecutions
(and DescribeStateMachine for the --load import check) and dynamodb:DescribeExport, DescribeTable.
Items are counted from each finished file's result (exact, read once per file).`;

export function firstSyncCommand(io: CliIo, exit: ExitSink): Command {
  const command = new Command('first-sync').description(
    "Copy a table's existing items into its targets at any size, on AWS: the first-sync state machine " +
      'exports the source table to S3, loads every export file into every target with a Distributed Map ' +
      "of Lambda functions (or ImportTable into new tables), then resumes the replicator's stream mapping.",
  );
  command.addHelpText(
    'after',
    `
Examples:
  ddbsync first-sync start --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync
  ddbsync first-sync status --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync --watch
  ddbsync first-sync verify --help

${EXIT_CODES}`,
  );
  command.addCommand(startCommand(io, exit));
  command.addCommand(statusCommand(io, exit));
  command.addCommand(verifyCommand(io, exit));
  return command;
}

function addWatchOptions(command: Command): Command {
  return command
    .option('--interval <seconds>', 'seconds between progress refreshes', positiveNumber, 10)
    .option('--json', 'print the final summary as JSON on stdout (progress lines go to stderr)');
}

function startCommand(io: CliIo, exit: ExitSink): Command {
  const command = new Command('start')
    .description(
      'Start the first sync (export, load, resume replication) and watch it to the end: one progress line ' +
        "with the export's state, files done, items written, items/s, ETA, the hours left of the stream's 24 h " +
        'and failed files with their reason.',
    )
    .requiredOption('--state-machine-arn <arn>', 'the first-sync state machine')
    .addOption(
      new Option('--load <how>', 'map: write into the existing targets; import: ImportTable into new tables')
        .choices(['map', 'import'])
        .default('map'),
    )
    .option('--name <name>', 'execution name, unique per state machine (default: ddbsync-<UTC time>)')
    .option(
      '--source-table <name>',
      '--load import: the table whose size is checked (default: the one the state machine exports)',
    )
    .option(
      '--target-regions <regions>',
      "--load import: the targets' regions, comma-separated, for ImportTable's size limit (default: the state machine's)",
      regionList,
    )
    .option('--no-wait', 'print the execution ARN and return without watching');
  addWatchOptions(command).addHelpText(
    'after',
    `
Examples:
  ddbsync first-sync start --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync
  ddbsync first-sync start --state-machine-arn "$(terraform output -raw first_sync_state_machine_arn)" \\
    --name orders-2026-12-02 --interval 30 --json > first-sync.json
  ddbsync first-sync start --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync \\
    --load import --source-table orders --target-regions eu-central-1,ap-southeast-2 --no-wait

--load import is refused when the source table (DescribeTable TableSizeBytes) is larger than
ImportTable takes in a target region (15 TB in us-east-1, us-west-2, eu-west-1; 1 TB elsewhere).
A run that ends SUCCEEDED is reported done only when no file failed, timed out or was aborted
(DescribeMapRun's counts are checked, not only the execution's status).
${AWS_NOTE}

${EXIT_CODES}`,
  );
  return command.action(async (flags: StartFlags, cmd: Command) => {
    const s = session(globals(cmd), io, flags.stateMachineArn, 'first-sync');
    if (flags.load === 'import') {
      await checkImportSize(s, flags.stateMachineArn, flags.sourceTable, flags.targetRegions);
    }
    const name = flags.name ?? defaultName();
    const arn = await startExecution(s, flags.stateMachineArn, name, {
      action: 'sync',
      load: flags.load,
      repair: false,
    });
    await follow(io, exit, s, arn, flags, { started: true, follow: flags.wait, what: 'first sync' });
  });
}

function statusCommand(io: CliIo, exit: ExitSink): Command {
  const command = new Command('status')
    .description(
      'Show one first-sync (or verify) execution as start shows it: the progress line, and for an ended ' +
        'one whether it is done, or its error and each failed file with its reason.',
    )
    .option('--execution-arn <arn>', 'the execution (start prints it)')
    .option('--state-machine-arn <arn>', 'show the newest execution of this state machine')
    .option('--watch', 'refresh until the execution ends');
  addWatchOptions(command).addHelpText(
    'after',
    `
Examples:
  ddbsync first-sync status --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync
  ddbsync first-sync status --execution-arn arn:aws:states:us-east-1:111111111111:execution:orders-first-sync:ddbsync-20261202T040000Z \\
    --watch --interval 60
  ddbsync first-sync status --execution-arn arn:aws:states:us-east-1:111111111111:execution:orders-first-sync:ddbsync-20261202T040000Z --json

${AWS_NOTE}

${EXIT_CODES}`,
  );
  return command.action(async (flags: StatusFlags, cmd: Command) => {
    const target = flags.executionArn ?? flags.stateMachineArn;
    if (!target) throw new UsageError('give --execution-arn or --state-machine-arn');
    const s = session(globals(cmd), io, target, 'first-sync');
    const arn = flags.executionArn ?? (await newestExecution(s, target));
    await follow(io, exit, s, arn, flags, {
      started: false,
      follow: flags.watch === true,
      what: 'first sync',
    });
  });
}

function verifyCommand(io: CliIo, exit: ExitSink): Command {
  const command = new Command('verify')
    .description(
      'Compare the source table with every target at any size, on AWS: the state machine exports the source ' +
        'and a Distributed Map reads each target by key for every exported item (and counts what is only in a ' +
        'target); --repair writes the source value over each difference. Prints a table per target and the ' +
        "S3 report of differing keys (keys only). The replicator's mapping is left running.",
    )
    .requiredOption('--state-machine-arn <arn>', 'the first-sync state machine')
    .option('--repair', 'write the source value over each difference found')
    .option('--name <name>', 'execution name, unique per state machine (default: ddbsync-verify-<UTC time>)')
    .option('--no-wait', 'print the execution ARN and return without watching');
  addWatchOptions(command).addHelpText(
    'after',
    `
Examples:
  ddbsync first-sync verify --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync
  ddbsync first-sync verify --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync \\
    --repair --name orders-verify-1 --interval 30 --json
  ddbsync first-sync verify --state-machine-arn arn:aws:states:us-east-1:111111111111:stateMachine:orders-first-sync --no-wait

${AWS_NOTE}

${EXIT_CODES}`,
  );
  return command.action(async (flags: VerifyFlags, cmd: Command) => {
    const s = session(globals(cmd), io, flags.stateMachineArn, 'first-sync');
    const arn = await startExecution(s, flags.stateMachineArn, flags.name ?? defaultName('verify'), {
      action: 'verify',
      load: 'map',
      repair: flags.repair === true,
    });
    await follow(io, exit, s, arn, flags, { started: true, follow: flags.wait, what: 'verify' });
  });
}

/** Watches (or reads once) and prints the outcome; records the exit code. */
async function follow(
  io: CliIo,
  exit: ExitSink,
  s: Session,
  executionArn: string,
  flags: WatchFlags,
  how: { started: boolean; follow: boolean; what: string },
): Promise<void> {
  const progress = flags.json ? io.stderr : io.stdout;
  if (how.started) progress.write(`started ${executionArn}\n`);
  if (how.started && !how.follow) {
    if (flags.json) io.stdout.write(`${JSON.stringify({ executionArn }, null, 2)}\n`);
    return;
  }
  let watched: Awaited<ReturnType<typeof watchExecution>>;
  try {
    watched = await watchExecution({
      reader: s.reader(),
      executionArn,
      out: progress,
      intervalMs: flags.interval * 1000,
      follow: how.follow,
      ...(io.signal ? { signal: io.signal } : {}),
    });
  } catch (err) {
    throw missing(err, `execution ${executionArn}`);
  }
  const { view, snapshot, interrupted } = watched;
  const result =
    view.outcome === 'succeeded' && snapshot.execution.action === 'verify'
      ? parseVerifyResult(snapshot.execution.output)
      : undefined;
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(summaryJson(view, executionArn, result), null, 2)}\n`);
  } else {
    const what = snapshot.execution.action === 'verify' ? 'verify' : how.what;
    io.stdout.write(finalText(view, executionArn, what));
    if (result) io.stdout.write(verifyText(result));
  }
  if (interrupted) {
    io.stderr.write(
      `stopped watching; the execution goes on (ddbsync first-sync status --execution-arn ${executionArn} --watch)\n`,
    );
    exit(EXIT.interrupted);
  } else if (view.outcome === 'failed') {
    exit(EXIT.error);
  } else if (result && unrepaired(result) > 0) {
    exit(EXIT.differences);
  }
}

/** ddbsync-20261202T040000Z: sortable, unique per second, valid as an execution name. */
function defaultName(kind?: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `ddbsync-${kind ? `${kind}-` : ''}${stamp}`;
}
