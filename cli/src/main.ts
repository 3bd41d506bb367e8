import { Command, CommanderError } from 'commander';
import { backfillCommand } from './commands/backfill.js';
import { firstSyncCommand } from './commands/first-sync.js';
import { redriveCommand } from './commands/redrive.js';
import type { ExitSink } from './commands/shared.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';
import { describeError, EXIT, type ExitCode } from './errors.js';
import type { CliIo } from './io.js';

/**
 * Runs the ddbsync CLI on `argv` (without node and script) and resolves to the exit
 * code: 0, or the one the command's action recorded, or 2 when something was thrown.
 * Nothing is thrown and nothing calls process.exit: the bin and the tests share it.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let code: ExitCode = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.error;
    }
    io.stderr.write(`ddbsync: ${describeError(err)}\n`);
    return EXIT.error;
  }
}

/** The command tree; `exit` receives the exit code of the action that ran (help needs none). */
export function buildProgram(io: CliIo, exit: ExitSink = () => undefined): Command {
  const program = new Command('ddbsync')
    .description(
      'Operations for a ddbsync replicator: copy a table into its targets, check and repair a copy, ' +
        'redrive failed batches from the dead-letter queue, show the replicator status, and run the ' +
        'first sync of a large table on AWS (export, Distributed Map load, verify).',
    )
    .option('--region <region>', 'AWS region of the source table and STS (default: AWS_REGION)')
    .option(
      '--profile <name>',
      'named profile from ~/.aws/config for the source account (default: AWS_PROFILE)',
    )
    .exitOverride()
    .configureOutput(output(io, 'ddbsync --help'));
  program.addHelpText(
    'after',
    '\nAWS settings come from the standard environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL, ...).\n' +
      "Run `ddbsync <command> --help` for each command's flags and examples.\n\n" +
      'Examples:\n' +
      '  ddbsync --region us-east-1 --profile prod status --function orders-replicator\n' +
      '  ddbsync backfill --help\n' +
      '  ddbsync first-sync start --help\n\n' +
      'Exit codes: 0 done (or all well), 1 differences remain / something needs attention, 2 error.',
  );
  for (const make of [backfillCommand, verifyCommand, redriveCommand, statusCommand, firstSyncCommand]) {
    const command = make(io, exit);
    program.addCommand(command);
    configure(command, io, `ddbsync ${command.name()}`);
  }
  return program;
}

/** Errors and help of a command and of its subcommands (first-sync start, ...) through `io`. */
function configure(command: Command, io: CliIo, path: string): void {
  command.exitOverride().configureOutput(output(io, `${path} --help`));
  for (const sub of command.commands) configure(sub, io, `${path} ${sub.name()}`);
}

/** Help goes to stdout; a usage error is one line on stderr that says where the help is. */
function output(io: CliIo, help: string) {
  return {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) =>
      write(
        `ddbsync: ${s
          .replace(/^error: /, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ')} (see ${help})\n`,
      ),
  };
}
